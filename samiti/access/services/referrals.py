"""Referrals: a member sent to an extension or health service, and whether the service was received."""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import Referral, Scheme
from samiti.access.services._common import check_text
from samiti.access.services.documents import check_member_scope
from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry.models import Authority, Member, User

SERVICE_KINDS = (Scheme.Kind.EXTENSION, Scheme.Kind.HEALTH)


def referrals_for(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(member__in=queries.members_for(user))


def referral_or_404(user: User, pk: int) -> Referral:
    found = referrals_for(user).select_related("member__group", "service", "authority").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def services_to_refer_to() -> QuerySet[Scheme]:
    return Scheme.objects.filter(kind__in=SERVICE_KINDS, is_active=True)


def _record(actor: User | None, action: str, referral: Referral, changes: dict, channel: str) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=referral,
        changes=changes,
        channel=channel,
        association_id=referral.association_id,
    )


@transaction.atomic
def refer(
    *,
    actor: User | None,
    member: Member,
    service: Scheme,
    referred_to: str = "",
    authority: Authority | None = None,
    reason: str = "",
    on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> Referral:
    """Send a member to an extension or health service: to whom (or which office), and why."""
    check_member_scope(actor, member)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise AccessError(_("Record a referral once it is made, not before."), field="on")
    if service.kind not in SERVICE_KINDS:
        raise AccessError(_("Refer members to an extension or a health service."), field="service")
    if not service.is_active:
        raise AccessError(_("This scheme is no longer active."), field="service")
    referred_to = check_text(referred_to, "referred_to", 200)
    reason = check_text(reason, "reason", 300)
    if not (referred_to or authority):
        raise AccessError(_("Say to whom the member was referred."), field="referred_to")
    referral = Referral.objects.create(
        member=member,
        service=service,
        association_id=member.association_id,
        referred_on=on,
        referred_to=referred_to,
        authority=authority,
        reason=reason,
        created_by=actor,
    )
    fields = ["member", "service", "referred_on", "referred_to", "authority", "reason", "status"]
    _record(actor, AuditEvent.Action.CREATE, referral, audit.created(referral, fields), channel)
    return referral


@transaction.atomic
def record_referral_outcome(
    *,
    actor: User | None,
    referral: Referral,
    received: bool,
    on: datetime.date | None = None,
    note: str = "",
    channel: str = Channel.WEB,
) -> Referral:
    """Whether the member received the service, on which day, with a note; recorded again, corrected."""
    check_member_scope(actor, referral.member)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise AccessError(_("Record the outcome once it is known, not before."), field="on")
    if on < referral.referred_on:
        raise AccessError(
            _("The member was referred on %(day)s; the outcome cannot be earlier.")
            % {"day": referral.referred_on.isoformat()},
            field="on",
        )
    fields = ["status", "outcome_on", "outcome_note"]
    before = audit.snapshot(referral, fields)
    referral.status = Referral.Status.RECEIVED if received else Referral.Status.NOT_RECEIVED
    referral.outcome_on = on
    referral.outcome_note = check_text(note, "note", 300)
    referral.save(update_fields=fields)
    _record(
        actor,
        AuditEvent.Action.UPDATE,
        referral,
        audit.diff(before, audit.snapshot(referral, fields)),
        channel,
    )
    return referral
