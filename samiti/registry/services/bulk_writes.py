"""Many records written at once, for imports and demo data: the caller has checked them."""

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from samiti.core import audit, bulk
from samiti.core.models import AuditEvent
from samiti.registry.models import Area, Household, Member, Organisation, User
from samiti.registry.services.households import HOUSEHOLD_FIELDS
from samiti.registry.services.members import MEMBER_FIELDS, derived_member_values

# Fields written by bulk_register_members; generated columns are computed by the database.
_BULK_FIELDS = [
    f for f in Member._meta.concrete_fields if not f.primary_key and not isinstance(f, models.GeneratedField)
]


def _bulk_row_maker(db, fields: Sequence[models.Field]) -> Callable[[dict[str, Any]], list[Any]]:
    """Return a function turning a record's values (by attribute name) into the row the driver takes.

    Text, numbers and foreign keys go as they are; only dates, times and JSON are converted, each
    distinct value once: calling each field's get_db_prep_save per row costs more than the INSERT.
    """
    names = [f.attname for f in fields]
    defaults = [f.get_default() for f in fields]
    converters = []
    for index, field in enumerate(fields):
        if isinstance(field, models.JSONField):
            converters.append((index, _cached_json()))
        elif isinstance(field, models.DateTimeField):
            converters.append((index, functools.lru_cache(maxsize=64)(db.ops.adapt_datetimefield_value)))
        elif isinstance(field, models.DateField):
            converters.append((index, functools.lru_cache(maxsize=4096)(db.ops.adapt_datefield_value)))

    def make(values: dict[str, Any]) -> list[Any]:
        row = list(map(values.get, names, defaults))
        for index, convert in converters:
            value = row[index]
            if value is not None:
                row[index] = convert(value)
        return row

    return make


def _cached_json() -> Callable[[Any], str]:
    """_json, remembering the text of lists (a member's crops: a few combinations for thousands of rows)."""
    known: dict[tuple, str] = {}

    def encode(value: Any) -> str:
        if type(value) is not list:
            return _json(value)
        key = tuple(value)
        try:
            text = known.get(key)
        except TypeError:  # unhashable items: not worth remembering
            return _json(value)
        if text is None:
            text = _json(value)
            if len(known) < 4096:
                known[key] = text
        return text

    return encode


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
    # Read by many keys at once through the cursor: the ORM's pk__in costs more than the query.
    groups = {
        pk: (association, area)
        for pk, association, area in bulk.select_in(
            Organisation._meta.db_table,
            ["id", "parent_id", "area_id"],
            "id",
            {m["group_id"] for m in members},
        )
    }
    area_ids = {m.get("area_id") or groups[m["group_id"]][1] for m in members}
    district_of = {
        pk: _district_code(path)
        for pk, path in bulk.select_in(Area._meta.db_table, ["id", "path"], "id", area_ids)
    }
    make_row = _bulk_row_maker(db, _BULK_FIELDS)
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
    # Each record shown by its name in the script of the language in use (Member.display_name),
    # the language asked for once: asking costs more than the rest of the name.
    first = Member.display_name("name_bn", "name_en")
    second = "name_en" if first == "name_bn" else "name_bn"
    audit.record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        model=Member,
        ids=[m["id"] for m in members],
        reprs=[m.get(first) or m.get(second, "") for m in members],
        changes=[audit.created_values(Member, m, MEMBER_FIELDS) for m in members],
        channel=channel,
        association_ids=[m["association_id"] for m in members],
    )
    return [m["id"] for m in members]


@functools.lru_cache(maxsize=4096)
def _district_code(path: str) -> str | None:
    return Area(path=path).district_code()


def _ids_by_code(codes: list[str]) -> dict[str, int]:
    return dict(bulk.select_in(Member._meta.db_table, ["code", "id"], "code", codes))


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


_HOUSEHOLD_COLUMNS = ["code", "area_id", "size", "income_per_year", "children_under_5"]


def bulk_add_households(
    *,
    actor: User | None,
    channel: str,
    households: Sequence[dict[str, Any]],
    association_ids: list[int | None],
) -> list[int]:
    """Insert many households whose facts are already checked; return their ids in order.

    As bulk_add for households given as values by attribute name (`code`, `area_id` and any of
    `size`, `income_per_year`, `children_under_5`): written through the cursor, as an import
    adds thousands, with the audit row bulk_add would write for each.
    """
    if not households:
        return []
    rows = [[h.get(column) for column in _HOUSEHOLD_COLUMNS] for h in households]
    bulk.insert_rows(Household._meta.db_table, _HOUSEHOLD_COLUMNS, rows)
    ids = dict(
        bulk.select_in(Household._meta.db_table, ["code", "id"], "code", [h["code"] for h in households])
    )
    audit.record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        model=Household,
        ids=[ids[h["code"]] for h in households],
        reprs=[h["code"] for h in households],
        changes=[audit.created_values(Household, h, HOUSEHOLD_FIELDS) for h in households],
        channel=channel,
        association_ids=association_ids,
    )
    return [ids[h["code"]] for h in households]


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
