"""Every write to the registry, with its rules and its audit row."""

import datetime
import functools
import hashlib
import json
import operator
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit, bulk
from samiti.core.bengali import name_key, to_latin_digits
from samiti.core.errors import SamitiError
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import (
    WG_FIELDS,
    ApiToken,
    Area,
    Attendance,
    Authority,
    ByLaws,
    CommitteeOffice,
    ConsentMethod,
    Crop,
    DuplicateFlag,
    Ethnicity,
    Household,
    Meeting,
    Member,
    Official,
    OfficialAttendance,
    Organisation,
    Sex,
    User,
    WGAnswer,
)
from samiti.registry.queries import belongs_to, organisations_for


class RegistryError(SamitiError):
    code = "registry"


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
ORGANISATION_FIELDS = [
    "kind",
    "code",
    "name_en",
    "name_bn",
    "parent",
    "area",
    "registration_number",
    "registered_on",
    "status",
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


# Fields written by bulk_register_members; generated columns are computed by the database.
_BULK_FIELDS = [
    f for f in Member._meta.concrete_fields if not f.primary_key and not isinstance(f, models.GeneratedField)
]


def _bulk_row_maker(db) -> Callable[[dict[str, Any]], list[Any]]:
    """Return a function turning a member's values (by attribute name) into the row the driver takes.

    Text, numbers and foreign keys go as they are; only dates, times and JSON are converted, and
    repeated dates once: calling each field's get_db_prep_save per row costs more than the INSERT.
    """
    defaults = {f.attname: f.get_default() for f in _BULK_FIELDS}
    take = operator.itemgetter(*defaults)
    converters = []
    for index, field in enumerate(_BULK_FIELDS):
        if isinstance(field, models.JSONField):
            converters.append((index, _json))
        elif isinstance(field, models.DateTimeField):
            converters.append((index, functools.lru_cache(maxsize=64)(db.ops.adapt_datetimefield_value)))
        elif isinstance(field, models.DateField):
            converters.append((index, functools.lru_cache(maxsize=4096)(db.ops.adapt_datefield_value)))

    def make(values: dict[str, Any]) -> list[Any]:
        row = list(take(defaults | values))
        for index, convert in converters:
            if row[index] is not None:
                row[index] = convert(row[index])
        return row

    return make


_json = json.JSONEncoder(ensure_ascii=False).encode


def bulk_register_members(
    *,
    actor: User | None,
    channel: str,
    members: Sequence[dict[str, Any]],
    districts: dict[str, int] | None = None,
) -> list[int]:
    """Insert many members whose fields are already checked; return their ids in order.

    The fast path for imports and demo data. Each member is a dict of values by attribute name
    (`group_id`, not `group`) with its `code`; the derived fields (derived_member_values) and
    the timestamps are set in it. One INSERT per batch through the cursor (the ORM's
    bulk_create is ten times slower here), with one audit row per member. Runs inside the
    caller's transaction.
    """
    if not members:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    districts = {} if districts is None else districts
    groups = {
        pk: (association, area)
        for pk, association, area in Organisation.objects.filter(
            pk__in={m["group_id"] for m in members}
        ).values_list("pk", "parent_id", "area_id")
    }
    area_ids = {m.get("area_id") or groups[m["group_id"]][1] for m in members}
    district_of = {
        pk: Area(path=path).district_code()
        for pk, path in Area.objects.filter(pk__in=area_ids).values_list("pk", "path")
    }
    make_row = _bulk_row_maker(db)
    rows = []
    for values in members:
        association_id, group_area_id = groups[values["group_id"]]
        area_id = values.get("area_id") or group_area_id
        values.update(derived_member_values(values, association_id, area_id, district_of[area_id], districts))
        values["created_at"] = values["updated_at"] = now
        rows.append(make_row(values))
    bulk.insert_rows(Member._meta.db_table, [f.column for f in _BULK_FIELDS], rows)
    ids = _ids_by_code([m["code"] for m in members])
    for values in members:
        values["id"] = ids[values["code"]]
    audit.record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        model=Member,
        ids=[m["id"] for m in members],
        reprs=[Member.display_name(m.get("name_bn", ""), m.get("name_en", "")) for m in members],
        changes=[audit.created_values(Member, m, MEMBER_FIELDS) for m in members],
        channel=channel,
        association_ids=[m["association_id"] for m in members],
    )
    return [m["id"] for m in members]


def _ids_by_code(codes: list[str]) -> dict[str, int]:
    return dict(bulk.select_in(Member._meta.db_table, ["code", "id"], "code", codes))


def next_member_code(group: Organisation) -> str:
    """Number members within their group: GROUPCODE-001, -002, ..."""
    taken = Member.objects.filter(group=group).count() + 1
    while Member.objects.filter(code=f"{group.code}-{taken:03d}").exists():
        taken += 1
    return f"{group.code}-{taken:03d}"


def _raise_first(errors: dict[str, str]) -> None:
    if errors:
        field, message = next(iter(errors.items()))
        raise RegistryError(message, field=field)


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


def _check_scope(actor: User | None, organisation: Organisation) -> None:
    """Refuse a write outside the actor's scope, as the read would have (404-equivalent)."""
    if actor is None:
        return
    if not actor.can_edit or not organisations_for(actor).filter(pk=organisation.pk).exists():
        raise RegistryError(_("You may not change records of this organisation."), code="forbidden")


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


def duplicate_candidates(member: Member) -> list[tuple[Member, str]]:
    """Other active members who may be the same person, with the reason."""
    found: list[tuple[Member, str]] = []
    others = Member.objects.exclude(pk=member.pk).filter(merged_into__isnull=True)
    if member.national_id:
        found += [
            (m, DuplicateFlag.Reason.NATIONAL_ID) for m in others.filter(national_id=member.national_id)
        ]
    if member.phone:
        found += [(m, DuplicateFlag.Reason.PHONE) for m in others.filter(phone=member.phone)]
    keys = {k for k in (member.name_key_bn, member.name_key_en) if k}
    if keys:
        same_name = others.filter(area_id=member.area_id).filter(
            Q(name_key_bn__in=keys) | Q(name_key_en__in=keys)
        )
        found += [(m, DuplicateFlag.Reason.NAME) for m in same_name]
    return found


def flag_duplicates(member: Member) -> list[DuplicateFlag]:
    """Flag possible duplicates of `member` for a person to decide on; never merge here."""
    flags = []
    for other, reason in duplicate_candidates(member):
        flags.append(flag_pair(member, other, reason))
    return flags


def flag_pairs(pairs: Iterable[tuple[int, int, str]], associations: dict[int, int]) -> None:
    """Flag many (member id, other id, reason) pairs at once; pairs already flagged are kept."""
    DuplicateFlag.objects.bulk_create(
        [
            DuplicateFlag(member_id=a, other_id=b, reason=r, association_id=associations[a])
            for a, b, r in (((min(x, y), max(x, y), r)) for x, y, r in pairs)
        ],
        ignore_conflicts=True,
    )


def flag_pair(a: Member, b: Member, reason: str) -> DuplicateFlag:
    first, second = (a, b) if a.pk < b.pk else (b, a)
    flag, _created = DuplicateFlag.objects.get_or_create(
        member=first, other=second, reason=reason, defaults={"association_id": first.association_id}
    )
    return flag


@transaction.atomic
def keep_apart(*, actor: User, flag: DuplicateFlag) -> DuplicateFlag:
    """Record that two flagged records are different people."""
    _check_scope(actor, flag.member.group)
    _check_scope(actor, flag.other.group)
    DuplicateFlag.objects.filter(
        member=flag.member, other=flag.other, status=DuplicateFlag.Status.OPEN
    ).update(status=DuplicateFlag.Status.KEPT_APART, resolved_by=actor, resolved_at=timezone.now())
    flag.refresh_from_db()
    return flag


@transaction.atomic
def merge_members(*, actor: User, keep: Member, drop: Member, channel: str = Channel.WEB) -> Member:
    """Merge `drop` into `keep`: blanks of `keep` are filled from `drop`, and `drop` is retired.

    Both records stay, so the history of each is kept; `drop` points to `keep`.
    """
    if keep.pk == drop.pk:
        raise RegistryError(_("A record cannot be merged with itself."))
    if drop.merged_into_id or keep.merged_into_id:
        raise RegistryError(_("One of these records has already been merged."))
    _check_scope(actor, keep.group)
    _check_scope(actor, drop.group)
    fill = {
        f: getattr(drop, f)
        for f in MEMBER_FIELDS
        if f not in ("code", "group", "area", "joined_on", "left_on", "leaving_reason")
        and getattr(keep, f) in (None, "", [])
        and getattr(drop, f) not in (None, "", [])
    }
    if drop.joined_on < keep.joined_on:
        fill["joined_on"] = drop.joined_on
    if fill:
        update_member(actor=actor, member=keep, channel=channel, **fill)
    CommitteeOffice.objects.filter(member=drop).update(member=keep)
    Household.objects.filter(representative=drop).update(representative=keep)
    before = audit.snapshot(drop, ["left_on", "leaving_reason"])
    drop.merged_into = keep
    drop.left_on = drop.left_on or timezone.localdate()
    drop.leaving_reason = f"merged into {keep.code}"
    drop.updated_at = timezone.now()
    drop.save()
    after = audit.snapshot(drop, ["left_on", "leaving_reason"]) | {"merged_into": keep.code}
    for obj, changes, note in (
        (drop, audit.diff(before, after), f"merged into {keep.code}"),
        (keep, {"merged_from": [None, drop.code]}, f"{drop.code} merged into this record"),
    ):
        audit.record(
            actor=actor,
            action=AuditEvent.Action.MERGE,
            obj=obj,
            changes=changes,
            channel=channel,
            association_id=obj.association_id,
            note=note,
        )
    DuplicateFlag.objects.filter(
        Q(member__in=[keep, drop]) & Q(other__in=[keep, drop]), status=DuplicateFlag.Status.OPEN
    ).update(status=DuplicateFlag.Status.MERGED, resolved_by=actor, resolved_at=timezone.now())
    keep.refresh_from_db()
    return keep


HOUSEHOLD_FIELDS = ["code", "area", "size", "representative"]


def bulk_add(
    *,
    actor: User | None,
    channel: str,
    objects: list[models.Model],
    fields: list[str],
    association_ids: list[int | None],
) -> None:
    """Create many records of one model (villages, groups, households, offices) with their audit.

    For imports and demo data; the caller has checked them. Runs in the caller's transaction.
    """
    if not objects:
        return
    type(objects[0]).objects.bulk_create(objects, batch_size=1000)
    audit.record_objects(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        objects=objects,
        changes=[audit.created(o, fields) for o in objects],
        channel=channel,
        association_ids=association_ids,
    )


def bulk_set_representatives(
    *, actor: User | None, channel: str, households: list[Household], association_ids: list[int | None]
) -> None:
    """Record who represents each of many households (their `representative` set), audited."""
    Household.objects.bulk_update(households, ["representative"], batch_size=1000)
    audit.record_objects(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        objects=households,
        changes=[{"representative": [None, h.representative_id]} for h in households],
        channel=channel,
        association_ids=association_ids,
    )


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


def _check_organisation(fields: dict[str, Any]) -> None:
    kind, parent = fields.get("kind"), fields.get("parent")
    if kind not in Organisation.Kind.values:
        raise RegistryError(_("Choose federation, association or group."), field="kind")
    expected = Organisation.PARENT_KIND.get(kind)
    if kind == Organisation.Kind.GROUP and parent is None:
        raise RegistryError(_("A group belongs to an association."), field="parent")
    if parent is not None and parent.kind != expected:
        raise RegistryError(
            _("A %(kind)s belongs to a %(parent)s.")
            % {"kind": Organisation.Kind(kind).label, "parent": Organisation.Kind(expected).label}
            if expected
            else _("A federation belongs to no other organisation."),
            field="parent",
        )
    if not fields.get("code"):
        raise RegistryError(_("A code is required."), field="code")
    if not (fields.get("name_en") or fields.get("name_bn")):
        raise RegistryError(_("A name is required, in Bengali or in English."), field="name_en")


@transaction.atomic
def create_organisation(*, actor: User | None, channel: str = Channel.WEB, **fields: Any) -> Organisation:
    """Found a federation, an association or a group."""
    _check_organisation(fields)
    if fields.get("parent") is not None:
        _check_scope(actor, fields["parent"])
    elif actor is not None and not actor.sees_whole_programme:
        raise RegistryError(_("Only a programme admin creates federations and free-standing associations."))
    if Organisation.objects.filter(code=fields["code"]).exists():
        raise RegistryError(_("Code %(code)s is taken.") % {"code": fields["code"]}, field="code")
    organisation = Organisation.objects.create(**fields)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=organisation,
        changes=audit.created(organisation, ORGANISATION_FIELDS),
        channel=channel,
        association_id=_association_of(organisation),
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, actor: User | None, organisation: Organisation, channel: str = Channel.WEB, **changes: Any
) -> Organisation:
    _check_scope(actor, organisation)
    before = audit.snapshot(organisation, ORGANISATION_FIELDS)
    merged = {f: getattr(organisation, f) for f in ORGANISATION_FIELDS} | changes
    _check_organisation(merged)
    if changes.get("kind", organisation.kind) != organisation.kind:
        raise RegistryError(_("The kind of an organisation cannot change."), field="kind")
    if "parent" in changes and changes["parent"] is not None:
        _check_scope(actor, changes["parent"])
    for field, value in changes.items():
        setattr(organisation, field, value)
    changed = audit.diff(before, audit.snapshot(organisation, ORGANISATION_FIELDS))
    if not changed:
        return organisation
    organisation.save()
    if "parent" in changed and organisation.kind == Organisation.Kind.GROUP:
        Member.objects.filter(group=organisation).update(association_id=organisation.parent_id)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=organisation,
        changes=changed,
        channel=channel,
        association_id=_association_of(organisation),
    )
    return organisation


@transaction.atomic
def delete_organisation(
    *, actor: User | None, organisation: Organisation, channel: str = Channel.WEB
) -> None:
    _check_scope(actor, organisation)
    if organisation.children.exists() or organisation.members.exists():
        raise RegistryError(
            _("Only an organisation without groups or members can be deleted; dissolve it instead.")
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=organisation,
        changes=audit.diff(audit.snapshot(organisation, ORGANISATION_FIELDS), {}),
        channel=channel,
        association_id=_association_of(organisation),
    )
    organisation.delete()


def _association_of(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    return None


@transaction.atomic
def add_area(
    *, actor: User | None, parent: Area, level: str, name_en: str, name_bn: str = "", code: str = ""
) -> Area:
    """Add a ward or a village under a union (or a village under a ward)."""
    allowed = {Area.Level.WARD: {Area.Level.UNION}, Area.Level.VILLAGE: {Area.Level.UNION, Area.Level.WARD}}
    if level not in allowed or parent.level not in allowed[level]:
        raise RegistryError(
            _("Wards are added under a union, villages under a union or a ward."), field="level"
        )
    if not (name_en or name_bn):
        raise RegistryError(_("A name is required, in Bengali or in English."), field="name_en")
    code = code or f"{parent.code}-{level[0].upper()}{parent.children.count() + 1:02d}"
    area = Area(level=level, code=code, parent=parent, name_en=name_en, name_bn=name_bn)
    save_area(area)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=area, channel=Channel.WEB)
    return area


def save_area(area: Area) -> Area:
    area.path = f"{area.parent.path if area.parent else '/'}{area.code}/"
    area.save()
    return area


AREA_COLUMNS = ["level", "code", "name_en", "name_bn", "parent_code", "latitude", "longitude", "website"]


@transaction.atomic
def load_areas(rows: Iterable[dict[str, str]]) -> tuple[int, int]:
    """Create or update areas from rows shaped like data/areas.csv; return (created, updated).

    Parents must come before their children, as they do in the shipped file.
    """
    existing = {a.code: a for a in Area.objects.all()}
    created = updated = 0
    for line, row in enumerate(rows, start=2):
        level = row["level"].strip()
        if level not in Area.Level.values:
            raise RegistryError(
                _("Line %(line)d: unknown level “%(level)s”.") % {"line": line, "level": level}
            )
        parent = existing.get(row.get("parent_code", "").strip()) if row.get("parent_code") else None
        if row.get("parent_code") and parent is None:
            raise RegistryError(
                _("Line %(line)d: unknown parent %(code)s.") % {"line": line, "code": row["parent_code"]}
            )
        values = {
            "level": level,
            "name_en": row.get("name_en", "").strip(),
            "name_bn": row.get("name_bn", "").strip(),
            "parent": parent,
            "latitude": row.get("latitude") or None,
            "longitude": row.get("longitude") or None,
            "website": row.get("website", "").strip(),
        }
        area = existing.get(row["code"].strip())
        if area is None:
            area = Area(code=row["code"].strip(), **values)
            created += 1
        elif any(
            str(getattr(area, k) or "") != str(v or "")
            for k, v in values.items()
            if k not in ("latitude", "longitude")
        ):
            for key, value in values.items():
                setattr(area, key, value)
            updated += 1
        else:
            continue
        save_area(area)
        existing[area.code] = area
    return created, updated


@transaction.atomic
def assign_office(
    *,
    actor: User | None,
    organisation: Organisation,
    member: Member,
    office: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> CommitteeOffice:
    """Seat a member on an organisation's committee; a single-holder office passes on."""
    _check_scope(actor, organisation)
    if office not in CommitteeOffice.Office.values:
        raise RegistryError(_("Unknown office."), field="office")
    if not belongs_to(member, organisation):
        raise RegistryError(_("Only a member of this organisation can hold its office."), field="member")
    if ended_on and ended_on < started_on:
        raise RegistryError(_("The end of an office must come after its start."), field="ended_on")
    if office != CommitteeOffice.Office.MEMBER:
        CommitteeOffice.objects.filter(
            organisation=organisation, office=office, ended_on__isnull=True
        ).update(ended_on=started_on)
    seat = CommitteeOffice.objects.create(
        organisation=organisation, member=member, office=office, started_on=started_on, ended_on=ended_on
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=seat,
        changes={"office": [None, office], "member": [None, member.code]},
        channel=channel,
        association_id=_association_of(organisation),
    )
    return seat


@transaction.atomic
def end_offices(
    *,
    actor: User | None,
    organisation: Organisation,
    offices: Iterable[str],
    on: datetime.date,
    channel: str = Channel.WEB,
    note: str = "",
) -> int:
    """End on `on` the seats of `offices` still running then (open, or ending later); return how many.

    An election ends the old committee this way: seats from a previous election carry their
    term's end, which `assign_office` does not pass on.
    """
    _check_scope(actor, organisation)
    running = CommitteeOffice.objects.select_for_update().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        organisation=organisation,
        office__in=list(offices),
        started_on__lt=on,
    )
    seats = list(running.select_related("member"))
    for seat in seats:
        before = seat.ended_on
        seat.ended_on = on
        seat.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=seat,
            changes={"ended_on": [before.isoformat() if before else None, on.isoformat()]},
            channel=channel,
            association_id=_association_of(organisation),
            note=note,
        )
    return len(seats)


BY_LAWS_FIELDS = [
    "quorum_percent",
    "term_years",
    "women_seats_percent",
    "demand_endorsements",
    "demand_percent",
]
AUTHORITY_FIELDS = ["kind", "code", "name_en", "name_bn", "area", "parent", "address", "phone", "email"]
OFFICIAL_FIELDS = ["authority", "post", "name", "phone", "since", "until"]
MEETING_FIELDS = ["organisation", "kind", "title", "starts_at", "place", "authority", "status"]


@transaction.atomic
def save_by_laws(
    *, actor: User | None, organisation: Organisation, channel: str = Channel.WEB, **fields: Any
) -> ByLaws:
    """Set an organisation's own rules (quorum, committee term, women's seats, demand threshold)."""
    _check_scope(actor, organisation)
    unknown = set(fields) - set(BY_LAWS_FIELDS)
    if unknown:
        raise TypeError(f"unknown by-law fields: {sorted(unknown)}")
    rules = ByLaws.objects.filter(organisation=organisation).first() or ByLaws(organisation=organisation)
    before = audit.snapshot(rules, BY_LAWS_FIELDS) if rules.pk else {}
    for name, value in fields.items():
        setattr(rules, name, value)
    _full_clean(rules)
    rules.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        obj=rules,
        changes=audit.diff(before, audit.snapshot(rules, BY_LAWS_FIELDS)),
        channel=channel,
        association_id=_association_of(organisation),
    )
    return rules


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's own validation; the first problem becomes a RegistryError on its field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise RegistryError(messages[0], field=None if field == NON_FIELD_ERRORS else field) from None


def _check_staff_may_edit(actor: User | None) -> None:
    if actor is not None and not actor.can_edit:
        raise RegistryError(_("Your role may only read."), code="forbidden")


@transaction.atomic
def save_authority(
    *, actor: User | None, authority: Authority | None = None, channel: str = Channel.WEB, **fields: Any
) -> Authority:
    """Add a public body (authority is None) or change one. Authorities are public facts any editor keeps."""
    _check_staff_may_edit(actor)
    authority = authority or Authority()
    before = audit.snapshot(authority, AUTHORITY_FIELDS) if authority.pk else {}
    for name, value in fields.items():
        setattr(authority, name, value)
    if not (authority.name_en or authority.name_bn):
        raise RegistryError(_("A name is required, in Bengali or in English."), field="name_en")
    _full_clean(authority)
    authority.save()
    changes = audit.diff(before, audit.snapshot(authority, AUTHORITY_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
            obj=authority,
            changes=changes,
            channel=channel,
        )
    return authority


@transaction.atomic
def add_official(
    *, actor: User | None, authority: Authority, channel: str = Channel.WEB, **fields: Any
) -> Official:
    """Record who holds a post at an authority."""
    _check_staff_may_edit(actor)
    official = Official(authority=authority, **fields)
    if official.since and official.until and official.until < official.since:
        raise RegistryError(_("The end of a post must come after its start."), field="until")
    _full_clean(official)
    official.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=official,
        changes=audit.created(official, OFFICIAL_FIELDS),
        channel=channel,
    )
    return official


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
    return "; ".join(parts)[:1000]


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; the key is returned once and only its hash is kept."""
    key = "smt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=_hash_token(key))
    audit.record(actor=user, action=AuditEvent.Action.CREATE, obj=token, changes={"name": [None, name]})
    return token, key


def revoke_api_token(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk and not user.is_superuser:
        raise RegistryError(_("This token belongs to another account."), code="forbidden")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=user, action=AuditEvent.Action.UPDATE, obj=token, changes={"revoked": [False, True]}
        )


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__organisation", "user__area")
        .filter(key_hash=_hash_token(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
