"""The writes of an import: villages, households, new and changed members, duplicate flags.

A mixin of the pipeline's Run: each method writes what one batch decided, in bulk, with audit rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from samiti.core import audit, bulk
from samiti.core.models import AuditEvent, Channel
from samiti.registry import services
from samiti.registry.importing.rows import Added, Plan, Row
from samiti.registry.importing.values import BENGALI
from samiti.registry.models import Area, Household, Member, Organisation
from samiti.registry.services.bulk_writes import bulk_add_households

# What services.derive_member_fields sets from other fields; written with every change.
_DERIVED = {"association", "district", "birth_year", "name_key_bn", "name_key_en"}


class Writing:
    """What Run writes; the attributes below are Run's."""

    user: Any
    districts: dict[str, int]
    fetched: dict
    groups_by_id: dict[int, Organisation]
    areas: dict[int, Area]
    village_refs: dict[int, str]

    def _write(self, rows: list[Row]) -> None:
        """Write a batch's new and changed rows, with what they need first (villages, households)."""
        self._add_villages([r.area for r in rows if isinstance(r.area, Plan)])
        self._add_households([r.household for r in rows if isinstance(r.household, Plan)])
        new = [r for r in rows if r.status == "new"]
        members = []
        for row in new:
            # The row's other values (village, household_code...) name no member field: they go unread.
            # Its number, given or assigned, comes after its fields, as the audit row has listed them.
            values = row.values.copy()
            values.pop("code", None)
            values["code"], values["group_id"] = row.code, row.group.pk
            if row.area is not None:
                values["area_id"] = row.area.pk
            if row.household is not None:
                values["household_id"] = row.household.pk
            members.append(values)
        services.bulk_register_members(
            actor=self.user, channel=Channel.IMPORT, members=members, districts=self.districts
        )
        for row, values in zip(new, members, strict=True):
            row.member = Added(values)
        self._update_members([r for r in rows if r.status == "updated" and r.changes])
        for row in rows:
            if row.status == "updated" and row.household_facts:
                household = row.household
                before = audit.snapshot(household, services.HOUSEHOLD_FIELDS)
                Household.objects.filter(pk=household.pk).update(**row.household_facts)
                for name, value in row.household_facts.items():
                    setattr(household, name, value)
                audit.record(
                    actor=self.user,
                    action=AuditEvent.Action.UPDATE,
                    obj=household,
                    changes=audit.diff(before, audit.snapshot(household, services.HOUSEHOLD_FIELDS)),
                    channel=Channel.IMPORT,
                    association_id=row.group.parent_id,
                )
        self._add_flags([r for r in rows if r.duplicates and not r.problems])

    def _update_members(self, rows: list[Row]) -> None:
        """Write changed members in bulk, audited as services.update_member audits one.

        The rules update_member applies ran already: scope (a row's group and member are the
        user's), check_member on the merged record (in _decide), member numbers never change here,
        and the derived fields are set by the same services.derive_member_fields. Possible
        duplicates are flagged by _add_flags. One UPDATE statement per set of changed columns.
        """
        if not rows:
            return
        whole = {m.pk: m for m in Member.objects.filter(pk__in=[r.member.pk for r in rows])}
        self._attach(whole.values())
        now = timezone.now()
        by_columns: dict[tuple[str, ...], list[Member]] = defaultdict(list)
        members, changes = [], []
        for row in rows:
            member = row.member = whole[row.member.pk]
            before = audit.snapshot(member, services.MEMBER_FIELDS)
            for name, value in row.changes.items():
                setattr(member, name, resolve(value))
            services.derive_member_fields(member, self.districts)
            member.updated_at = now
            changed = audit.diff(before, audit.snapshot(member, services.MEMBER_FIELDS))
            by_columns[tuple(sorted(changed.keys() | _DERIVED))].append(member)
            members.append(member)
            changes.append(changed)
        table = connection.ops.quote_name(Member._meta.db_table)
        for names, group in by_columns.items():
            fields = [Member._meta.get_field(name) for name in (*names, "updated_at")]
            assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
            params = [
                [f.get_db_prep_save(getattr(m, f.attname), connection) for f in fields] + [m.pk]
                for m in group
            ]
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", params)  # noqa: S608
        audit.record_objects(
            actor=self.user,
            action=AuditEvent.Action.UPDATE,
            objects=members,
            changes=changes,
            channel=Channel.IMPORT,
            association_ids=[m.association_id for m in members],
        )

    def _add_villages(self, plans: list[Plan]) -> None:
        """Add the villages planned, each numbered UNION-Vnn after its union's areas, as add_area would."""
        plans = list({id(p): p for p in plans if p.pk is None}.values())
        if not plans:
            return
        unions = {p.parent.pk: p.parent for p in plans}
        counts = dict(
            Area.objects.filter(parent__in=unions).values_list("parent_id").annotate(n=Count("id")).order_by()
        )
        codes = _AreaCodes(
            f"{u.code}-V{n:02d}"
            for u in unions.values()
            for n in range(counts.get(u.pk, 0) + 1, counts.get(u.pk, 0) + 2 * len(plans) + 2)
        )
        villages = []
        for plan in plans:
            union = plan.parent
            n = counts.get(union.pk, 0) + 1
            while codes.in_use(f"{union.code}-V{n:02d}"):
                n += 1
            code = f"{union.code}-V{n:02d}"
            codes.taken.add(code)
            counts[union.pk] = counts.get(union.pk, 0) + 1
            bengali = bool(BENGALI.search(plan.label))
            villages.append(
                Area(
                    level=Area.Level.VILLAGE,
                    code=code,
                    parent=union,
                    path=f"{union.path}{code}/",  # as services.save_area
                    name_en="" if bengali else plan.label,
                    name_bn=plan.label if bengali else "",
                )
            )
        # Audited as services.add_area audits a village: no changes, no association, channel web.
        services.bulk_add(
            actor=self.user,
            channel=Channel.WEB,
            objects=villages,
            fields=[],
            association_ids=[None] * len(plans),
        )
        for plan, village in zip(plans, villages, strict=True):
            plan.obj, plan.pk = village, village.pk
            self._index_village(plan.parent.pk, village)
            self.village_refs[village.pk] = f"p{plan.parent.pk}:{plan.key}"

    def _add_households(self, plans: list[Plan]) -> None:
        # Every plan not yet written, those an earlier batch made too (line -1): had that batch
        # written its household, this one would have found it; its row was bad.
        plans = list({id(p): p for p in plans if p.pk is None}.values())
        if not plans:
            return
        ids = bulk_add_households(
            actor=self.user,
            channel=Channel.IMPORT,
            households=[{"code": p.key, "area_id": p.parent.pk, **p.facts} for p in plans],
            association_ids=[p.association for p in plans],
        )
        for plan, pk in zip(plans, ids, strict=True):
            plan.pk = pk

    def _add_flags(self, rows: list[Row]) -> None:
        pairs: set[tuple[int, int, str]] = set()
        associations = {m.pk: m.association_id for m in self.fetched.values()}
        for row in rows:
            associations[row.member.pk] = row.member.association_id
            for reason, pk, _line, other_row, _label in row.duplicates:
                other = pk or (other_row.member.pk if other_row is not None and other_row.member else None)
                if other and other != row.member.pk:
                    pairs.add((min(other, row.member.pk), max(other, row.member.pk), reason))
        missing = {a for a, _b, _r in pairs if a not in associations}
        if missing:
            associations.update(Member.objects.filter(pk__in=missing).values_list("pk", "association_id"))
        services.flag_pairs(pairs, associations)


class _AreaCodes:
    """Which area codes are in use: the likely ones asked in one query, any other on its own."""

    def __init__(self, likely: Iterable[str]):
        self.asked = set(likely)
        self.taken = {code for (code,) in bulk.select_in(Area._meta.db_table, ["code"], "code", self.asked)}

    def in_use(self, code: str) -> bool:
        if code not in self.asked:
            self.asked.add(code)
            if Area.objects.filter(code=code).exists():
                self.taken.add(code)
        return code in self.taken


def resolve(value: Any) -> Any:
    """The record a value names: itself, or the village or household a plan added."""
    if not isinstance(value, Plan):
        return value
    if value.obj is None:  # a household written through the cursor: built when a record needs it
        value.obj = Household(pk=value.pk, code=value.key, area=resolve(value.parent), **value.facts)
    return value.obj
