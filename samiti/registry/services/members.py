"""A member's record: the checks on its fields, the fields derived from them, and one member's
registration, change or deletion."""

import datetime
import re
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.bengali import name_key, to_latin_digits
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import (
    WG_FIELDS,
    Area,
    ConsentMethod,
    Crop,
    Ethnicity,
    Household,
    MaritalStatus,
    Member,
    Occupation,
    Organisation,
    Sex,
    User,
    WGAnswer,
)
from samiti.registry.services._common import RegistryError, _check_scope, _raise_first
from samiti.registry.services.duplicates import flag_duplicates

# The fields of a member that people edit; the rest are derived by `derive_member_fields`.
MEMBER_FIELDS = [
    "code",
    "name_bn",
    "name_en",
    "sex",
    "birth_date",
    "birth_year",
    "phone",
    "national_id",
    "ethnicity",
    "marital_status",
    "occupation",
    "pregnant",
    *WG_FIELDS,
    "land_owned",
    "land_cultivated",
    "main_crops",
    "group",
    "area",
    "household",
    "joined_on",
    "left_on",
    "leaving_reason",
    "consent_on",
    "consent_method",
]


NATIONAL_ID_LENGTHS = (10, 13, 17)


def normalise_phone(raw: str, region: str | None = None) -> str:
    """Return the phone number in E.164, or raise if it is not a possible mobile or fixed line."""
    text = to_latin_digits((raw or "").strip())
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise RegistryError(
            _("“%(value)s” is not a phone number.") % {"value": raw}, field="phone"
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise RegistryError(_("“%(value)s” is not a valid phone number.") % {"value": raw}, field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_national_id(raw: str) -> str:
    """Return the national ID as digits only; it must have 10, 13 or 17 of them."""
    text = re.sub(r"[\s-]", "", to_latin_digits((raw or "").strip()))
    if not text:
        return ""
    if not text.isdigit() or not text.isascii():
        raise RegistryError(_("A national ID has digits only."), field="national_id")
    if len(text) not in NATIONAL_ID_LENGTHS:
        raise RegistryError(
            _("A national ID has 10, 13 or 17 digits; this one has %(count)d.") % {"count": len(text)},
            field="national_id",
        )
    return text


# Sets, not the choices' `.values`, which builds a new list at every call (an import checks
# every row).
SEXES = frozenset(Sex.values)
ETHNICITIES = frozenset(Ethnicity.values)
MARITAL_STATUSES = frozenset(MaritalStatus.values)
OCCUPATIONS = frozenset(Occupation.values)
CONSENT_METHODS = frozenset(ConsentMethod.values)
CROPS = frozenset(Crop.values)
WG_ANSWERS = frozenset(WGAnswer.values)
AGE_LIMITS = (10, 120)
MOST_LAND = 100_000  # decimals: 1,000 acres


def check_member(fields: dict[str, Any], today: datetime.date | None = None) -> dict[str, str]:
    """Check member fields that are already typed; return {field: reason} for each problem."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not (fields.get("name_bn") or fields.get("name_en")):
        errors["name_en"] = str(_("A name is required, in Bengali or in Latin script."))
    if fields.get("sex") not in SEXES:
        errors["sex"] = str(_("Sex must be female, male or third gender."))
    if fields.get("ethnicity") and fields["ethnicity"] not in ETHNICITIES:
        errors["ethnicity"] = str(_("Unknown ethnicity."))
    if fields.get("marital_status") and fields["marital_status"] not in MARITAL_STATUSES:
        errors["marital_status"] = str(_("Unknown marital status."))
    if fields.get("occupation") and fields["occupation"] not in OCCUPATIONS:
        errors["occupation"] = str(_("Unknown occupation."))
    pregnant = fields.get("pregnant")
    if pregnant is not None and not isinstance(pregnant, bool):
        errors["pregnant"] = str(_("Pregnant is yes, no or blank (not recorded)."))
    elif pregnant and fields.get("sex") == Sex.MALE:
        errors["pregnant"] = str(_("A member recorded as male cannot be recorded as pregnant."))
    if fields.get("consent_method") and fields["consent_method"] not in CONSENT_METHODS:
        errors["consent_method"] = str(_("Unknown way of giving consent."))
    for crop in fields.get("main_crops") or []:
        if crop not in CROPS:
            errors["main_crops"] = str(_("Unknown crop “%(crop)s”.") % {"crop": crop})
    for field in WG_FIELDS:
        value = fields.get(field)
        if value is not None and value not in WG_ANSWERS:
            errors[field] = str(_("An answer is 1, 2, 3 or 4 (or blank if not asked)."))
    birth_date, birth_year = fields.get("birth_date"), fields.get("birth_year")
    if birth_date and birth_date > today:
        errors["birth_date"] = str(_("The date of birth is in the future."))
    youngest, oldest = AGE_LIMITS
    if birth_year and not (today.year - oldest <= birth_year <= today.year - youngest):
        errors["birth_year"] = str(
            _("A member is between %(youngest)d and %(oldest)d years old.")
            % {"youngest": youngest, "oldest": oldest}
        )
    if birth_date and birth_year and birth_date.year != birth_year:
        errors["birth_year"] = str(_("The year of birth does not match the date of birth."))
    joined_on, left_on = fields.get("joined_on"), fields.get("left_on")
    if left_on and joined_on and left_on < joined_on:
        errors["left_on"] = str(_("A member cannot leave before joining."))
    if left_on and not fields.get("leaving_reason"):
        errors["leaving_reason"] = str(_("Say why the member left."))
    for field in ("land_owned", "land_cultivated"):
        value = fields.get(field)
        if value is not None and not (0 <= value <= MOST_LAND):
            errors[field] = str(_("Land is given in decimals, from 0 to %(most)d.") % {"most": MOST_LAND})
    group = fields.get("group")
    if group is not None and group.kind != Organisation.Kind.GROUP:
        errors["group"] = str(_("A member belongs to a group, not to a federation or association."))
    return errors


def _district_id(code: str, cache: dict[str, int] | None = None) -> int:
    if cache is not None and code in cache:
        return cache[code]
    pk = Area.objects.values_list("pk", flat=True).get(code=code)
    if cache is not None:
        cache[code] = pk
    return pk


def derive_member_fields(member: Member, districts: dict[str, int] | None = None) -> None:
    """Set the fields derived from others: association, area, district, birth year, name keys."""
    group = member.group
    area = member.area if member.area_id else group.area
    derived = derived_member_values(
        member.__dict__, group.parent_id, area.pk, area.district_code(), districts
    )
    for attname, value in derived.items():
        setattr(member, attname, value)


def derived_member_values(
    values: dict[str, Any],
    association_id: int,
    area_id: int,
    district_code: str | None,
    districts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The derived fields of a member given by its values (by attribute name), its group's
    association, its area (the group's when it names none) and that area's district."""
    if district_code is None:
        raise RegistryError(_("The member's area must lie within a district."), field="area")
    birth_date = values.get("birth_date")
    return {
        "association_id": association_id,
        "area_id": area_id,
        "district_id": _district_id(district_code, districts),
        "birth_year": birth_date.year if birth_date else values.get("birth_year"),
        "name_key_bn": name_key(values.get("name_bn", "")),
        "name_key_en": name_key(values.get("name_en", "")),
    }


def next_member_code(group: Organisation) -> str:
    """Number members within their group: GROUPCODE-001, -002, ..."""
    taken = Member.objects.filter(group=group).count() + 1
    while Member.objects.filter(code=f"{group.code}-{taken:03d}").exists():
        taken += 1
    return f"{group.code}-{taken:03d}"


def _clean_member_input(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    if "phone" in fields:
        fields["phone"] = normalise_phone(fields["phone"] or "")
    if "national_id" in fields:
        fields["national_id"] = normalise_national_id(fields["national_id"] or "")
    for key in ("name_bn", "name_en", "leaving_reason", "code"):
        if key in fields:
            fields[key] = (fields[key] or "").strip()
    return fields


@transaction.atomic
def register_member(*, actor: User | None, channel: str = Channel.WEB, **fields: Any) -> Member:
    """Register one person as a member of a group."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    fields = _clean_member_input(fields)
    _raise_first(check_member(fields))
    _check_scope(actor, fields["group"])
    member = Member(**fields)
    if not member.code:
        member.code = next_member_code(member.group)
    elif Member.objects.filter(code=member.code).exists():
        raise RegistryError(_("Member number %(code)s is taken.") % {"code": member.code}, field="code")
    derive_member_fields(member)
    member.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=member,
        changes=audit.created(member, MEMBER_FIELDS),
        channel=channel,
        association_id=member.association_id,
    )
    flag_duplicates(member)
    return member


@transaction.atomic
def update_member(
    *, actor: User | None, member: Member, channel: str = Channel.WEB, **changes: Any
) -> Member:
    """Change a member's record; only fields that really change are written and audited."""
    unknown = set(changes) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    _check_scope(actor, member.group)
    changes = _clean_member_input(changes)
    before = audit.snapshot(member, MEMBER_FIELDS)
    merged = {f: getattr(member, f) for f in MEMBER_FIELDS} | changes
    _raise_first(check_member(merged))
    if "group" in changes:
        _check_scope(actor, changes["group"])
    if (
        changes.get("code")
        and changes["code"] != member.code
        and Member.objects.filter(code=changes["code"]).exclude(pk=member.pk).exists()
    ):
        raise RegistryError(_("Member number %(code)s is taken.") % {"code": changes["code"]}, field="code")
    for field, value in changes.items():
        setattr(member, field, value)
    derive_member_fields(member)
    changed = audit.diff(before, audit.snapshot(member, MEMBER_FIELDS))
    if not changed:
        return member
    member.updated_at = timezone.now()
    member.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=member,
        changes=changed,
        channel=channel,
        association_id=member.association_id,
    )
    if {"phone", "national_id", "name_bn", "name_en", "area"} & set(changed):
        flag_duplicates(member)
    member.refresh_from_db(fields=["has_disability", "is_ethnic_minority", "is_active", "farmer_category"])
    return member


@transaction.atomic
def delete_member(*, actor: User | None, member: Member, channel: str = Channel.WEB) -> None:
    """Delete a record registered by mistake; the audit keeps what it held."""
    _check_scope(actor, member.group)
    if member.offices.exists() or member.merged_members.exists():
        raise RegistryError(
            _("This member has committee offices or merged records: record that they left instead.")
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=member,
        changes=audit.diff(audit.snapshot(member, MEMBER_FIELDS), {}),
        channel=channel,
        association_id=member.association_id,
    )
    Household.objects.filter(representative=member).update(representative=None)
    member.delete()
