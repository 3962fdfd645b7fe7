"""Grievances: a rejected or stalled application taken further, with a date by which it should be resolved.

The date comes from the category's `resolution_days` (data an admin can change), counted from
the day the grievance is opened; escalating it to a higher office starts the count again.
"""

import datetime

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import Application, Grievance, GrievanceCategory
from samiti.access.services._common import check_text
from samiti.access.services.applications import is_stalled
from samiti.access.services.documents import check_member_scope
from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry.models import User

OPEN = (Grievance.Status.OPEN, Grievance.Status.ESCALATED)
FIELDS = ["status", "raised_with", "due_on", "resolution", "resolved_on"]


# ----- reads -------------------------------------------------------------------------------------


def grievances_for(user: User) -> QuerySet[Grievance]:
    return Grievance.objects.filter(application__member__in=queries.members_for(user))


def grievance_or_404(user: User, pk: int) -> Grievance:
    found = (
        grievances_for(user)
        .select_related("application__member__group", "application__scheme", "category")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def overdue(today: datetime.date | None = None) -> Q:
    return Q(status__in=OPEN, due_on__lt=today or timezone.localdate())


def overdue_first(grievances: QuerySet[Grievance], today: datetime.date | None = None) -> QuerySet[Grievance]:
    """Overdue ones first (the longest overdue at the top), then open ones by due date, then closed."""
    rank = Case(
        When(overdue(today), then=Value(0)),
        When(status__in=OPEN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return grievances.annotate(rank=rank).order_by("rank", "due_on", "id")


def may_become_grievance(application: Application, today: datetime.date | None = None) -> bool:
    return application.status == Application.Status.REJECTED or is_stalled(application, today)


# ----- writes ------------------------------------------------------------------------------------


def _day(on: datetime.date | None, field: str, after: datetime.date | None = None) -> datetime.date:
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise AccessError(_("Record it once it has happened, not before."), field=field)
    if after is not None and on < after:
        raise AccessError(
            _("The grievance was opened on %(day)s; this cannot be earlier.") % {"day": after.isoformat()},
            field=field,
        )
    return on


def _record(actor: User | None, action: str, grievance: Grievance, changes: dict, channel: str) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=grievance,
        changes=changes,
        channel=channel,
        association_id=grievance.association_id,
    )


@transaction.atomic
def open_grievance(
    *,
    actor: User | None,
    application: Application,
    category: GrievanceCategory,
    description: str,
    raised_with: str = "",
    opened_on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> Grievance:
    """Take a rejected or stalled application further; it is due the category's days after opening."""
    check_member_scope(actor, application.member)
    opened_on = _day(opened_on, "opened_on")
    if not may_become_grievance(application, opened_on):
        raise AccessError(
            _("Only a rejected application, or one with no step for a long time, can become a grievance."),
            field="application",
        )
    description, raised_with = description.strip(), check_text(raised_with, "raised_with", 200)
    if not description:
        raise AccessError(_("Say what happened."), field="description")
    if application.grievances.filter(status__in=OPEN).exists():
        raise AccessError(_("This application already has an open grievance."), field="application")
    grievance = Grievance.objects.create(
        application=application,
        association_id=application.association_id,
        category=category,
        description=description,
        raised_with=raised_with,
        opened_on=opened_on,
        due_on=opened_on + datetime.timedelta(days=category.resolution_days),
        created_by=actor,
    )
    fields = ["application", "category", "description", "raised_with", "opened_on", "due_on", "status"]
    _record(actor, AuditEvent.Action.CREATE, grievance, audit.created(grievance, fields), channel)
    return grievance


def _change(actor: User | None, grievance: Grievance, channel: str, **values: object) -> Grievance:
    check_member_scope(actor, grievance.application.member)
    if grievance.status not in OPEN:
        raise AccessError(_("This grievance is closed."), field="status", code="not_allowed")
    before = audit.snapshot(grievance, FIELDS)
    for name, value in values.items():
        setattr(grievance, name, value)
    grievance.save()
    _record(
        actor,
        AuditEvent.Action.UPDATE,
        grievance,
        audit.diff(before, audit.snapshot(grievance, FIELDS)),
        channel,
    )
    return grievance


@transaction.atomic
def escalate_grievance(
    *,
    actor: User | None,
    grievance: Grievance,
    raised_with: str,
    on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> Grievance:
    """Take the grievance to a higher office; it is due the category's days from now."""
    on = _day(on, "on", after=grievance.opened_on)
    raised_with = check_text(raised_with, "raised_with", 200)
    if not raised_with:
        raise AccessError(_("Say with whom it was raised."), field="raised_with")
    due_on = on + datetime.timedelta(days=grievance.category.resolution_days)
    return _change(
        actor, grievance, channel, status=Grievance.Status.ESCALATED, raised_with=raised_with, due_on=due_on
    )


@transaction.atomic
def resolve_grievance(
    *,
    actor: User | None,
    grievance: Grievance,
    resolution: str,
    on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> Grievance:
    """The grievance was resolved: how, and when."""
    on = _day(on, "on", after=grievance.opened_on)
    resolution = resolution.strip()
    if not resolution:
        raise AccessError(_("Say how it was resolved."), field="resolution")
    return _change(
        actor, grievance, channel, status=Grievance.Status.RESOLVED, resolution=resolution, resolved_on=on
    )


@transaction.atomic
def drop_grievance(
    *,
    actor: User | None,
    grievance: Grievance,
    note: str = "",
    on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> Grievance:
    """The member no longer pursues the grievance; the note says why, the date when."""
    on = _day(on, "on", after=grievance.opened_on)
    return _change(
        actor, grievance, channel, status=Grievance.Status.DROPPED, resolution=note.strip(), resolved_on=on
    )
