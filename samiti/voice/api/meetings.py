"""Meetings in the API: the calendar in scope with attendance and quorum, planning, attendance,
minutes, decisions and follow-up actions.

Reads go through registry.queries (out of scope answers 404); writes through the services with
channel "api", checked and audited like the pages' writes.
"""

import dataclasses
import datetime
from typing import Literal

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.models import Channel
from samiti.registry import queries
from samiti.registry import services as registry
from samiti.registry.models import Authority, Meeting, Member, User
from samiti.voice.errors import VoiceError
from samiti.voice.models import AgendaItem, Decision, FollowUpAction, Minutes
from samiti.voice.services import meetings as services
from samiti.voice.services.demands import demands_for
from samiti.voice.services.polls import polls_for

router = Router(tags=["meetings"])

KindCode = Literal[tuple(Meeting.Kind.values)]
StatusCode = Literal[tuple(Meeting.Status.values)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _may_edit(user: User) -> None:
    if not user.can_edit:
        raise VoiceError(_("Your role may read records but not change them."), code="forbidden")


class QuorumOut(Schema):
    applies: bool = Field(description="False for public meetings (ward shava, open budget, with officials).")
    eligible: int
    present: int
    percent: int
    required: int
    met: bool


class AttendanceCounts(Schema):
    total: int
    women: int
    men: int
    third_gender: int


class MeetingOut(Schema):
    id: int
    organisation: int
    kind: KindCode
    title: str
    starts_at: datetime.datetime
    place: str
    authority: int | None
    status: StatusCode
    members_present: int
    officials_present: int

    @staticmethod
    def resolve_organisation(meeting: Meeting) -> int:
        return meeting.organisation_id

    @staticmethod
    def resolve_authority(meeting: Meeting) -> int | None:
        return meeting.authority_id

    @staticmethod
    def resolve_members_present(meeting: Meeting) -> int:
        return meeting.members_present

    @staticmethod
    def resolve_officials_present(meeting: Meeting) -> int:
        return meeting.guests_present


class AgendaItemOut(Schema):
    position: int
    title: str
    minutes: str


class MeetingDetailOut(MeetingOut):
    quorum: QuorumOut
    attendance: AttendanceCounts
    agenda: list[AgendaItemOut]
    minutes: str

    @staticmethod
    def resolve_quorum(meeting: Meeting) -> dict:
        return meeting.quorum_found

    @staticmethod
    def resolve_attendance(meeting: Meeting) -> dict:
        return meeting.counts

    @staticmethod
    def resolve_agenda(meeting: Meeting) -> list[dict]:
        return meeting.agenda_rows

    @staticmethod
    def resolve_minutes(meeting: Meeting) -> str:
        return meeting.minutes_text


class MeetingFilters(Schema):
    organisation: int | None = None
    kind: KindCode | None = None
    since: datetime.date | None = Field(None, description="Meetings on or after this day.")
    until: datetime.date | None = Field(None, description="Meetings on or before this day.")


class MeetingIn(Schema):
    organisation: int
    kind: KindCode
    starts_at: datetime.datetime
    title: str = Field("", max_length=200)
    place: str = Field("", max_length=200)
    authority: int | None = None
    agenda: list[str] = Field(default_factory=list, description="Agenda items in order.")


class GuestIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    post: str = Field("", max_length=100)
    official: int | None = Field(None, description="The registry official, when the guest is one.")


class AttendanceIn(Schema):
    members: list[int] = Field(description="Ids of the members present; replaces any earlier list.")
    officials: list[GuestIn] = Field(default_factory=list)


class MinutesIn(Schema):
    text: str = Field(description="The minutes; writing again replaces them, an empty text removes them.")
    agenda_item: int | None = Field(
        None, description="Position of the agenda item they are of; none for the whole meeting."
    )


class DecisionIn(Schema):
    text: str = Field(min_length=1)
    agenda_item: int | None = Field(None, description="Position of the agenda item it was taken on.")
    demand: int | None = Field(None, description="The demand it concerns.")
    poll: int | None = Field(None, description="The poll it concerns.")


class DecisionOut(Schema):
    id: int
    meeting: int
    text: str
    agenda_item: int | None = Field(description="Position of the agenda item.")
    demand: int | None
    poll: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_meeting(decision: Decision) -> int:
        return decision.meeting_id

    @staticmethod
    def resolve_agenda_item(decision: Decision) -> int | None:
        return decision.agenda_item.position if decision.agenda_item_id else None

    @staticmethod
    def resolve_demand(decision: Decision) -> int | None:
        return decision.demand_id

    @staticmethod
    def resolve_poll(decision: Decision) -> int | None:
        return decision.poll_id


class ActionIn(Schema):
    what: str = Field(min_length=1, max_length=300)
    owner_member: int | None = Field(None, description="The member responsible.")
    owner_name: str = Field("", max_length=150, description="Or the person responsible, by name.")
    due_on: datetime.date | None = None
    decision: int | None = Field(None, description="The decision of this meeting it follows.")


class ActionDoneIn(Schema):
    done_on: datetime.date | None = Field(None, description="Today when not given.")


class ActionOut(Schema):
    id: int
    meeting: int
    decision: int | None
    what: str
    owner_member: int | None
    owner: str
    due_on: datetime.date | None
    done_on: datetime.date | None
    overdue: bool

    @staticmethod
    def resolve_meeting(action: FollowUpAction) -> int:
        return action.meeting_id

    @staticmethod
    def resolve_decision(action: FollowUpAction) -> int | None:
        return action.decision_id

    @staticmethod
    def resolve_owner_member(action: FollowUpAction) -> int | None:
        return action.owner_member_id

    @staticmethod
    def resolve_overdue(action: FollowUpAction) -> bool:
        return action.is_overdue()


def _annotated(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.annotate(
        members_present=Count("attendance", distinct=True),
        guests_present=Count("officials_present", distinct=True),
    )


def _detail(user: User, pk: int) -> Meeting:
    """The meeting with what the detail schema reads: quorum, counts, agenda and minutes."""
    meeting = _annotated(queries.meetings_for(user).filter(pk=pk)).first()
    if meeting is None:
        raise Http404
    found = services.meeting_quorum(meeting)
    meeting.quorum_found = {**dataclasses.asdict(found), "met": found.met}
    meeting.counts = services.attendance_breakdown(meeting)
    meeting.agenda_rows = list(meeting.agenda_items.values("position", "title", "minutes"))
    meeting.minutes_text = (
        Minutes.objects.filter(meeting=meeting).values_list("text", flat=True).first() or ""
    )
    return meeting


@router.get("/meetings", response=list[MeetingOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> QuerySet[Meeting]:
    """Meetings of the organisations in the account's scope, newest first, with attendance counts."""
    found = queries.meetings_for(_user(request))
    if filters.organisation is not None:
        found = found.filter(organisation_id=filters.organisation)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.since:
        found = found.filter(starts_at__date__gte=filters.since)
    if filters.until:
        found = found.filter(starts_at__date__lte=filters.until)
    return _annotated(found).order_by("-starts_at", "-id")


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def read_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    """One meeting with its quorum, who came (by sex), agenda and minutes."""
    return _detail(_user(request), meeting_id)


@router.post("/meetings", response={201: MeetingDetailOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Meeting:
    """Plan a meeting with its agenda."""
    user = _user(request)
    _may_edit(user)
    organisation = queries.organisation_or_404(user, payload.organisation)
    authority = None
    if payload.authority is not None:
        authority = Authority.objects.filter(pk=payload.authority).first()
        if authority is None:
            raise VoiceError(_("No such authority."), field="authority")
    meeting = services.plan_meeting(
        actor=user,
        organisation=organisation,
        kind=payload.kind,
        starts_at=payload.starts_at,
        title=payload.title,
        place=payload.place,
        authority=authority,
        agenda=payload.agenda,
        channel=Channel.API,
    )
    return _detail(user, meeting.pk)


@router.put("/meetings/{meeting_id}/attendance", response=MeetingDetailOut)
def record_attendance(request: HttpRequest, meeting_id: int, payload: AttendanceIn) -> Meeting:
    """Record who was present; the meeting is then held. Sending again replaces the lists."""
    user = _user(request)
    meeting = queries.meeting_or_404(user, meeting_id)
    _may_edit(user)
    ids = set(payload.members)
    members = list(queries.members_for(user).filter(pk__in=ids))
    unknown = ids - {m.pk for m in members}
    if unknown:
        raise VoiceError(
            _("Unknown members: %(ids)s.") % {"ids": ", ".join(str(i) for i in sorted(unknown)[:10])},
            field="members",
        )
    officials = []
    known = {o.pk: o for o in meeting.authority.officials.all()} if meeting.authority_id else {}
    for guest in payload.officials:
        if guest.official is not None and guest.official not in known:
            raise VoiceError(_("This official does not belong to the meeting's authority."), field="official")
        officials.append((guest.name, guest.post, known.get(guest.official)))
    try:
        registry.record_attendance(
            actor=user, meeting=meeting, members=members, officials=officials, channel=Channel.API
        )
    except registry.RegistryError as error:
        raise VoiceError(error.message, code=error.code, field=error.field) from None
    return _detail(user, meeting.pk)


def _agenda_item(meeting: Meeting, position: int | None) -> AgendaItem | None:
    if position is None:
        return None
    item = meeting.agenda_items.filter(position=position).first()
    if item is None:
        raise VoiceError(_("This meeting has no agenda item at that position."), field="agenda_item")
    return item


@router.post("/meetings/{meeting_id}/minutes", response=MeetingDetailOut)
def record_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> Meeting:
    """Write the minutes of the meeting, or of one agenda item; writing again replaces them."""
    user = _user(request)
    meeting = queries.meeting_or_404(user, meeting_id)
    _may_edit(user)
    services.record_minutes(
        actor=user,
        meeting=meeting,
        text=payload.text,
        agenda_item=_agenda_item(meeting, payload.agenda_item),
        channel=Channel.API,
    )
    return _detail(user, meeting.pk)


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut})
def record_decision(request: HttpRequest, meeting_id: int, payload: DecisionIn) -> Decision:
    """Record what the meeting decided, and the demand or poll it concerns."""
    user = _user(request)
    meeting = queries.meeting_or_404(user, meeting_id)
    _may_edit(user)
    demand = poll = None
    if payload.demand is not None:
        demand = demands_for(user).filter(pk=payload.demand).first()
        if demand is None:
            raise VoiceError(_("This demand is not one you may see."), field="demand")
    if payload.poll is not None:
        poll = polls_for(user).filter(pk=payload.poll).first()
        if poll is None:
            raise VoiceError(_("This poll is not one you may see."), field="poll")
    return services.record_decision(
        actor=user,
        meeting=meeting,
        text=payload.text,
        agenda_item=_agenda_item(meeting, payload.agenda_item),
        demand=demand,
        poll=poll,
        channel=Channel.API,
    )


@router.post("/meetings/{meeting_id}/actions", response={201: ActionOut})
def add_action(request: HttpRequest, meeting_id: int, payload: ActionIn) -> FollowUpAction:
    """Record a follow-up action: what, who (a member, or another person by name), by when."""
    user = _user(request)
    meeting = queries.meeting_or_404(user, meeting_id)
    _may_edit(user)
    owner: Member | None = None
    if payload.owner_member is not None:
        owner = queries.members_for(user).filter(pk=payload.owner_member).first()
        if owner is None:
            raise VoiceError(_("No such member."), field="owner_member")
    decision = None
    if payload.decision is not None:
        decision = meeting.decisions.filter(pk=payload.decision).first()
        if decision is None:
            raise VoiceError(_("This decision belongs to another meeting."), field="decision")
    return services.add_action(
        actor=user,
        meeting=meeting,
        what=payload.what,
        owner_member=owner,
        owner_name=payload.owner_name,
        due_on=payload.due_on,
        decision=decision,
        channel=Channel.API,
    )


@router.post("/actions/{action_id}/done", response=ActionOut)
def complete_action(request: HttpRequest, action_id: int, payload: ActionDoneIn) -> FollowUpAction:
    """Mark a follow-up action done, today unless another day is given."""
    user = _user(request)
    action = services.action_or_404(user, action_id)
    _may_edit(user)
    return services.complete_action(actor=user, action=action, done_on=payload.done_on, channel=Channel.API)
