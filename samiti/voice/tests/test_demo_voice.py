"""The voice demo command: believable voice data on the demo programme, added once."""

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from samiti.core.models import AuditEvent
from samiti.registry.models import Authority, Meeting, Official
from samiti.registry.tests.test_demo import five_districts  # noqa: F401 - a fixture
from samiti.voice.management.commands import demo_voice
from samiti.voice.models import (
    Charter,
    Commitment,
    Decision,
    Demand,
    Endorsement,
    FollowUpAction,
    Poll,
    Response,
    Round,
    ScoreCard,
)
from samiti.voice.models.elections import Election
from samiti.voice.services import polls

pytestmark = pytest.mark.django_db

MODELS = [Authority, Official, Meeting, Demand, Endorsement, Poll, Election, Charter, Commitment, ScoreCard,
          FollowUpAction, AuditEvent]  # fmt: skip
# Enough members for two associations in Gaibandha, so a federation takes up a shared demand.
MEMBERS = 3_700


def _run(command: str, **options) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _check_demands() -> None:
    for association_demands in (Demand.objects.filter(association_id=a) for a in _associations()):
        assert 4 <= association_demands.count() <= 9
        assert (
            association_demands.filter(status="taken_up").exists()
            or association_demands.filter(
                status__in=["submitted", "committed", "fulfilled", "partly_fulfilled", "rejected", "merged"]
            ).exists()
        )
    federation = Demand.objects.get(organisation__kind="federation")
    assert federation.status == "taken_up"
    assert Demand.objects.filter(merged_into=federation).count() == 1
    women = Endorsement.objects.filter(member__sex="F").count()
    assert women / Endorsement.objects.count() > 0.45
    assert Demand.objects.filter(title__regex=r"[\u0980-\u09FF]").exists()
    assert (
        Demand.objects.filter(title__startswith="Equal").exists()
        or Demand.objects.filter(title__regex=r"^[A-Za-z]").exists()
    )


def _associations() -> list[int]:
    return sorted(set(Demand.objects.exclude(association=None).values_list("association_id", flat=True)))


def _check_polls_meetings_elections() -> None:
    closed = Poll.objects.filter(status="closed", secret=True, kind="ranking")
    assert closed.exists()
    for poll in closed:
        result = polls.results(poll)
        assert result.quorum_met and result.winner_ids and result.rounds
    assert Poll.objects.filter(status="open", kind="yes_no").exists()
    today = timezone.localdate()
    assert FollowUpAction.objects.filter(done_on=None, due_on__lt=today).exists()  # overdue
    assert FollowUpAction.objects.exclude(done_on=None).exists()
    assert Decision.objects.exclude(demand=None).exists()
    assert Meeting.objects.filter(status="held").exclude(attendance=None).exists()
    assert Meeting.objects.filter(status="planned", starts_at__gt=timezone.now()).exists()
    election = Election.objects.filter(status="declared").first()
    assert election is not None and election.women_required >= 2
    assert election.women_elected >= election.women_required


def _check_charters_and_score_cards() -> None:
    today = timezone.localdate()
    assert Charter.objects.filter(status="submitted").exists()
    assert Commitment.objects.filter(status="fulfilled").exists()
    assert Commitment.objects.filter(status="partly_fulfilled").exists()
    assert Commitment.objects.filter(status="open", due_on__lt=today).exists()
    assert Response.objects.filter(kind="rejected").exists()
    for card in ScoreCard.objects.all():
        assert card.service == "agricultural_extension"
        rounds = list(Round.objects.filter(card=card).order_by("number"))
        assert len(rounds) == 2
        means = [sum(s.value for s in r.scores.all()) / r.scores.count() for r in rounds]
        assert means[1] > means[0]  # the card shows change
    assert Authority.objects.filter(kind="union_parishad").exists()
    assert Official.objects.filter(post__startswith="Sub-Assistant Agriculture Officer").exists()


def test_demo_voice_fills_every_voice_page_once(settings, five_districts, monkeypatch):  # noqa: F811
    settings.DEMO_MODE = True
    # The two Gaibandha associations only (the command takes one more in each other federation).
    monkeypatch.setattr(demo_voice, "OTHER_FEDERATIONS", 0)
    _run("demo", members=MEMBERS)
    started = time.perf_counter()
    output = _run("demo_voice")
    elapsed = time.perf_counter() - started
    assert "Voice demo: 2 associations" in output, output
    assert elapsed < 10
    _check_demands()
    _check_polls_meetings_elections()
    _check_charters_and_score_cards()
    assert Demand.objects.count() >= 2 * 5 and Charter.objects.count() == 2 and ScoreCard.objects.count() == 2
    assert Election.objects.count() == 1 and Poll.objects.filter(kind="ranking").count() == 2

    before = _snapshot()
    again = _run("demo_voice")
    assert "nothing to do" in again
    assert _snapshot() == before


def test_demo_voice_needs_demo_mode_and_the_demo(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        _run("demo_voice")
    with pytest.raises(CommandError, match=r"manage\.py demo"):
        _run("demo_voice", force=True)
