"""Community score cards: cards and their indicators, rounds of scores with reasons, the
provider's self-scores, the interface meeting's action plan, and results over rounds."""

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry.models import Authority, Meeting, Member, Organisation, User
from samiti.voice.errors import VoiceError
from samiti.voice.models import Action, Indicator, ProviderScore, Round, Score, ScoreCard, ScorerGroup
from samiti.voice.services.meetings import _association_of, _check_scope

CARD_FIELDS = ["organisation", "title", "service", "authority", "scale"]


# ----- reads -------------------------------------------------------------------------------------


def score_cards_for(user: User) -> QuerySet[ScoreCard]:
    """Score cards run by organisations `user` may see."""
    return ScoreCard.objects.filter(organisation__in=queries.organisations_for(user))


def score_card_or_404(user: User, pk: int) -> ScoreCard:
    card = score_cards_for(user).select_related("organisation", "authority").filter(pk=pk).first()
    if card is None:
        raise Http404
    return card


def round_or_404(user: User, pk: int) -> Round:
    found = (
        Round.objects.filter(card__in=score_cards_for(user))
        .select_related("card__organisation", "card__authority", "interface_meeting")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@dataclasses.dataclass(frozen=True)
class RoundResult:
    """One indicator in one round: the community's average score and the provider's own."""

    round_id: int
    number: int
    community: float | None
    scores: int
    women: float | None
    men: float | None
    provider: int | None
    change: float | None  # the community average minus the previous round's, when both exist

    @property
    def gap(self) -> float | None:
        """How much better the provider thinks it does than the community does."""
        if self.community is None or self.provider is None:
            return None
        return round(self.provider - self.community, 2)


@dataclasses.dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    rounds: list[RoundResult]

    @property
    def latest(self) -> RoundResult | None:
        return self.rounds[-1] if self.rounds else None


def results(card: ScoreCard) -> list[IndicatorResult]:
    """Each indicator's results round by round, with the change since the previous round.

    Averages are over every score of the round (a focus group's or a member's), computed in the
    database; women's and men's columns take the women's and men's focus groups and the scores
    of women and men members.
    """
    indicators = list(card.indicators.all())
    rounds = list(card.rounds.order_by("number"))
    averages = {
        (row["indicator_id"], row["round_id"]): row
        for row in Score.objects.filter(round__card=card)
        .values("indicator_id", "round_id")
        .annotate(
            average=Avg("value"),
            count=Count("id"),
            women=Avg("value", filter=_women()),
            men=Avg("value", filter=_men()),
        )
    }
    provider = {
        (indicator_id, round_id): value
        for indicator_id, round_id, value in ProviderScore.objects.filter(round__card=card).values_list(
            "indicator_id", "round_id", "value"
        )
    }
    found = []
    for indicator in indicators:
        per_round, previous = [], None
        for r in rounds:
            row = averages.get((indicator.pk, r.pk), {})
            community = _round2(row.get("average"))
            change = (
                round(community - previous, 2) if community is not None and previous is not None else None
            )
            per_round.append(
                RoundResult(
                    round_id=r.pk,
                    number=r.number,
                    community=community,
                    scores=row.get("count", 0),
                    women=_round2(row.get("women")),
                    men=_round2(row.get("men")),
                    provider=provider.get((indicator.pk, r.pk)),
                    change=change,
                )
            )
            if community is not None:
                previous = community
        found.append(IndicatorResult(indicator=indicator, rounds=per_round))
    return found


def _women() -> Q:
    return Q(scorer_group=ScorerGroup.WOMEN) | Q(member__sex="F")


def _men() -> Q:
    return Q(scorer_group=ScorerGroup.MEN) | Q(member__sex="M")


def _round2(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


# ----- writes ------------------------------------------------------------------------------------


def _record(actor: User | None, action: str, obj: Any, changes: dict, channel: str, card: ScoreCard) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        channel=channel,
        association_id=_association_of(card.organisation),
    )


def _clean_text(text_en: str, text_bn: str) -> tuple[str, str]:
    text_en, text_bn = text_en.strip(), text_bn.strip()
    if not (text_en or text_bn):
        raise VoiceError(_("Write the indicator, in Bengali or in English."), field="text_en")
    if len(text_en) > 300 or len(text_bn) > 300:
        raise VoiceError(_("An indicator is at most 300 characters long."), field="text_en")
    return text_en, text_bn


@transaction.atomic
def create_score_card(
    *,
    actor: User | None,
    organisation: Organisation,
    title: str,
    service: str,
    authority: Authority,
    scale: str = ScoreCard.Scale.ONE_TO_FIVE,
    indicators: Sequence[tuple[str, str]] = (),
    channel: str = Channel.WEB,
) -> ScoreCard:
    """Start a score card on a provider's service, with the indicators the community chose as
    (English, Bengali) pairs."""
    _check_scope(actor, organisation)
    title = title.strip()
    if not title:
        raise VoiceError(_("Give the score card a title."), field="title")
    if len(title) > 200:
        raise VoiceError(_("A title is at most 200 characters long."), field="title")
    if service not in ScoreCard.Service.values:
        raise VoiceError(_("Choose the service being scored."), field="service")
    if scale not in ScoreCard.Scale.values:
        raise VoiceError(_("Choose a scale: 1 to 5 or 0 to 100."), field="scale")
    if authority is None:
        raise VoiceError(_("Choose the provider of the service."), field="authority")
    texts = [_clean_text(en, bn) for en, bn in indicators]
    card = ScoreCard.objects.create(
        organisation=organisation, title=title, service=service, authority=authority, scale=scale
    )
    _record(actor, AuditEvent.Action.CREATE, card, audit.created(card, CARD_FIELDS), channel, card)
    for position, (en, bn) in enumerate(texts, start=1):
        indicator = Indicator.objects.create(card=card, position=position, text_en=en, text_bn=bn)
        changes = audit.created(indicator, ["text_en", "text_bn"])
        _record(actor, AuditEvent.Action.CREATE, indicator, changes, channel, card)
    return card


@transaction.atomic
def add_indicator(
    *, actor: User | None, card: ScoreCard, text_en: str = "", text_bn: str = "", channel: str = Channel.WEB
) -> Indicator:
    """Add an indicator at the end of the card; rounds already scored simply lack its scores."""
    _check_scope(actor, card.organisation)
    text_en, text_bn = _clean_text(text_en, text_bn)
    last = card.indicators.order_by("-position").values_list("position", flat=True).first() or 0
    indicator = Indicator.objects.create(card=card, position=last + 1, text_en=text_en, text_bn=text_bn)
    _record(
        actor,
        AuditEvent.Action.CREATE,
        indicator,
        audit.created(indicator, ["text_en", "text_bn"]),
        channel,
        card,
    )
    return indicator


def _check_interface_meeting(card: ScoreCard, meeting: Meeting | None) -> None:
    if meeting is None:
        return
    if meeting.organisation_id != card.organisation_id:
        raise VoiceError(_("The interface meeting must be on this organisation's calendar."), field="meeting")
    if meeting.kind != Meeting.Kind.INTERFACE:
        raise VoiceError(_("Choose a meeting of the kind 'interface meeting'."), field="meeting")


@transaction.atomic
def start_round(
    *,
    actor: User | None,
    card: ScoreCard,
    held_on: datetime.date,
    interface_meeting: Meeting | None = None,
    channel: str = Channel.WEB,
) -> Round:
    """Open the next round of scoring."""
    _check_scope(actor, card.organisation)
    if held_on > timezone.localdate():
        raise VoiceError(_("A round is recorded once it is scored, not before."), field="held_on")
    latest = card.rounds.order_by("-number").first()
    if latest is not None and held_on < latest.held_on:
        raise VoiceError(
            _("Round %(number)s was scored on %(day)s; a new round comes after it.")
            % {"number": latest.number, "day": latest.held_on.isoformat()},
            field="held_on",
        )
    if not card.indicators.exists():
        raise VoiceError(_("Add the indicators before scoring."), field="held_on")
    _check_interface_meeting(card, interface_meeting)
    new = Round.objects.create(
        card=card,
        number=(latest.number if latest else 0) + 1,
        held_on=held_on,
        interface_meeting=interface_meeting,
    )
    changes = audit.created(new, ["number", "held_on", "interface_meeting"])
    _record(actor, AuditEvent.Action.CREATE, new, changes, channel, card)
    return new


@transaction.atomic
def set_interface_meeting(
    *, actor: User | None, round: Round, meeting: Meeting | None, channel: str = Channel.WEB
) -> Round:
    """Name the interface meeting where community and provider met over this round's scores."""
    card = round.card
    _check_scope(actor, card.organisation)
    _check_interface_meeting(card, meeting)
    before = round.interface_meeting_id
    round.interface_meeting = meeting
    round.save(update_fields=["interface_meeting"])
    changes = {"interface_meeting": [before, meeting.pk if meeting else None]}
    _record(actor, AuditEvent.Action.UPDATE, round, changes, channel, card)
    return round


@dataclasses.dataclass(frozen=True)
class ScoreEntry:
    """One indicator's score with its reason (and, for the community, a suggestion)."""

    indicator: Indicator
    value: int
    reason: str = ""
    suggestion: str = ""


def _check_entries(card: ScoreCard, entries: Sequence[ScoreEntry]) -> None:
    if not entries:
        raise VoiceError(_("Enter at least one score."), field="value")
    seen = set()
    for entry in entries:
        if entry.indicator.card_id != card.pk:
            raise VoiceError(_("This indicator belongs to another score card."), field="indicator")
        if entry.indicator.pk in seen:
            raise VoiceError(_("Each indicator is scored once."), field="indicator")
        seen.add(entry.indicator.pk)
        if not isinstance(entry.value, int) or not card.lowest <= entry.value <= card.highest:
            raise VoiceError(
                _("“%(indicator)s”: a score on this card runs from %(low)s to %(high)s, not %(value)s.")
                % {
                    "indicator": entry.indicator,
                    "low": card.lowest,
                    "high": card.highest,
                    "value": entry.value,
                },
                field="value",
            )


@transaction.atomic
def record_scores(
    *,
    actor: User | None,
    round: Round,
    scores: Sequence[ScoreEntry],
    scorer_group: str = "",
    member: Member | None = None,
    channel: str = Channel.WEB,
) -> list[Score]:
    """Record the community's scores in a round, from a focus group or one member; entering a
    scorer's score of an indicator again replaces it."""
    card = round.card
    _check_scope(actor, card.organisation)
    if (member is None) == (not scorer_group):
        raise VoiceError(_("Say who scored: a scorer group or a member."), field="scorer_group")
    if scorer_group and scorer_group not in ScorerGroup.values:
        raise VoiceError(_("Unknown scorer group."), field="scorer_group")
    if member is not None and not queries.belongs_to(member, card.organisation):
        raise VoiceError(
            _("%(member)s is not a member of %(organisation)s.")
            % {"member": member, "organisation": card.organisation},
            field="member",
        )
    _check_entries(card, scores)
    saved = []
    for entry in scores:
        score, made = Score.objects.update_or_create(
            round=round,
            indicator=entry.indicator,
            scorer_group=scorer_group,
            member=member,
            defaults={
                "value": entry.value,
                "reason": entry.reason.strip(),
                "suggestion": entry.suggestion.strip(),
            },
        )
        action = AuditEvent.Action.CREATE if made else AuditEvent.Action.UPDATE
        changes = {
            "value": [None, score.value],
            "scorer": [None, scorer_group or (member.code if member else None)],
        }
        _record(actor, action, score, changes, channel, card)
        saved.append(score)
    return saved


@transaction.atomic
def record_provider_scores(
    *, actor: User | None, round: Round, scores: Sequence[ScoreEntry], channel: str = Channel.WEB
) -> list[ProviderScore]:
    """Record the provider's self-scores in a round; entering one again replaces it."""
    card = round.card
    _check_scope(actor, card.organisation)
    _check_entries(card, scores)
    saved = []
    for entry in scores:
        score, made = ProviderScore.objects.update_or_create(
            round=round,
            indicator=entry.indicator,
            defaults={"value": entry.value, "reason": entry.reason.strip()},
        )
        action = AuditEvent.Action.CREATE if made else AuditEvent.Action.UPDATE
        _record(actor, action, score, {"value": [None, score.value]}, channel, card)
        saved.append(score)
    return saved


@transaction.atomic
def plan_action(
    *,
    actor: User | None,
    round: Round,
    what: str,
    owner: str,
    due_on: datetime.date | None = None,
    indicator: Indicator | None = None,
    channel: str = Channel.WEB,
) -> Action:
    """Add a step of the action plan agreed at the interface meeting."""
    card = round.card
    _check_scope(actor, card.organisation)
    what, owner = what.strip(), owner.strip()
    if not what:
        raise VoiceError(_("Write what is to be done."), field="what")
    if len(what) > 300:
        raise VoiceError(_("Say what is to be done in at most 300 characters."), field="what")
    if not owner:
        raise VoiceError(_("Name who will do it."), field="owner")
    if len(owner) > 150:
        raise VoiceError(_("A name is at most 150 characters long."), field="owner")
    if indicator is not None and indicator.card_id != card.pk:
        raise VoiceError(_("This indicator belongs to another score card."), field="indicator")
    if due_on is not None and due_on < round.held_on:
        raise VoiceError(_("An action cannot be due before its round was scored."), field="due_on")
    action = Action.objects.create(round=round, indicator=indicator, what=what, owner=owner, due_on=due_on)
    changes = audit.created(action, ["what", "owner", "due_on", "indicator"])
    _record(actor, AuditEvent.Action.CREATE, action, changes, channel, card)
    return action


@transaction.atomic
def complete_plan_action(
    *, actor: User | None, action: Action, done_on: datetime.date | None = None, channel: str = Channel.WEB
) -> Action:
    """Mark a step of the action plan done, on `done_on` (today by default)."""
    card = action.round.card
    _check_scope(actor, card.organisation)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise VoiceError(_("An action cannot be done in the future."), field="done_on")
    before = action.done_on
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    changes = {"done_on": [before.isoformat() if before else None, done_on.isoformat()]}
    _record(actor, AuditEvent.Action.UPDATE, action, changes, channel, card)
    return action
