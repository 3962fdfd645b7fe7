"""The audit trail: every write says who, when, what changed and through which channel."""

import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from samiti.core import bulk
from samiti.core.models import AuditEvent, Channel


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """Return the JSON-friendly values of `fields` on `obj`, for a later diff."""
    attnames = _attnames(type(obj), tuple(fields))
    return {name: _plain(getattr(obj, attname)) for name, attname in attnames}


def created(obj: models.Model, fields: list[str]) -> dict[str, list[Any]]:
    """Return {field: [None, value]} for each field of a new record that holds a value."""
    values = obj.__dict__
    changes = {}
    for name, attname in _attnames(type(obj), tuple(fields)):
        value = values.get(attname)
        if value not in (None, "", []):
            changes[name] = [None, _plain(value)]
    return changes


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for each field whose value differs (a missing side is None)."""
    keys = list(dict.fromkeys([*before, *after]))
    changes = {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}
    return {k: v for k, v in changes.items() if v[0] not in (None, "", []) or v[1] not in (None, "", [])}


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]] | None = None,
    channel: str = Channel.WEB,
    association_id: int | None = None,
    note: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        changes=changes or {},
        channel=channel,
        association_id=association_id,
        note=note,
    )


def record_many(
    *,
    actor: Any,
    action: str,
    objects: list[models.Model],
    changes: list[dict[str, list[Any]]],
    channel: str,
    association_ids: list[int | None],
) -> None:
    """Write one audit row per object in one statement (for imports of many records)."""
    if not objects:
        return
    db = connections[DEFAULT_DB_ALIAS]
    now = db.ops.adapt_datetimefield_value(timezone.now())
    as_json = AuditEvent._meta.get_field("changes").get_db_prep_save
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    label = objects[0]._meta.label_lower
    rows = [
        (
            now,
            actor_id,
            action,
            label,
            obj.pk,
            str(obj)[:200],
            as_json(change, db),
            channel,
            association_id,
            "",
        )
        for obj, change, association_id in zip(objects, changes, association_ids, strict=True)
    ]
    columns = ["at", "actor_id", "action", "object_type", "object_id", "object_repr", "changes", "channel",
               "association_id", "note"]  # fmt: skip
    bulk.insert_rows(AuditEvent._meta.db_table, columns, rows)


@functools.cache
def _attnames(model: type[models.Model], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, getattr(model._meta.get_field(name), "attname", name)) for name in fields]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)
