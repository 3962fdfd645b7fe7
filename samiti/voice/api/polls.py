"""The polls API: list, read, draft, open and close polls, cast a member's vote, read results;
scoped like the pages.

Writes go through the services with channel "api", checked and audited like any other write; an
organisation, a meeting or a poll outside the account's scope answers 404. A secret poll's results
answer 400 with code "hidden" until the poll closes.
"""

import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.models import Channel
from samiti.registry.models import User
from samiti.registry.queries import meeting_or_404, member_or_404, organisation_or_404
from samiti.voice.errors import VoiceError
from samiti.voice.models.polls import Option, Poll
from samiti.voice.services import polls as service

router = Router(tags=["polls"])

PAGE_SIZE = 50

StatusCode = Literal[tuple(Poll.Status.values)]
KindCode = Literal[tuple(Poll.Kind.values)]
MajorityCode = Literal[tuple(Poll.Majority.values)]
CountingCode = Literal[tuple(Poll.Counting.values)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _may_edit(user: User) -> None:
    if not user.can_edit:
        raise VoiceError(_("Your role may read records but not change them."), code="forbidden")


class OptionOut(Schema):
    id: int
    position: int
    label: str
    demand: int | None

    @staticmethod
    def resolve_label(option: Option) -> str:
        return option.display_label

    @staticmethod
    def resolve_demand(option: Option) -> int | None:
        return option.demand_id


class PollOut(Schema):
    id: int
    organisation: int
    question: str
    details: str
    kind: str
    secret: bool
    status: str
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    quorum_percent: int
    majority: str
    counting: str
    meeting: int | None
    eligible: int = Field(description="Members on the register (fixed when the poll opened).")
    options: list[OptionOut]

    @staticmethod
    def resolve_organisation(poll: Poll) -> int:
        return poll.organisation_id

    @staticmethod
    def resolve_meeting(poll: Poll) -> int | None:
        return poll.meeting_id

    @staticmethod
    def resolve_options(poll: Poll) -> list[Option]:
        return sorted(poll.options.all(), key=lambda o: o.position)


class PollFilter(Schema):
    status: StatusCode | None = None
    organisation: int | None = None


@router.get("/polls", response=list[PollOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_polls(request: HttpRequest, filters: Query[PollFilter]):
    polls = service.polls_for(_user(request)).prefetch_related("options").order_by("-created_at", "-pk")
    if filters.status:
        polls = polls.filter(status=filters.status)
    if filters.organisation:
        polls = polls.filter(organisation_id=filters.organisation)
    return polls


@router.get("/polls/{poll_id}", response=PollOut)
def read_poll(request: HttpRequest, poll_id: int):
    return service.poll_or_404(_user(request), poll_id)


class PollIn(Schema):
    organisation: int = Field(description="Id of the group, association or federation whose members vote.")
    question: str = Field(max_length=300)
    details: str = ""
    kind: KindCode = Poll.Kind.YES_NO
    options: list[str] = Field(
        default_factory=list, description="The options' labels in order; a yes/no poll makes its own."
    )
    secret: bool = False
    quorum_percent: int | None = Field(
        None, description="Per cent of eligible members; the organisation's by-laws if left out."
    )
    majority: MajorityCode | None = Field(
        None, description="Simple majority if left out (plurality for a ranking)."
    )
    counting: CountingCode | None = Field(None, description="Only for a ranking: Borda if left out.")
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    meeting: int | None = Field(None, description="Id of the meeting the poll is put to.")


@router.post("/polls", response={201: PollOut})
def create_poll(request: HttpRequest, payload: PollIn):
    """Draft a poll; the same rules as the page apply. Open it when members may vote."""
    user = _user(request)
    _may_edit(user)
    organisation = organisation_or_404(user, payload.organisation)
    meeting = meeting_or_404(user, payload.meeting) if payload.meeting is not None else None
    poll = service.create_poll(
        actor=user,
        organisation=organisation,
        question=payload.question,
        details=payload.details,
        kind=payload.kind,
        options=payload.options,
        secret=payload.secret,
        quorum_percent=payload.quorum_percent,
        majority=payload.majority,
        counting=payload.counting,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        meeting=meeting,
        channel=Channel.API,
    )
    return Status(201, service.poll_or_404(user, poll.pk))


@router.post("/polls/{poll_id}/open", response=PollOut)
def open_poll(request: HttpRequest, poll_id: int):
    """Open a draft poll: its register is fixed to the organisation's active members now."""
    user = _user(request)
    poll = service.poll_or_404(user, poll_id)
    _may_edit(user)
    service.open_poll(actor=user, poll=poll, channel=Channel.API)
    return service.poll_or_404(user, poll.pk)


@router.post("/polls/{poll_id}/close", response=PollOut)
def close_poll(request: HttpRequest, poll_id: int):
    """Close an open poll: no more votes, and a secret poll's results can be read."""
    user = _user(request)
    poll = service.poll_or_404(user, poll_id)
    _may_edit(user)
    service.close_poll(actor=user, poll=poll, channel=Channel.API)
    return service.poll_or_404(user, poll.pk)


class VoteIn(Schema):
    member: int = Field(description="Id of the member who votes.")
    choice: int | list[int] = Field(
        description="Option id; for approval the ids approved; for ranking the ids in order of preference."
    )


class VoteOut(Schema):
    poll: int
    member: int
    voted: bool


@router.post("/polls/{poll_id}/votes", response={201: VoteOut})
def cast_vote(request: HttpRequest, poll_id: int, payload: VoteIn):
    """Record a member's vote (recorded by the account, through the API channel)."""
    user = _user(request)
    _may_edit(user)
    poll = service.poll_or_404(user, poll_id)
    member = member_or_404(user, payload.member)
    ids = payload.choice if isinstance(payload.choice, list) else [payload.choice]
    by_id = {o.pk: o for o in poll.options.all()}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise VoiceError(_("That is not an option of this poll."), code="invalid", field="choice")
    choice = [by_id[i] for i in ids]
    service.cast_vote(poll=poll, member=member, choice=choice, channel=Channel.API, actor=user)
    return Status(201, {"poll": poll.pk, "member": member.pk, "voted": True})


class TurnoutOut(Schema):
    key: str
    label: str
    eligible: int
    voted: int


class RoundOut(Schema):
    votes: dict[int, int] = Field(description="Votes per option id still in the count.")
    exhausted: int
    eliminated: int | None
    tie_broken_by: str


class ResultOut(Schema):
    poll: int
    status: str
    eligible: int
    turnout: int
    quorum_percent: int
    quorum_met: bool
    decided: bool
    valid: int
    counts: dict[int, int] = Field(
        description="Per option id: votes, approvals, Borda points, or the final round of an instant runoff."
    )
    winner_ids: list[int]
    rounds: list[RoundOut]
    tie: bool
    note: str
    turnout_by_sex: list[TurnoutOut]
    turnout_by_age: list[TurnoutOut]
    turnout_by_ethnicity: list[TurnoutOut] | None = Field(
        description="Only for roles that see sensitive data."
    )
    turnout_by_disability: list[TurnoutOut] | None = Field(
        description="Only for roles that see sensitive data."
    )


@router.get("/polls/{poll_id}/results", response=ResultOut)
def poll_results(request: HttpRequest, poll_id: int):
    """The count; a secret poll answers code "hidden" until it closes."""
    user = _user(request)
    poll = service.poll_or_404(user, poll_id)
    result = service.results(poll)
    sensitive = user.sees_sensitive
    return {
        "poll": poll.pk,
        "status": poll.status,
        "eligible": result.eligible,
        "turnout": result.turnout,
        "quorum_percent": poll.quorum_percent,
        "quorum_met": result.quorum_met,
        "decided": result.decided,
        "valid": result.valid,
        "counts": result.counts,
        "winner_ids": result.winner_ids,
        "rounds": result.rounds,
        "tie": result.tie,
        "note": result.note,
        "turnout_by_sex": [t.__dict__ for t in result.by_sex],
        "turnout_by_age": [t.__dict__ for t in result.by_age],
        "turnout_by_ethnicity": [t.__dict__ for t in result.by_ethnicity] if sensitive else None,
        "turnout_by_disability": [t.__dict__ for t in result.by_disability] if sensitive else None,
    }
