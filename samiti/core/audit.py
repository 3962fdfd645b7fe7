"""The audit trail: every write says who, when, what changed and through which channel."""

import functools
import json
from collections.abc import Callable, Sequence
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
    return created_values(type(obj), obj.__dict__, fields)


def created_values(
    model: type[models.Model], values: dict[str, Any], fields: list[str]
) -> dict[str, list[Any]]:
    """As created, for a record given as its values by attribute name (a dict or an object's __dict__)."""
    names = _names(model, tuple(fields))
    return {
        names[attname]: [None, value if type(value) in _JSON_TYPES else _plain(value)]
        for attname, value in values.items()
        if attname in names and value is not None and (value or type(value) not in (str, list))
    }


_JSON_TYPES = frozenset({bool, int, float, str, list, dict})


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
) -> None:
    """Write one audit row for a write to `obj` (one INSERT through the cursor: every write calls it)."""
    record_many(
        actor=actor,
        action=action,
        model=type(obj),
        ids=[obj.pk],
        reprs=[str(obj)],
        changes=[changes or {}],
        channel=channel,
        association_ids=[association_id],
        notes=[note],
    )


def record_export(
    *,
    actor: Any,
    model: type[models.Model],
    what: str,
    note: str,
    channel: str = Channel.WEB,
    association_id: int | None = None,
) -> AuditEvent:
    """Log that `actor` took records of `model` out in a file (DESIGN rule 7): `what` says how many."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditEvent.Action.EXPORT,
        object_type=model._meta.label_lower,
        object_repr=what[:200],
        channel=channel,
        association_id=association_id,
        note=note[:300],
    )


def record_many(
    *,
    actor: Any,
    action: str,
    model: type[models.Model],
    ids: Sequence[int],
    reprs: Sequence[str],
    changes: Sequence[dict[str, list[Any]]],
    channel: str,
    association_ids: Sequence[int | None],
    notes: Sequence[str] | None = None,
) -> None:
    """Write one audit row per record of `model` in one statement (for imports of many records)."""
    if not ids:
        return
    db = connections[DEFAULT_DB_ALIAS]
    now = db.ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    label = model._meta.label_lower
    notes = notes or [""] * len(ids)
    limit = AuditEvent._meta.get_field("note").max_length
    rows = [
        (now, actor_id, action, label, pk, text[:200], _json(change), channel, association_id, note[:limit])
        for pk, text, change, association_id, note in zip(
            ids, reprs, changes, association_ids, notes, strict=True
        )
    ]
    columns = ["at", "actor_id", "action", "object_type", "object_id", "object_repr", "changes", "channel",
               "association_id", "note"]  # fmt: skip
    bulk.insert_rows(AuditEvent._meta.db_table, columns, rows)


def record_objects(
    *,
    actor: Any,
    action: str,
    objects: Sequence[models.Model],
    changes: Sequence[dict[str, list[Any]]],
    channel: str,
    association_ids: Sequence[int | None],
) -> None:
    """record_many for model instances."""
    if objects:
        record_many(
            actor=actor,
            action=action,
            model=type(objects[0]),
            ids=[o.pk for o in objects],
            reprs=[str(o) for o in objects],
            changes=changes,
            channel=channel,
            association_ids=association_ids,
        )


def _json_encoder() -> Callable[[Any], str]:
    """The changes column as the JSON field stores it, written straight (Bengali kept as it is).

    One C encoder made once: JSONEncoder.encode makes a new one at every call, which costs an
    import of many records a third of the time it spends on JSON.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return encoder.encode
    chunks = make(None, encoder.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: "".join(chunks(value, 0))


_json = _json_encoder()


@functools.cache
def _attnames(model: type[models.Model], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, getattr(model._meta.get_field(name), "attname", name)) for name in fields]


@functools.cache
def _names(model: type[models.Model], fields: tuple[str, ...]) -> dict[str, str]:
    """{attribute name: field name} of `fields`."""
    return {attname: name for name, attname in _attnames(model, fields)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)
