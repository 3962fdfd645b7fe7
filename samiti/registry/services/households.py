"""Households: placing a member in one."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Household, Member, User
from samiti.registry.services._common import RegistryError, _check_scope, _raise_first
from samiti.registry.services.members import update_member

HOUSEHOLD_FIELDS = ["code", "area", "size", "income_per_year", "children_under_5", "representative"]
MOST_PEOPLE = 50
MOST_INCOME = 100_000_000_000  # poisha: Tk 1,000,000,000 a year, far beyond any member's household


def check_household(fields: dict[str, Any]) -> dict[str, str]:
    """Check household facts that are already typed; return {field: reason} for each problem.

    The keys are the form's: household_size, income_per_year, children_under_5.
    """
    errors: dict[str, str] = {}
    size, income, children = (
        fields.get(k) for k in ("household_size", "income_per_year", "children_under_5")
    )
    if size is not None and not (1 <= size <= MOST_PEOPLE):
        errors["household_size"] = str(_("A household has between 1 and 50 people."))
    if income is not None and not (0 <= income <= MOST_INCOME):
        errors["income_per_year"] = str(
            _("The household income per year is an amount in taka from 0 to %(most)s.")
            % {"most": f"{MOST_INCOME // 100:,}"}
        )
    if children is not None:
        if not (0 <= children <= MOST_PEOPLE):
            errors["children_under_5"] = str(_("The number of children under 5 is from 0 to 50."))
        elif size is not None and children > size:
            errors["children_under_5"] = str(
                _("The household has %(size)d people, so it cannot have %(children)d children under 5.")
                % {"size": size, "children": children}
            )
    return errors


@transaction.atomic
def place_in_household(
    *,
    actor: User | None,
    member: Member,
    code: str,
    size: int | None = None,
    income_per_year: int | None = None,
    children_under_5: int | None = None,
    representative: bool = False,
    channel: str = Channel.WEB,
) -> Household | None:
    """Put a member in the household with `code` (created if new); a blank code takes them out.

    The size, the income per year (in poisha) and the children under 5 change only when given.
    """
    _check_scope(actor, member.group)
    code = (code or "").strip()
    facts = {"household_size": size, "income_per_year": income_per_year, "children_under_5": children_under_5}
    _raise_first(check_household(facts))
    household = None
    if code:
        household = Household.objects.select_for_update().filter(code=code).first()
        if household is None:
            household = Household.objects.create(
                code=code,
                area=member.area,
                size=size,
                income_per_year=income_per_year,
                children_under_5=children_under_5,
                representative=member if representative else None,
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
        known = {
            "household_size": household.size if size is None else size,
            "children_under_5": household.children_under_5 if children_under_5 is None else children_under_5,
        }
        _raise_first(check_household(known))
        for field, value in (
            ("size", size),
            ("income_per_year", income_per_year),
            ("children_under_5", children_under_5),
        ):
            if value is not None:
                setattr(household, field, value)
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
