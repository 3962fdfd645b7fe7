"""A rule as SQL over the member table: true, false, or NULL when a fact it needs is not recorded.

SQL's AND, OR and NOT treat NULL as "unknown" exactly as `logic.evaluate` treats None, so the
database screens a million members with the same answers Python gives one member.
"""

import datetime

from django.db import connection

from samiti.access.rules.facts import FACTS, Columns
from samiti.access.rules.syntax import All, Any, Condition, Flag, Grows, Node, Not, Receiving


def compile_rule(
    node: Node, on: datetime.date, scheme_ids: dict[str, int], columns: Columns | None = None
) -> tuple[str, list]:
    """SQL and parameters for a rule; `scheme_ids` maps the codes of receiving("…") to ids."""
    return _compile(node, on, scheme_ids, columns or Columns())


def _compile(node: Node, on: datetime.date, scheme_ids: dict[str, int], columns: Columns) -> tuple[str, list]:
    if isinstance(node, All | Any):
        parts = [_compile(part, on, scheme_ids, columns) for part in node.parts]
        joiner = " AND " if isinstance(node, All) else " OR "
        return "(" + joiner.join(sql for sql, _params in parts) + ")", [
            p for _sql, params in parts for p in params
        ]
    if isinstance(node, Not):
        sql, params = _compile(node.part, on, scheme_ids, columns)
        return f"(NOT {sql})", params
    if isinstance(node, Receiving):
        return receiving_sql(columns), [scheme_ids[node.scheme]]
    if isinstance(node, Grows):
        return grows_sql(columns), [node.crop]
    fact = FACTS[node.fact]
    if isinstance(node, Flag):
        return f"({fact.sql(columns)})", []
    assert isinstance(node, Condition)
    return fact.compare_sql(columns, node.operator, node.value, on)


def receiving_sql(columns: Columns) -> str:
    """SQL true when the member receives the scheme whose id is the one parameter."""
    from samiti.access.models import Application

    table = connection.ops.quote_name(Application._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {table} a WHERE a.member_id = {columns.member('id')} "  # noqa: S608 (quoted names)
        f"AND a.scheme_id = %s AND a.status = '{Application.Status.RECEIVING}')"
    )


def grows_sql(columns: Columns) -> str:
    """SQL true when the one parameter is among the member's main crops, NULL when none are recorded."""
    crops = columns.member("main_crops")
    if connection.vendor == "postgresql":
        return f"(CASE WHEN jsonb_array_length({crops}) = 0 THEN NULL ELSE {crops} ? %s END)"
    return (
        f"(CASE WHEN json_array_length({crops}) = 0 THEN NULL "  # noqa: S608 (a quoted column)
        f"ELSE EXISTS (SELECT 1 FROM json_each({crops}) WHERE json_each.value = %s) END)"
    )


def outcome_sql(node: Node, on: datetime.date, scheme_ids: dict[str, int]) -> tuple[str, list]:
    """SQL giving 1 (likely eligible), 0 (not eligible) or NULL (cannot tell)."""
    sql, params = compile_rule(node, on, scheme_ids)
    return f"(CASE {sql} WHEN TRUE THEN 1 WHEN FALSE THEN 0 END)", params
