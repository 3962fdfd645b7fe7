"""The access demo command: screening, applications at every stage, grievances, referrals, added once."""

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from samiti.access.models import (
    Application,
    ApplicationEvent,
    Finding,
    Grievance,
    MemberDocument,
    Referral,
    Screening,
)
from samiti.access.services import applications
from samiti.core.models import AuditEvent
from samiti.registry.tests.test_demo import five_districts  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

MODELS = [Screening, Finding, Application, ApplicationEvent, MemberDocument, Grievance, Referral, AuditEvent]
MEMBERS = 3_000


def _run(command: str, **options) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_demo_access_fills_every_stage_once_and_a_second_run_changes_nothing(settings, five_districts):  # noqa: F811
    settings.DEMO_MODE = True
    _run("demo", members=MEMBERS)
    _run("load_schemes")
    started = time.perf_counter()
    output = _run("demo_access")
    elapsed = time.perf_counter() - started
    assert output.startswith("Access demo: screened"), output
    assert elapsed < 20
    today = timezone.localdate()
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Application.Status.values)
    assert Application.objects.count() >= 200
    assert Application.objects.filter(applications.stalled(today)).exists()
    assert Application.objects.exclude(rejection_reason="").values("rejection_reason").distinct().count() >= 3
    receiving = Application.objects.filter(status="receiving")
    assert receiving.exclude(amount_per_month=None).exists()
    assert all(a.amount_per_month % 100 == 0 for a in receiving.exclude(amount_per_month=None))
    assert Grievance.objects.filter(status__in=["open", "escalated"], due_on__lt=today).exists()  # overdue
    assert Grievance.objects.filter(status="resolved").exists()
    assert (
        Referral.objects.filter(status="received").exists()
        and Referral.objects.filter(status="referred").exists()
    )
    assert MemberDocument.objects.exists()
    # Every application's steps are dated in order and none is in the future.
    for application in Application.objects.prefetch_related("events")[:100]:
        days = [
            e.on
            for e in application.events.all()
            if e.status != "receiving" or application.identified_on <= e.on
        ]
        assert days == sorted(days) and max(days) <= today
    # Members receiving a scheme are not on the work list for it.
    assert not Finding.objects.filter(
        member__applications__status="receiving", scheme=F("member__applications__scheme")
    ).exists()

    before = _snapshot()
    again = _run("demo_access")
    assert "nothing to do" in again
    assert _snapshot() == before


def test_demo_access_needs_demo_mode_the_demo_and_the_schemes(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        _run("demo_access")
    with pytest.raises(CommandError, match=r"manage\.py demo"):
        _run("demo_access", force=True)
