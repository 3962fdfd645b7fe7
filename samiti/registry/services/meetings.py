"""An organisation's meetings: planning them and recording who attended."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit, bulk
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import (
    Attendance,
    Meeting,
    Member,
    Official,
    OfficialAttendance,
    Organisation,
    User,
)
from samiti.registry.queries import active_members, belongs_to
from samiti.registry.services._common import RegistryError, _association_of, _check_scope, _full_clean

MEETING_FIELDS = ["organisation", "kind", "title", "starts_at", "place", "authority", "status"]


@transaction.atomic
def plan_meeting(
    *, actor: User | None, organisation: Organisation, channel: str = Channel.WEB, **fields: Any
) -> Meeting:
    """Put a meeting on an organisation's calendar."""
    _check_scope(actor, organisation)
    meeting = Meeting(organisation=organisation, **fields)
    _full_clean(meeting)
    meeting.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=meeting,
        changes=audit.created(meeting, MEETING_FIELDS),
        channel=channel,
        association_id=_association_of(organisation),
    )
    return meeting


@transaction.atomic
def hold_meeting(
    *,
    actor: User | None,
    organisation: Organisation,
    member_ids: Iterable[int],
    channel: str = Channel.WEB,
    **fields: Any,
) -> Meeting:
    """Put a meeting already held on the calendar with the members present, in one write.

    For records made after the fact at every meeting (a savings group's), where planning it and
    then recording attendance would cost twice the statements.
    """
    _check_scope(actor, organisation)
    ids = list(dict.fromkeys(member_ids))
    if ids and active_members(organisation).filter(pk__in=ids).count() != len(ids):
        members = Member.objects.filter(pk__in=ids)
        outsiders = sorted(m.code for m in members if not belongs_to(m, organisation) or not m.is_active)
        raise RegistryError(
            _("Not members of %(organisation)s: %(codes)s.")
            % {"organisation": organisation, "codes": ", ".join(outsiders[:10]) or "?"},
            field="members",
        )
    meeting = Meeting(organisation=organisation, status=Meeting.Status.HELD, **fields)
    _full_clean(meeting, exclude=["organisation"])
    meeting.save()
    bulk.insert_rows(Attendance._meta.db_table, ["meeting_id", "member_id"], [(meeting.pk, m) for m in ids])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=meeting,
        changes={**audit.created(meeting, MEETING_FIELDS), "attendance": [None, len(ids)]},
        channel=channel,
        association_id=_association_of(organisation),
    )
    return meeting


@transaction.atomic
def update_meeting(
    *, actor: User | None, meeting: Meeting, channel: str = Channel.WEB, **changes: Any
) -> Meeting:
    _check_scope(actor, meeting.organisation)
    if "organisation" in changes:
        raise RegistryError(_("A meeting stays on its organisation's calendar."), field="organisation")
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for name, value in changes.items():
        setattr(meeting, name, value)
    _full_clean(meeting)
    meeting.save()
    changed = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    if changed:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=meeting,
            changes=changed,
            channel=channel,
            association_id=_association_of(meeting.organisation),
        )
    return meeting


@transaction.atomic
def record_attendance(
    *,
    actor: User | None,
    meeting: Meeting,
    members: Iterable[Member],
    officials: Iterable[tuple[str, str, Official | None]] = (),
    channel: str = Channel.WEB,
) -> Meeting:
    """Record who was present (members, and officials or guests as (name, post, official)); the
    meeting is then held. Recording again replaces the lists."""
    _check_scope(actor, meeting.organisation)
    if meeting.status == Meeting.Status.CANCELLED:
        raise RegistryError(_("This meeting was cancelled."))
    members = list({m.pk: m for m in members}.values())
    outsiders = [m.code for m in members if not belongs_to(m, meeting.organisation)]
    if outsiders:
        raise RegistryError(
            _("Not members of %(organisation)s: %(codes)s.")
            % {"organisation": meeting.organisation, "codes": ", ".join(outsiders[:10])},
            field="members",
        )
    before = set(meeting.attendance.values_list("member__code", flat=True))
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m) for m in members])
    meeting.officials_present.all().delete()
    OfficialAttendance.objects.bulk_create(
        [OfficialAttendance(meeting=meeting, name=name, post=post, official=o) for name, post, o in officials]
    )
    after = {m.code for m in members}
    status_before = meeting.status
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=meeting,
        changes={
            "attendance": [len(before), len(after)],
            **({"status": [status_before, meeting.status]} if status_before != meeting.status else {}),
        },
        channel=channel,
        association_id=_association_of(meeting.organisation),
        note=_attendance_note(before, after),
    )
    return meeting


def _attendance_note(before: set[str], after: set[str]) -> str:
    added, removed = sorted(after - before), sorted(before - after)
    parts = []
    if added:
        parts.append("+ " + ", ".join(added))
    if removed:
        parts.append("- " + ", ".join(removed))
    return "; ".join(parts)  # audit.record cuts it to the note's length
