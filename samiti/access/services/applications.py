"""Applications: a member's way to a scheme, one service per step, each step an event.

The allowed moves (MOVES):

    identified → documents ready → submitted → approved → receiving → stopped
                                             ↘ rejected
                                   submitted → receiving   (approval was never told)

Every step is dated: not in the future, and not before the application's previous step. Every
step writes an `ApplicationEvent` and an audit row, keeps `updated_on`, and announces
`application_status_changed` after commit (see samiti.core.events).

`record_receiving` is the one exception to the order: a member found already receiving a scheme
(learnt at screening, or told by the member) is recorded as receiving from whatever step, or
without an application at all, since that is a fact learnt rather than a step taken.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import Application, ApplicationEvent, Finding, RejectionReason, Scheme
from samiti.access.services._common import check_text
from samiti.access.services.documents import check_member_scope, document_names, missing_documents
from samiti.core import audit, events
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry.models import Authority, Member, User

Status = Application.Status

MOVES: dict[str, tuple[str, ...]] = {
    Status.IDENTIFIED: (Status.DOCUMENTS_READY,),
    Status.DOCUMENTS_READY: (Status.SUBMITTED,),
    Status.SUBMITTED: (Status.APPROVED, Status.REJECTED, Status.RECEIVING),
    Status.APPROVED: (Status.RECEIVING,),
    Status.RECEIVING: (Status.STOPPED,),
    Status.REJECTED: (),
    Status.STOPPED: (),
}

# An application waiting this many days at one of these steps is stalled: it may become a grievance.
STALLED_AFTER_DAYS = 60
WAITING = (Status.IDENTIFIED, Status.DOCUMENTS_READY, Status.SUBMITTED)
OPEN = tuple(s for s in Status.values if s not in Application.CLOSED)


# ----- reads -------------------------------------------------------------------------------------


def applications_for(user: User) -> QuerySet[Application]:
    """Applications of the members `user` may see."""
    return Application.objects.filter(member__in=queries.members_for(user))


def application_or_404(user: User, pk: int) -> Application:
    found = (
        applications_for(user)
        .select_related("member__group", "scheme", "authority", "rule_version")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def stalled(today: datetime.date | None = None) -> Q:
    """Waiting at identified, documents ready or submitted with no step for STALLED_AFTER_DAYS."""
    since = (today or timezone.localdate()) - datetime.timedelta(days=STALLED_AFTER_DAYS)
    return Q(status__in=WAITING, updated_on__lt=since)


def is_stalled(application: Application, today: datetime.date | None = None) -> bool:
    since = (today or timezone.localdate()) - datetime.timedelta(days=STALLED_AFTER_DAYS)
    return application.status in WAITING and application.updated_on < since


def status_counts(applications: QuerySet[Application], today: datetime.date | None = None) -> dict[str, int]:
    """How many applications are at each status, and how many are stalled, in one query."""
    totals = applications.aggregate(
        stalled=Count("pk", filter=stalled(today)),
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values},
    )
    return totals


def next_steps(application: Application) -> tuple[str, ...]:
    return MOVES[application.status]


# ----- writes ------------------------------------------------------------------------------------


def _check_day(on: datetime.date, field: str, after: datetime.date | None = None) -> None:
    if on > timezone.localdate():
        raise AccessError(_("A step is recorded once it has happened, not before."), field=field)
    if after is not None and on < after:
        raise AccessError(
            _("The previous step was on %(day)s; this one cannot be earlier.") % {"day": after.isoformat()},
            field=field,
        )


def _check_amount(amount: int | None) -> None:
    if amount is not None and (not isinstance(amount, int) or amount < 0):
        raise AccessError(_("An amount per month cannot be negative."), field="amount_per_month")


def _event(
    actor: User | None,
    application: Application,
    status: str,
    on: datetime.date,
    note: str,
    previous: str,
    channel: str,
) -> None:
    ApplicationEvent.objects.create(
        application=application, status=status, on=on, note=note, recorded_by=actor
    )
    events.announce(
        events.application_status_changed,
        sender=Application,
        application=application,
        previous=previous,
        status=status,
        on=on,
        channel=channel,
    )


def _audit(
    actor: User | None, action: str, application: Application, changes: dict, channel: str, note: str = ""
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=application,
        changes=changes,
        channel=channel,
        association_id=application.association_id,
        note=note,
    )


FIELDS = [
    "status",
    "identified_on",
    "documents_ready_on",
    "submitted_on",
    "submitted_where",
    "submitted_to",
    "authority",
    "decided_on",
    "rejection_reason",
    "rejection_note",
    "receiving_since",
    "amount_per_month",
    "stopped_on",
    "updated_on",
]


@transaction.atomic
def identify(
    *,
    actor: User | None,
    member: Member,
    scheme: Scheme,
    on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> Application:
    """Start an application for a member likely eligible for a scheme, at *identified*.

    Records the rule version of the member's latest finding for the scheme, if any. A member
    has at most one open application to a scheme.
    """
    check_member_scope(actor, member)
    on = on or timezone.localdate()
    _check_day(on, "on")
    if not member.is_active:
        raise AccessError(_("This member has left; applications are for active members."), field="member")
    if not scheme.is_active:
        raise AccessError(_("This scheme is no longer active."), field="scheme")
    _refuse_second(member, scheme)
    version_id = (
        Finding.objects.filter(member=member, scheme=scheme).values_list("rule_version_id", flat=True).first()
    )
    application = Application.objects.create(
        member=member,
        scheme=scheme,
        association_id=member.association_id,
        status=Status.IDENTIFIED,
        rule_version_id=version_id,
        identified_on=on,
        updated_on=on,
        created_by=actor,
    )
    changes = audit.created(application, ["member", "scheme", "status", "rule_version", "identified_on"])
    _audit(actor, AuditEvent.Action.CREATE, application, changes, channel)
    _event(actor, application, Status.IDENTIFIED, on, "", "", channel)
    return application


def _refuse_second(member: Member, scheme: Scheme) -> None:
    current = Application.objects.filter(member=member, scheme=scheme, status__in=OPEN).first()
    if current is not None:
        raise AccessError(
            _("%(member)s already has an open application to %(scheme)s (%(status)s).")
            % {"member": member, "scheme": scheme, "status": current.get_status_display()},
            field="scheme",
        )


def _lock(application: Application) -> Application:
    """The application as stored, locked for the step (so two steps at once cannot both pass)."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("member", "scheme")
        .get(pk=application.pk)
    )


def _move(
    *,
    actor: User | None,
    application: Application,
    to: str,
    on: datetime.date,
    note: str,
    channel: str,
    field: str = "on",
    **values: object,
) -> Application:
    check_member_scope(actor, application.member)
    note = check_text(note, "note", 300)
    stored = _lock(application)
    if to not in MOVES[stored.status]:
        raise AccessError(
            _("An application at “%(now)s” cannot move to “%(to)s”.")
            % {"now": stored.get_status_display(), "to": Status(to).label},
            field=field,
            code="not_allowed",
        )
    _check_day(on, field, after=stored.updated_on)
    before = audit.snapshot(stored, FIELDS)
    previous = stored.status
    stored.status = to
    stored.updated_on = on
    for name, value in values.items():
        setattr(stored, name, value)
    stored.save()
    changes = audit.diff(before, audit.snapshot(stored, FIELDS))
    _audit(actor, AuditEvent.Action.UPDATE, stored, changes, channel, note)
    _event(actor, stored, to, on, note, previous, channel)
    for name in FIELDS:
        attname = Application._meta.get_field(name).attname
        setattr(application, attname, getattr(stored, attname))
    return application


@transaction.atomic
def mark_documents_ready(
    *,
    actor: User | None,
    application: Application,
    on: datetime.date | None = None,
    note: str = "",
    channel: str = Channel.WEB,
) -> Application:
    """The member holds every document the scheme asks for; refused while one is missing."""
    check_member_scope(actor, application.member)
    missing = missing_documents(application.member, application.scheme)
    if missing and Status.DOCUMENTS_READY in MOVES[application.status]:
        raise AccessError(
            _("Still missing: %(documents)s.") % {"documents": document_names(missing)}, field="on"
        )
    on = on or timezone.localdate()
    return _move(
        actor=actor,
        application=application,
        to=Status.DOCUMENTS_READY,
        on=on,
        note=note,
        channel=channel,
        documents_ready_on=on,
    )


@transaction.atomic
def submit(
    *,
    actor: User | None,
    application: Application,
    on: datetime.date,
    where: str = "",
    to: str = "",
    authority: Authority | None = None,
    note: str = "",
    channel: str = Channel.WEB,
) -> Application:
    """The application was handed in: where, to whom, optionally to which authority."""
    where, to = check_text(where, "where", 200), check_text(to, "to", 200)
    if not (where or to or authority):
        raise AccessError(_("Say where or to whom the application was submitted."), field="where")
    return _move(
        actor=actor,
        application=application,
        to=Status.SUBMITTED,
        on=on,
        note=note,
        channel=channel,
        submitted_on=on,
        submitted_where=where,
        submitted_to=to,
        authority=authority,
    )


@transaction.atomic
def approve(
    *,
    actor: User | None,
    application: Application,
    on: datetime.date,
    note: str = "",
    channel: str = Channel.WEB,
) -> Application:
    """The office approved the application."""
    return _move(
        actor=actor,
        application=application,
        to=Status.APPROVED,
        on=on,
        note=note,
        channel=channel,
        decided_on=on,
    )


@transaction.atomic
def reject(
    *,
    actor: User | None,
    application: Application,
    on: datetime.date,
    reason: str,
    note: str = "",
    channel: str = Channel.WEB,
) -> Application:
    """The office rejected the application, for a reason; it may become a grievance."""
    if reason not in RejectionReason.values:
        raise AccessError(_("Choose the reason given for the rejection."), field="reason")
    note = note.strip()
    if reason == RejectionReason.OTHER and not note:
        raise AccessError(_("Say what the reason was."), field="note")
    return _move(
        actor=actor,
        application=application,
        to=Status.REJECTED,
        on=on,
        note=note,
        channel=channel,
        decided_on=on,
        rejection_reason=reason,
        rejection_note=note,
    )


@transaction.atomic
def start_receiving(
    *,
    actor: User | None,
    application: Application,
    since: datetime.date,
    amount_per_month: int | None = None,
    note: str = "",
    channel: str = Channel.WEB,
) -> Application:
    """The member receives the benefit from `since`; the amount per month is in poisha."""
    _check_amount(amount_per_month)
    values: dict[str, object] = {"receiving_since": since, "amount_per_month": amount_per_month}
    if application.status == Status.SUBMITTED:
        values["decided_on"] = since  # approval was not told: receiving is the decision
    return _move(
        actor=actor,
        application=application,
        to=Status.RECEIVING,
        on=since,
        note=note,
        channel=channel,
        field="since",
        **values,
    )


@transaction.atomic
def stop(
    *,
    actor: User | None,
    application: Application,
    on: datetime.date,
    note: str = "",
    channel: str = Channel.WEB,
) -> Application:
    """The member stopped receiving the benefit."""
    return _move(
        actor=actor,
        application=application,
        to=Status.STOPPED,
        on=on,
        note=note,
        channel=channel,
        stopped_on=on,
    )


@transaction.atomic
def record_receiving(
    *,
    actor: User | None,
    member: Member,
    scheme: Scheme,
    since: datetime.date,
    amount_per_month: int | None = None,
    channel: str = Channel.WEB,
) -> Application:
    """A member already receives a scheme: move the open application there, or create one.

    A fact learnt (at screening, from the member), not a step taken, so it may come from any open
    step and `since` may be earlier than the steps recorded. Recorded again, it corrects the date
    and the amount.
    """
    check_member_scope(actor, member)
    _check_day(since, "since")
    _check_amount(amount_per_month)
    note = _("already receiving when asked")
    current = (
        Application.objects.select_for_update().filter(member=member, scheme=scheme, status__in=OPEN).first()
    )
    if current is None:
        application = Application.objects.create(
            member=member,
            scheme=scheme,
            association_id=member.association_id,
            status=Status.RECEIVING,
            identified_on=since,
            receiving_since=since,
            amount_per_month=amount_per_month,
            updated_on=since,
            created_by=actor,
        )
        fields = ["member", "scheme", "status", "receiving_since", "amount_per_month"]
        _audit(
            actor, AuditEvent.Action.CREATE, application, audit.created(application, fields), channel, note
        )
        _event(actor, application, Status.RECEIVING, since, note, "", channel)
        return application
    before = audit.snapshot(current, FIELDS)
    previous = current.status
    current.status = Status.RECEIVING
    current.receiving_since = since
    current.amount_per_month = amount_per_month
    current.updated_on = max(current.updated_on, since)
    current.save()
    changes = audit.diff(before, audit.snapshot(current, FIELDS))
    if changes:
        _audit(actor, AuditEvent.Action.UPDATE, current, changes, channel, note)
    if previous != Status.RECEIVING:
        _event(actor, current, Status.RECEIVING, since, note, previous, channel)
    return current
