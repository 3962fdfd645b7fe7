"""Score cards in the API: cards in scope with their results over rounds; creating a card, starting
a round, recording its scores (a focus group's, a member's or the provider's) and planning actions,
through the same services as the pages."""

import dataclasses
import datetime
from typing import Literal

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.models import Channel
from samiti.registry import queries
from samiti.registry.models import Authority, User
from samiti.voice.errors import VoiceError
from samiti.voice.models import Action, Round, ScoreCard, ScorerGroup
from samiti.voice.services import scorecards as services
from samiti.voice.services.scorecards import ScoreEntry

router = Router(tags=["score cards"])

ScorerCode = Literal[tuple(ScorerGroup.values)]
ServiceCode = Literal[tuple(ScoreCard.Service.values)]
ScaleCode = Literal[tuple(ScoreCard.Scale.values)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class ScoreCardOut(Schema):
    id: int
    title: str
    service: str
    scale: str
    organisation: int
    authority: int
    rounds: int
    indicators: int

    @staticmethod
    def resolve_organisation(card: ScoreCard) -> int:
        return card.organisation_id

    @staticmethod
    def resolve_authority(card: ScoreCard) -> int:
        return card.authority_id

    @staticmethod
    def resolve_rounds(card: ScoreCard) -> int:
        return card.round_count

    @staticmethod
    def resolve_indicators(card: ScoreCard) -> int:
        return card.indicator_count


class RoundResultOut(Schema):
    round: int = Field(description="The round's number.")
    community: float | None = Field(description="Average of the community's scores.")
    scores: int
    women: float | None
    men: float | None
    provider: int | None = Field(description="The provider's own score.")
    change: float | None = Field(description="Community average minus the previous round's.")


class IndicatorOut(Schema):
    id: int
    position: int
    text_en: str
    text_bn: str
    rounds: list[RoundResultOut]


class ScoreCardDetailOut(ScoreCardOut):
    lowest: int
    highest: int
    results: list[IndicatorOut]


class ScoreIn(Schema):
    indicator: int
    value: int
    reason: str = Field("", max_length=2000)
    suggestion: str = Field("", max_length=500)


class ScoresIn(Schema):
    round: int = Field(description="The round's number on this card.")
    scorer_group: ScorerCode | None = Field(None, description="A focus group's scores…")
    member: int | None = Field(None, description="…or one member's.")
    provider: bool = Field(False, description="True for the provider's self-scores.")
    scores: list[ScoreIn] = Field(min_length=1)


class IndicatorIn(Schema):
    text_en: str = Field("", max_length=300)
    text_bn: str = Field("", max_length=300)


class ScoreCardIn(Schema):
    organisation: int
    title: str = Field(min_length=1, max_length=200)
    service: ServiceCode
    authority: int = Field(description="The provider of the service.")
    scale: ScaleCode = ScoreCard.Scale.ONE_TO_FIVE
    indicators: list[IndicatorIn] = Field(default_factory=list, description="In order.")


class RoundIn(Schema):
    held_on: datetime.date = Field(description="The day the round was scored.")
    interface_meeting: int | None = Field(None, description="The interface meeting on the calendar.")


class RoundOut(Schema):
    id: int
    number: int
    held_on: datetime.date
    interface_meeting: int | None

    @staticmethod
    def resolve_interface_meeting(found: Round) -> int | None:
        return found.interface_meeting_id


class PlanActionIn(Schema):
    round: int = Field(description="The round's number on this card.")
    what: str = Field(min_length=1, max_length=300)
    owner: str = Field(min_length=1, max_length=150)
    due_on: datetime.date | None = None
    indicator: int | None = Field(None, description="The indicator it should improve.")


class PlanActionOut(Schema):
    id: int
    round: int = Field(description="The round's number.")
    indicator: int | None
    what: str
    owner: str
    due_on: datetime.date | None
    done_on: datetime.date | None

    @staticmethod
    def resolve_round(action: Action) -> int:
        return action.round.number

    @staticmethod
    def resolve_indicator(action: Action) -> int | None:
        return action.indicator_id


def _may_edit(user: User) -> None:
    if not user.can_edit:
        raise VoiceError(_("Your role may read records but not change them."), code="forbidden")


def _round(card: ScoreCard, number: int) -> Round:
    found = card.rounds.filter(number=number).first()
    if found is None:
        raise VoiceError(_("This card has no such round."), field="round")
    return found


def _cards(user: User) -> QuerySet[ScoreCard]:
    return services.score_cards_for(user).annotate(
        round_count=Count("rounds", distinct=True), indicator_count=Count("indicators", distinct=True)
    )


def _detail(user: User, pk: int) -> ScoreCard:
    card = _cards(user).select_related("organisation").filter(pk=pk).first()
    if card is None:
        raise Http404
    card.results = [
        {
            "id": r.indicator.pk,
            "position": r.indicator.position,
            "text_en": r.indicator.text_en,
            "text_bn": r.indicator.text_bn,
            "rounds": [{**dataclasses.asdict(row), "round": row.number} for row in r.rounds],
        }
        for r in services.results(card)
    ]
    return card


@router.get("/scorecards", response=list[ScoreCardOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_score_cards(request: HttpRequest) -> QuerySet[ScoreCard]:
    """Score cards run by organisations in the account's scope."""
    return _cards(_user(request)).order_by("-created_at", "id")


@router.get("/scorecards/{card_id}", response=ScoreCardDetailOut)
def read_score_card(request: HttpRequest, card_id: int) -> ScoreCard:
    """A score card with each indicator's results round by round."""
    return _detail(_user(request), card_id)


@router.post("/scorecards/{card_id}/scores", response=ScoreCardDetailOut)
def record_scores(request: HttpRequest, card_id: int, payload: ScoresIn) -> ScoreCard:
    """Record a round's scores: a focus group's or a member's, or the provider's own."""
    user = _user(request)
    card = services.score_card_or_404(user, card_id)
    _may_edit(user)
    found = _round(card, payload.round)
    indicators = {i.pk: i for i in card.indicators.all()}
    entries = []
    for score in payload.scores:
        if score.indicator not in indicators:
            raise VoiceError(_("This indicator belongs to another score card."), field="indicator")
        entries.append(ScoreEntry(indicators[score.indicator], score.value, score.reason, score.suggestion))
    if payload.provider:
        services.record_provider_scores(actor=user, round=found, scores=entries, channel=Channel.API)
    else:
        member = None
        if payload.member is not None:
            member = queries.members_for(user).filter(pk=payload.member).first()
            if member is None:
                raise VoiceError(_("Unknown member."), field="member")
        services.record_scores(
            actor=user,
            round=found,
            scores=entries,
            scorer_group=payload.scorer_group or "",
            member=member,
            channel=Channel.API,
        )
    return _detail(user, card.pk)


@router.post("/scorecards", response={201: ScoreCardDetailOut})
def create_score_card(request: HttpRequest, payload: ScoreCardIn) -> ScoreCard:
    """Start a score card on a provider's service, with the indicators the community chose."""
    user = _user(request)
    _may_edit(user)
    organisation = queries.organisation_or_404(user, payload.organisation)
    authority = Authority.objects.filter(pk=payload.authority).first()
    if authority is None:
        raise VoiceError(_("No such authority."), field="authority")
    card = services.create_score_card(
        actor=user,
        organisation=organisation,
        title=payload.title,
        service=payload.service,
        authority=authority,
        scale=payload.scale,
        indicators=[(i.text_en, i.text_bn) for i in payload.indicators],
        channel=Channel.API,
    )
    return _detail(user, card.pk)


@router.post("/scorecards/{card_id}/rounds", response={201: RoundOut})
def start_round(request: HttpRequest, card_id: int, payload: RoundIn) -> Round:
    """Open the next round of scoring."""
    user = _user(request)
    card = services.score_card_or_404(user, card_id)
    _may_edit(user)
    meeting = None
    if payload.interface_meeting is not None:
        meeting = queries.meetings_for(user).filter(pk=payload.interface_meeting).first()
        if meeting is None:
            raise VoiceError(
                _("The interface meeting must be on this organisation's calendar."), field="meeting"
            )
    return services.start_round(
        actor=user, card=card, held_on=payload.held_on, interface_meeting=meeting, channel=Channel.API
    )


@router.post("/scorecards/{card_id}/actions", response={201: PlanActionOut})
def plan_action(request: HttpRequest, card_id: int, payload: PlanActionIn) -> Action:
    """Add a step of the action plan agreed over a round's scores."""
    user = _user(request)
    card = services.score_card_or_404(user, card_id)
    _may_edit(user)
    found = _round(card, payload.round)
    indicator = None
    if payload.indicator is not None:
        indicator = card.indicators.filter(pk=payload.indicator).first()
        if indicator is None:
            raise VoiceError(_("This indicator belongs to another score card."), field="indicator")
    return services.plan_action(
        actor=user,
        round=found,
        what=payload.what,
        owner=payload.owner,
        due_on=payload.due_on,
        indicator=indicator,
        channel=Channel.API,
    )
