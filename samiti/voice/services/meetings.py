"""Meetings: planning with an agenda, the quorum rule, attendance by who came, minutes, decisions
and follow-up actions. The meeting and its attendance are the registry's; the rest is voice's."""

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry import services as registry
from samiti.registry.models import CommitteeOffice, Meeting, Member, Organisation, User
from samiti.voice.errors import VoiceError
from samiti.voice.models import AgendaItem, Decision, Demand, FollowUpAction, Minutes, Poll
from samiti.voice.services.demands import demands_for
from samiti.voice.services.polls import polls_for

# Meetings the organisation holds to decide for itself, so its by-laws' quorum applies. A ward
# shava, an open budget meeting or a meeting with officials is someone else's meeting.
QUORUM_KINDS = {
    Meeting.Kind.GROUP,
    Meeting.Kind.COMMITTEE,
    Meeting.Kind.GENERAL_ASSEMBLY,
    Meeting.Kind.SAVINGS,
    Meeting.Kind.OTHER,
}

# A pasted attendance list longer than this is a mistake (the largest association has fewer).
MAX_NUMBER_LINES = 5000

AGE_BANDS = [("under18", 0, 17), ("18_35", 18, 35), ("36_59", 36, 59), ("60plus", 60, 200)]


# ----- reads -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Quorum:
    """Whether enough of those entitled to take part were present."""

    applies: bool
    eligible: int
    present: int
    percent: int
    required: int

    @property
    def met(self) -> bool:
        return self.applies and self.eligible > 0 and self.present >= self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.present, 0)


def quorum(*, present: int, eligible: int, percent: int) -> Quorum:
    """The quorum rule: at least `percent` per cent of the eligible, rounded up, and at least one."""
    if not 1 <= percent <= 100:
        raise ValueError(f"quorum percent out of range: {percent}")
    if present < 0 or eligible < 0:
        raise ValueError("counts cannot be negative")
    required = max(-(-eligible * percent // 100), 1)
    return Quorum(applies=True, eligible=eligible, present=present, percent=percent, required=required)


def eligible_members(meeting: Meeting) -> QuerySet[Member]:
    """Who counts towards the quorum: the committee's office holders on the day for a committee
    meeting, every active member of the organisation otherwise."""
    if meeting.kind == Meeting.Kind.COMMITTEE:
        day = timezone.localdate(meeting.starts_at)
        holders = CommitteeOffice.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
            organisation=meeting.organisation,
            started_on__lte=day,
        ).values("member_id")
        return Member.objects.filter(pk__in=holders)
    return queries.active_members(meeting.organisation)


def meeting_quorum(meeting: Meeting) -> Quorum:
    """The quorum of a meeting against its organisation's by-laws (see QUORUM_KINDS)."""
    percent = queries.by_laws(meeting.organisation).quorum_percent
    eligible = eligible_members(meeting)
    present = meeting.attendance.filter(member__in=eligible.values("pk")).count()
    result = quorum(present=present, eligible=eligible.count(), percent=percent)
    if meeting.kind not in QUORUM_KINDS:
        return dataclasses.replace(result, applies=False)
    return result


def breakdown(members: QuerySet[Member], *, today: datetime.date | None = None) -> dict[str, int]:
    """Count members by sex, age band, ethnicity and disability in one aggregate query.

    Keys: total, women, men, third_gender, under18, 18_35, 36_59, 60plus, age_unknown,
    ethnic_minority, disability (each member counted once in each dimension).
    """
    year = (today or timezone.localdate()).year
    counts: dict[str, Any] = {
        "total": Count("pk"),
        "women": Count("pk", filter=Q(sex="F")),
        "men": Count("pk", filter=Q(sex="M")),
        "third_gender": Count("pk", filter=Q(sex="T")),
        "age_unknown": Count("pk", filter=Q(birth_year__isnull=True)),
        "ethnic_minority": Count("pk", filter=Q(is_ethnic_minority=True)),
        "disability": Count("pk", filter=Q(has_disability=True)),
    }
    for band, youngest, oldest in AGE_BANDS:
        counts[band] = Count("pk", filter=Q(birth_year__gte=year - oldest, birth_year__lte=year - youngest))
    return members.order_by().aggregate(**counts)


def attendance_breakdown(meeting: Meeting) -> dict[str, int]:
    day = timezone.localdate(meeting.starts_at)
    return breakdown(Member.objects.filter(attendance__meeting=meeting), today=day)


def actions_for(user: User) -> QuerySet[FollowUpAction]:
    """Follow-up actions of the meetings `user` may see."""
    return FollowUpAction.objects.filter(meeting__in=queries.meetings_for(user))


def action_or_404(user: User, pk: int) -> FollowUpAction:
    action = actions_for(user).select_related("meeting__organisation").filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


# ----- writes ------------------------------------------------------------------------------------


def _association_of(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    return None


def _check_scope(actor: User | None, organisation: Organisation) -> None:
    if actor is None:
        return
    if not actor.can_edit or not queries.organisations_for(actor).filter(pk=organisation.pk).exists():
        raise VoiceError(_("You may not change records of this organisation."), code="forbidden")


def _record(actor: User | None, action: str, obj: Any, changes: dict, channel: str, meeting: Meeting) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        channel=channel,
        association_id=_association_of(meeting.organisation),
    )


def _clean_titles(agenda: Iterable[str]) -> list[str]:
    titles = [t.strip() for t in agenda if t and t.strip()]
    too_long = [t for t in titles if len(t) > 300]
    if too_long:
        raise VoiceError(_("An agenda item is at most 300 characters long."), field="agenda")
    return titles


@dataclasses.dataclass(frozen=True)
class BadLine:
    """One line of pasted member numbers that names nobody who may be recorded present."""

    line: int
    number: str
    reason: str

    def __str__(self) -> str:
        return str(_("Line %(line)s (%(number)s): %(reason)s") % dataclasses.asdict(self))


class BadLinesError(VoiceError):
    """Some pasted lines were wrong; `lines` says which and why. Nothing was recorded."""

    def __init__(self, lines: list[BadLine]):
        header = _("Some member numbers are wrong, so nothing was recorded. Correct these lines:")
        super().__init__(" ".join([str(header), *(str(b) for b in lines)]), field="numbers")
        self.header = header
        self.lines = lines


def members_by_number(*, actor: User | None, organisation: Organisation, text: str) -> list[Member]:
    """The members named by pasted member numbers, one per line (Bengali digits allowed).

    A line may carry the member's name after the number. Blank lines and repeats are skipped.
    Every line naming nobody in `actor`'s scope, or somebody not an active member of
    `organisation`, is reported with its line number in one BadLinesError.
    """
    lines = queries.members_by_number(actor, text)
    if len(lines) > MAX_NUMBER_LINES:
        raise VoiceError(
            _("Paste at most %(max)s member numbers at a time.") % {"max": MAX_NUMBER_LINES}, field="numbers"
        )
    found: dict[int, Member] = {}
    bad = []
    for line in lines:
        member = line.member
        if member is None:
            bad.append(BadLine(line.line, line.code, str(_("no member has this number"))))
        elif not queries.belongs_to(member, organisation):
            reason = _("a member of another organisation, not of %(organisation)s")
            bad.append(BadLine(line.line, line.code, str(reason % {"organisation": organisation})))
        elif not member.is_active:
            bad.append(BadLine(line.line, line.code, str(_("this member has left"))))
        else:
            found.setdefault(member.pk, member)
    if bad:
        raise BadLinesError(bad)
    return list(found.values())


@transaction.atomic
def record_attendance(
    *,
    actor: User | None,
    meeting: Meeting,
    members: Iterable[Member] = (),
    numbers: str = "",
    officials: Iterable[tuple[str, str, Any]] = (),
    channel: str = Channel.WEB,
) -> Meeting:
    """Record who was present: the members given and those whose numbers were pasted, one per
    line. When any pasted line is wrong nothing is recorded. Recording again replaces the lists."""
    _check_scope(actor, meeting.organisation)
    pasted = members_by_number(actor=actor, organisation=meeting.organisation, text=numbers)
    try:
        return registry.record_attendance(
            actor=actor, meeting=meeting, members=[*members, *pasted], officials=officials, channel=channel
        )
    except registry.RegistryError as error:
        raise VoiceError(error.message, code=error.code, field=error.field) from None


@transaction.atomic
def plan_meeting(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    starts_at: datetime.datetime,
    title: str = "",
    place: str = "",
    authority: Any = None,
    agenda: Sequence[str] = (),
    channel: str = Channel.WEB,
) -> Meeting:
    """Put a meeting on the organisation's calendar with its agenda, in one step."""
    _check_scope(actor, organisation)
    titles = _clean_titles(agenda)
    try:
        meeting = registry.plan_meeting(
            actor=actor,
            organisation=organisation,
            kind=kind,
            starts_at=starts_at,
            title=title,
            place=place,
            authority=authority,
            channel=channel,
        )
    except registry.RegistryError as error:
        raise VoiceError(error.message, code=error.code, field=error.field) from None
    items = AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, position=n, title=t) for n, t in enumerate(titles, start=1)]
    )
    for item in items:
        _record(actor, AuditEvent.Action.CREATE, item, {"title": [None, item.title]}, channel, meeting)
    return meeting


@transaction.atomic
def add_agenda_item(
    *, actor: User | None, meeting: Meeting, title: str, channel: str = Channel.WEB
) -> AgendaItem:
    """Add a point at the end of a meeting's agenda."""
    _check_scope(actor, meeting.organisation)
    titles = _clean_titles([title])
    if not titles:
        raise VoiceError(_("Write the agenda item."), field="title")
    last = meeting.agenda_items.order_by("-position").values_list("position", flat=True).first() or 0
    item = AgendaItem.objects.create(meeting=meeting, position=last + 1, title=titles[0])
    _record(actor, AuditEvent.Action.CREATE, item, {"title": [None, item.title]}, channel, meeting)
    return item


@transaction.atomic
def remove_agenda_item(*, actor: User | None, item: AgendaItem, channel: str = Channel.WEB) -> None:
    """Take a point off the agenda; the points after it move up."""
    meeting = item.meeting
    _check_scope(actor, meeting.organisation)
    if item.minutes or item.decisions.exists():
        raise VoiceError(_("This agenda item has minutes or decisions; it stays."), field="agenda_item")
    _record(actor, AuditEvent.Action.DELETE, item, {"title": [item.title, None]}, channel, meeting)
    position = item.position
    item.delete()
    # One by one, in order, so the (meeting, position) constraint never sees two items at a place.
    for later in meeting.agenda_items.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])


@transaction.atomic
def record_minutes(
    *,
    actor: User | None,
    meeting: Meeting,
    text: str,
    agenda_item: AgendaItem | None = None,
    channel: str = Channel.WEB,
) -> Meeting:
    """Write the minutes of the whole meeting, or of one agenda item; writing again replaces them."""
    _check_scope(actor, meeting.organisation)
    if meeting.status == Meeting.Status.CANCELLED:
        raise VoiceError(_("This meeting was cancelled; it has no minutes."), field="text")
    text = text.strip()
    if agenda_item is not None:
        if agenda_item.meeting_id != meeting.pk:
            raise VoiceError(_("This agenda item belongs to another meeting."), field="agenda_item")
        before = agenda_item.minutes
        agenda_item.minutes = text
        agenda_item.save(update_fields=["minutes"])
        target: Any = agenda_item
    else:
        minutes = Minutes.objects.filter(meeting=meeting).first()
        before = minutes.text if minutes else ""
        if not text:
            if minutes:
                minutes.delete()
            target = meeting
        else:
            minutes = minutes or Minutes(meeting=meeting)
            minutes.text = text
            minutes.save()
            target = minutes
    if before != text:
        action = AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE
        _record(actor, action, target, {"minutes": [before or None, text or None]}, channel, meeting)
    return meeting


def _check_link(actor: User | None, demand: Demand | None, poll: Poll | None) -> None:
    """A decision may name only a demand and a poll its recorder may see."""
    if actor is None:
        return
    if demand is not None and not demands_for(actor).filter(pk=demand.pk).exists():
        raise VoiceError(_("This demand is not one you may see."), field="demand")
    if poll is not None and not polls_for(actor).filter(pk=poll.pk).exists():
        raise VoiceError(_("This poll is not one you may see."), field="poll")


@transaction.atomic
def record_decision(
    *,
    actor: User | None,
    meeting: Meeting,
    text: str,
    agenda_item: AgendaItem | None = None,
    demand: Demand | None = None,
    poll: Poll | None = None,
    channel: str = Channel.WEB,
) -> Decision:
    """Record what the meeting decided, and the demand or poll it concerns."""
    _check_scope(actor, meeting.organisation)
    text = text.strip()
    if not text:
        raise VoiceError(_("Write what was decided."), field="text")
    if meeting.status == Meeting.Status.CANCELLED:
        raise VoiceError(_("This meeting was cancelled; it decided nothing."), field="text")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise VoiceError(_("This agenda item belongs to another meeting."), field="agenda_item")
    _check_link(actor, demand, poll)
    decision = Decision.objects.create(
        meeting=meeting, agenda_item=agenda_item, text=text, demand=demand, poll=poll
    )
    changes = audit.created(decision, ["text", "agenda_item", "demand", "poll"])
    _record(actor, AuditEvent.Action.CREATE, decision, changes, channel, meeting)
    return decision


@transaction.atomic
def add_action(
    *,
    actor: User | None,
    meeting: Meeting,
    what: str,
    owner_member: Member | None = None,
    owner_name: str = "",
    due_on: datetime.date | None = None,
    decision: Decision | None = None,
    channel: str = Channel.WEB,
) -> FollowUpAction:
    """Record a follow-up action: what, who (a member, or another person by name), by when."""
    _check_scope(actor, meeting.organisation)
    what, owner_name = what.strip(), owner_name.strip()
    if not what:
        raise VoiceError(_("Write what is to be done."), field="what")
    if len(what) > 300:
        raise VoiceError(_("Say what is to be done in at most 300 characters."), field="what")
    if owner_member is None and not owner_name:
        raise VoiceError(_("Name who will do it: a member or another person."), field="owner_name")
    if len(owner_name) > 150:
        raise VoiceError(_("A name is at most 150 characters long."), field="owner_name")
    if owner_member is not None and not queries.belongs_to(owner_member, meeting.organisation):
        raise VoiceError(
            _("%(member)s is not a member of %(organisation)s.")
            % {"member": owner_member, "organisation": meeting.organisation},
            field="owner_member",
        )
    if decision is not None and decision.meeting_id != meeting.pk:
        raise VoiceError(_("This decision belongs to another meeting."), field="decision")
    if due_on is not None and due_on < timezone.localdate(meeting.starts_at):
        raise VoiceError(_("An action cannot be due before its meeting."), field="due_on")
    action = FollowUpAction.objects.create(
        meeting=meeting,
        decision=decision,
        what=what,
        owner_member=owner_member,
        owner_name="" if owner_member else owner_name,
        due_on=due_on,
    )
    changes = audit.created(action, ["what", "owner_member", "owner_name", "due_on", "decision"])
    _record(actor, AuditEvent.Action.CREATE, action, changes, channel, meeting)
    return action


@transaction.atomic
def complete_action(
    *,
    actor: User | None,
    action: FollowUpAction,
    done_on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> FollowUpAction:
    """Mark an action done, on `done_on` (today by default)."""
    meeting = action.meeting
    _check_scope(actor, meeting.organisation)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise VoiceError(_("An action cannot be done in the future."), field="done_on")
    if done_on < timezone.localdate(meeting.starts_at):
        raise VoiceError(_("An action cannot be done before its meeting."), field="done_on")
    before = action.done_on
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    changes = {"done_on": [before.isoformat() if before else None, done_on.isoformat()]}
    _record(actor, AuditEvent.Action.UPDATE, action, changes, channel, meeting)
    return action
