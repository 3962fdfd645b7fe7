"""Households: placing a member in one."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Household, Member, User
from samiti.registry.services._common import RegistryError, _check_scope
from samiti.registry.services.members import update_member

HOUSEHOLD_FIELDS = ["code", "area", "size", "representative"]


@transaction.atomic
def place_in_household(
    *,
    actor: User | None,
    member: Member,
    code: str,
    size: int | None = None,
    representative: bool = False,
    channel: str = Channel.WEB,
) -> Household | None:
    """Put a member in the household with `code` (created if new); a blank code takes them out."""
    _check_scope(actor, member.group)
    code = (code or "").strip()
    if size is not None and not (1 <= size <= 50):
        raise RegistryError(_("A household has between 1 and 50 people."), field="household_size")
    household = None
    if code:
        household = Household.objects.select_for_update().filter(code=code).first()
        if household is None:
            household = Household.objects.create(
                code=code, area=member.area, size=size, representative=member if representative else None
            )
            audit.record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=household,
                changes=audit.created(household, HOUSEHOLD_FIELDS),
                channel=channel,
                association_id=member.association_id,
            )
        elif not household.members.filter(association_id=member.association_id).exists() and (
            household.members.exists()
        ):
            raise RegistryError(
                _("Household %(code)s belongs to another association's members.") % {"code": code},
                field="household_code",
            )
        before = audit.snapshot(household, HOUSEHOLD_FIELDS)
        if size is not None and household.size != size:
            household.size = size
        if representative:
            household.representative = member
        elif household.representative_id == member.pk:
            household.representative = None
        changed = audit.diff(before, audit.snapshot(household, HOUSEHOLD_FIELDS))
        if changed:
            household.save()
            audit.record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                obj=household,
                changes=changed,
                channel=channel,
                association_id=member.association_id,
            )
    if member.household_id != (household.pk if household else None):
        old = member.household
        if old is not None and old.representative_id == member.pk:
            Household.objects.filter(pk=old.pk).update(representative=None)
        update_member(actor=actor, member=member, channel=channel, household=household)
    return household
