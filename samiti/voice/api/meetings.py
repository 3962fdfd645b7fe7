"""Meetings in the API: the calendar in scope with attendance and quorum, planning, attendance.

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
from samiti.registry.models import Authority, Meeting, User
from samiti.voice.errors import VoiceError
from samiti.voice.models import Minutes
from samiti.voice.services import meetings as services

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
