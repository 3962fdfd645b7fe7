"""The import pipeline: batches of rows looked up, decided and (unless a preview) written."""

import csv
import datetime
import gc
import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import bulk
from samiti.registry import services
from samiti.registry.importing.columns import LABELS, check_mapping
from samiti.registry.importing.files import ImportFileError, open_table
from samiti.registry.importing.parsing import RowReader
from samiti.registry.importing.rows import (
    HOUSEHOLD_COLUMNS,
    SHOWN,
    VALUE_FIELDS,
    Candidate,
    Plan,
    Row,
    Seen,
    Snapshot,
    Summary,
)
from samiti.registry.importing.values import (
    format_taka,
    place_key,
)
from samiti.registry.importing.writing import Writing
from samiti.registry.models import Area, DuplicateFlag, Household, Member, Organisation, User
from samiti.registry.queries import groups_for, members_for

BATCH_SIZE = 1000
DUPLICATES_PER_REASON = 20  # a dummy phone shared by hundreds says nothing about people
CHECKED_FIELDS = [f for f in services.MEMBER_FIELDS if f not in ("area", "household")]
IDENTITY_FIELDS = ["name_bn", "name_en", "sex", "birth_year", "phone", "national_id"]
FLAG_FIELDS = {"phone", "national_id", "name_bn", "name_en", "area"}
_UNION_DEPTH = Area.ORDER.index(Area.Level.UNION)


class Run(Writing):
    """One pass over a file: rows parsed one by one, then decided and written a batch at a time."""

    def __init__(
        self,
        *,
        user: User | None,
        headers: list[str],
        mapping: Sequence[str],
        write: bool,
        good_rows_only: bool,
        summary: Summary,
        bad_out: Any,
        today: datetime.date,
    ):
        self.user, self.write, self.good_rows_only = user, write, good_rows_only
        self.summary, self.bad_out, self.today = summary, bad_out, today
        self.reader = RowReader(
            headers=headers, mapping=mapping, sensitive_ok=user is None or user.sees_sensitive, today=today
        )
        self.header_of = self.reader.header_of
        self.groups: dict[str, Organisation | None] = {}
        self.groups_by_id: dict[int, Organisation] = {}
        self.areas: dict[int, Area] = {}
        self.roots: dict[int, Area | None] = {}  # group → the union whose villages its rows name
        self.villages: dict[int, dict[str, list[Area]]] = {}  # root → place key → villages
        self.planned_villages: dict[tuple[int, str], Plan] = {}
        self.village_refs: dict[int, str] = {}  # villages added by this import keep their planned ref
        self.counters: dict[int, int] = {}
        self.claimed: set[str] = set()  # member numbers new rows of this file ask for
        self.districts: dict[str, int] = {}
        self.seen = Seen()
        self.watermark = Member.objects.aggregate(last=Max("pk"))["last"] or 0

    def problem(self, row: Row, target: str, reason: Any) -> None:
        value = row.values.get(target, "")
        shown = value.code if isinstance(value, Organisation) else value
        if target == "income_per_year" and isinstance(value, int):
            shown = format_taka(value)
        header = self.header_of.get(target) or str(LABELS.get(target, target))
        row.problems.append((header, str(shown)[:100] if shown not in (None, "") else "", str(reason)))

    # Lookups, a fixed number per batch.

    def _load_groups(self, rows: list[Row]) -> None:
        codes = {r.values["group_code"] for r in rows if "group_code" in r.values} - self.groups.keys()
        if not codes:
            return
        scope = (
            groups_for(self.user)
            if self.user is not None
            else Organisation.objects.filter(kind=Organisation.Kind.GROUP, status__in=["active", "forming"])
        )
        found = {g.code: g for g in scope.filter(code__in=codes).select_related("area")}
        for code in codes:
            self.groups[code] = found.get(code)
        for group in found.values():
            self.groups_by_id[group.pk] = group
            self.areas[group.area_id] = group.area
        counts = dict(
            Member.objects.filter(group__in=found.values()).values_list("group_id").annotate(n=Count("id"))
        )
        for group in found.values():
            self.counters.setdefault(group.pk, counts.get(group.pk, 0))
        roots_by_code: dict[str, list[Organisation]] = defaultdict(list)
        for group in found.values():
            codes_down = group.area.ancestor_codes()
            if len(codes_down) > _UNION_DEPTH:
                roots_by_code[codes_down[_UNION_DEPTH]].append(group)
            else:
                self.roots[group.pk] = group.area
        unions = {a.code: a for a in Area.objects.filter(code__in=roots_by_code)}
        for code, groups in roots_by_code.items():
            for group in groups:
                self.roots[group.pk] = unions.get(code)
        new_roots = {r.pk: r for g in found.values() if (r := self.roots[g.pk]) and r.pk not in self.villages}
        if not new_roots:
            return
        paths = Q()
        for root in new_roots.values():
            self.villages[root.pk] = defaultdict(list)
            paths |= Q(path__startswith=root.path)
        roots_by_path = {root.path: root for root in new_roots.values()}
        for village in Area.objects.filter(paths, level=Area.Level.VILLAGE):
            path = "/"  # the paths of the village's areas, down from the top: those that are roots hold it
            for code in village.ancestor_codes():
                path += f"{code}/"
                if root := roots_by_path.get(path):
                    self._index_village(root.pk, village)

    def _index_village(self, root_id: int, village: Area) -> None:
        self.areas[village.pk] = village
        for name in {village.name_en, village.name_bn, village.code}:
            if name:
                self.villages[root_id][place_key(name)].append(village)

    def _candidates(self, column: str, values: Collection[Any], live: bool = True) -> list["Candidate"]:
        """Members whose `column` is one of `values`, as light tuples: most are looked at, few are
        needed whole.

        Members this import adds are left out, so an import matches rows as its preview did; what
        earlier rows of the file said is in self.seen.
        """
        if not self.watermark or not values:  # the register had no member when the import began
            return []
        # Merged records and members this import added are left out here, not in SQL: there either
        # condition can lead SQLite to scan the table instead of using the index for `column`.
        found = []
        names = ["id", *Candidate.__slots__[1:], "merged_into_id"]
        for *row, merged_into in bulk.select_in(Member._meta.db_table, names, column, values):
            if row[0] > self.watermark or (live and merged_into is not None):
                continue
            candidate = self.fetched.get(row[0])
            if candidate is None:
                candidate = self.fetched[row[0]] = Candidate(row)
            found.append(candidate)
        return found

    def _same_names(self, field: str, pairs: dict[int, set[str]]) -> list["Candidate"]:
        """Members with one of the name keys asked for in their group (or area), and no others."""
        if not self.watermark or not any(pairs.values()):
            return []
        wanted = _same_name_ids(field, pairs)
        return self._candidates("id", wanted)

    def _load_members(self, rows: list[Row]) -> None:
        """Read the members that rows describe, as snapshots with their group and area from the caches.

        Most rows of a file imported again change nothing: the whole record is read only to change it.
        """
        ids = {r.member for r in rows if isinstance(r.member, int)}
        if not ids:
            return
        found = Member.objects.filter(pk__in=ids).values_list(*Snapshot.FIELDS)
        members = {values[0]: Snapshot(values) for values in found}
        self._attach(members.values())
        for row in rows:
            if isinstance(row.member, int):
                row.member = members[row.member]

    def _attach(self, members: Iterable[Any]) -> None:
        """Give members their group and area objects, from the caches (filled as needed)."""
        missing = {m.group_id for m in members} - self.groups_by_id.keys()
        for group in Organisation.objects.filter(pk__in=missing).select_related("area"):
            self.groups_by_id[group.pk] = group
        missing = {m.area_id for m in members} - self.areas.keys()
        self.areas.update((a.pk, a) for a in Area.objects.filter(pk__in=missing))
        for member in members:
            member.group = self.groups_by_id[member.group_id]
            member.area = self.areas[member.area_id]

    def _in_scope(self, members: Iterable["Candidate"]) -> set[int]:
        ids = {m.pk for m in members}
        if self.user is None or not ids:
            return ids
        return set(members_for(self.user).filter(pk__in=ids).values_list("pk", flat=True))

    # One batch: look up, decide row by row, write.

    def batch(self, rows: list[Row]) -> None:
        self.fetched: dict[int, Candidate] = {}
        self._load_groups(rows)
        good = [r for r in rows if not r.problems]
        for row in good:
            row.group = self.groups.get(row.values.get("group_code", ""))
            if row.group is None:
                self.problem(row, "group_code", _("Unknown group: no group with this code is open to you."))
        good = [r for r in good if not r.problems]
        codes = {r.values["code"] for r in good if "code" in r.values}
        by_code = {m.code: m for m in self._candidates("code", codes, live=False)}
        by_nid: dict[str, list[Candidate]] = defaultdict(list)
        nids = {r.values["national_id"] for r in good if "national_id" in r.values}
        for m in self._candidates("national_id", nids):
            by_nid[m.national_id].append(m)
        by_phone: dict[str, list[Candidate]] = defaultdict(list)
        phones = {r.values["phone"] for r in good if "phone" in r.values}
        for m in self._candidates("phone", phones):
            by_phone[m.phone].append(m)
        in_scope = self._in_scope(self.fetched.values())
        # Only rows that number, national ID and phone cannot place need members looked up by name.
        pairs: dict[int, set[str]] = defaultdict(set)
        for row in good:
            if self._needs_names(row, by_nid, by_phone, in_scope):
                pairs[row.group.pk] |= row.keys
        by_group_key: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
        for m in self._same_names("group_id", pairs):
            for key in {m.name_key_bn, m.name_key_en} & pairs[m.group_id]:
                by_group_key[(m.group_id, key)].append(m)
        in_scope |= self._in_scope(m for m in self.fetched.values() if m.pk not in in_scope)
        # Members earlier rows of the file describe are not candidates for this one.
        self.touched = {int(pk) for pk in self.seen.find("member", {str(pk) for pk in self.fetched})}
        for row in good:
            self._match(row, by_code, by_nid, by_phone, by_group_key, in_scope)
            if isinstance(row.member, int):
                self.touched.add(row.member)
        self._load_members(good)
        for row in good:
            if not row.problems:
                self._place(row)
        good = [r for r in good if not r.problems]

        households = self._households(good)
        seen = {
            kind: self.seen.find(kind, values)
            for kind, values in (
                ("code", {r.values.get("code") or (r.member.code if r.member else "") for r in good} - {""}),
                ("member", {str(r.member.pk) for r in good if r.member}),
                ("household", {r.values["household_code"] for r in good if "household_code" in r.values}),
            )
        }
        local: dict[str, dict[str, list[tuple[int, Row]]]] = defaultdict(lambda: defaultdict(list))
        for row in good:
            self._decide(row, seen, local, households)
            if not row.problems:
                if row.code:
                    local["code"][row.code].append((row.line, row))
                if row.member is not None:
                    local["member"][str(row.member.pk)].append((row.line, row))
        good = [r for r in good if not r.problems]

        # Possible duplicates, for new rows and rows that change who or where a member is.
        flagged = [r for r in good if r.status == "new" or FLAG_FIELDS & r.changes.keys()]
        pairs = defaultdict(set)
        for row in flagged:
            row.name_refs = [f"{row.area_ref}|{k}" for k in row.keys]
            area = row.area or (row.member.area if row.member else row.group.area)
            if isinstance(area, Area):
                pairs[area.pk] |= row.keys
        by_area_key: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
        for m in self._same_names("area_id", pairs):
            for key in {m.name_key_bn, m.name_key_en} & pairs[m.area_id]:
                by_area_key[(m.area_id, key)].append(m)
        in_scope |= self._in_scope(m for m in self.fetched.values() if m.pk not in in_scope)
        seen |= {
            kind: self.seen.find(kind, values)
            for kind, values in (
                ("nid", {r.values["national_id"] for r in flagged if "national_id" in r.values}),
                ("phone", {r.values["phone"] for r in flagged if "phone" in r.values}),
                ("name", {ref for r in flagged for ref in r.name_refs}),
            )
        }
        flagged_lines = {r.line for r in flagged}
        for row in good:
            if row.line in flagged_lines:
                self._find_duplicates(row, seen, local, by_nid, by_phone, by_area_key, in_scope)
                self._remember(row, local)
        self._assign_codes([r for r in good if r.status == "new"], local)

        for row in rows:
            self._count(row)
        if self.write and not (self.summary.bad and not self.good_rows_only):
            self._write([r for r in rows if not r.problems and r.status in ("new", "updated")])
        # A household's rows remember their association, so a later batch of the preview refuses
        # another association's member as the import would; other rows remember their member.
        for kind, entries in local.items():
            self.seen.add(
                kind,
                (
                    (
                        value,
                        line,
                        row.group.parent_id if kind == "household" else row.member.pk if row.member else None,
                    )
                    for value, refs in entries.items()
                    for line, row in refs
                ),
            )

    # Deciding, row by row.

    def _one(self, row: Row, found: list["Candidate"]) -> bool:
        if len(found) > 1:
            # Prefer the record that says exactly what the row says about who the person is. Records
            # that cannot be told apart by it (flagged as duplicates when they came in) are taken in
            # the order they were registered, so a file imported again meets them in the same order.
            given = [f for f in IDENTITY_FIELDS if f in row.values]
            exact = [m for m in found if all(getattr(m, f) == row.values[f] for f in given)]
            found = sorted(exact, key=lambda m: m.pk)[:1] if exact else found
        if len(found) == 1:
            row.member = found[0].pk
        elif len(found) > 1:
            codes = ", ".join(sorted(m.code for m in found)[:5])
            self.problem(
                row,
                "code",
                _("This row matches several members (%(codes)s): give the member number.") % {"codes": codes},
            )
        return bool(found)

    def _needs_names(
        self,
        row: Row,
        by_nid: dict[str, list[Candidate]],
        by_phone: dict[str, list[Candidate]],
        in_scope: set[int],
    ) -> bool:
        """Whether only rule 4 (name, sex and year of birth in the group) can place this row."""
        values = row.values
        if "code" in values or "sex" not in values or not row.keys:
            return False
        nid = values.get("national_id")
        if nid and any(m.pk in in_scope for m in by_nid.get(nid, ())):
            return False
        return not any(self._same_person(row, m) for m in by_phone.get(values.get("phone", ""), ()))

    def _same_person(self, row: Row, m: "Candidate") -> bool:
        """Same group, a name key in common, and no national ID that says otherwise."""
        nid = row.values.get("national_id")
        return (
            m.group_id == row.group.pk
            and bool({m.name_key_bn, m.name_key_en} & row.keys)
            and not (nid and m.national_id and m.national_id != nid)
        )

    def _match(
        self,
        row: Row,
        by_code: dict[str, "Candidate"],
        by_nid: dict[str, list["Candidate"]],
        by_phone: dict[str, list["Candidate"]],
        by_group_key: dict[tuple[int, str], list["Candidate"]],
        in_scope: set[int],
    ) -> None:
        """Find the member a row describes: by number, national ID, phone and name, or name, sex and year."""
        values = row.values
        if code := values.get("code"):
            member = by_code.get(code)
            if member is not None and member.pk not in in_scope:
                self.problem(row, "code", _("Member number %(code)s is taken.") % {"code": code})
            row.member = member.pk if member else None
            return
        touched = self.touched  # members in scope and not described by an earlier row are usable
        nid = values.get("national_id")
        if (found := by_nid.get(nid)) and self._one(
            row, [m for m in found if m.pk in in_scope and m.pk not in touched]
        ):
            return
        phone = values.get("phone")
        if (found := by_phone.get(phone)) and self._one(
            row, [m for m in found if m.pk in in_scope and m.pk not in touched and self._same_person(row, m)]
        ):
            return
        if "sex" in values and by_group_key:
            year = values.get("birth_year")
            same = {
                m.pk: m
                for key in row.keys
                for m in by_group_key.get((row.group.pk, key), ())
                if m.pk in in_scope and m.pk not in touched and self._same_person(row, m)
            }
            self._one(row, [m for m in same.values() if m.sex == values["sex"] and m.birth_year == year])

    def _place(self, row: Row) -> None:
        """Find the village a row names among the villages of its group's union, or plan to add it."""
        name = row.values.get("village")
        current = row.member.area if row.member else None
        if name:
            key = place_key(name)
            if current is not None and key in {
                place_key(n) for n in (current.name_en, current.name_bn, current.code) if n
            }:
                row.area = current
            else:
                root = self.roots.get(row.group.pk)
                options = self.villages.get(root.pk, {}).get(key, []) if root else []
                if len(options) > 1:
                    self.problem(
                        row, "village", _("Several villages here have this name: give the village code.")
                    )
                elif options:
                    row.area = options[0]
                elif root is None or root.level not in (Area.Level.UNION, Area.Level.WARD):
                    self.problem(
                        row,
                        "village",
                        _("The group's area is not within a union: its villages cannot be added."),
                    )
                else:
                    plan = self.planned_villages.get((root.pk, key))
                    if plan is None:
                        plan = self.planned_villages[(root.pk, key)] = Plan(key, name, row.line, parent=root)
                    row.area = plan
        area = row.area or current or row.group.area
        if isinstance(area, Plan):
            row.area_ref = f"p{area.parent.pk}:{area.key}"
        else:
            pk = area.pk
            row.area_ref = self.village_refs.get(pk) or str(pk)

    def _households(self, rows: list[Row]) -> dict[str, Household]:
        """The households rows name that exist, and the associations their members belong to."""
        codes = {r.values["household_code"] for r in rows if "household_code" in r.values}
        self.household_associations: dict[str, set[int]] = defaultdict(set)
        if not codes:
            return {}
        # Most codes of a file are new: the ORM reads only those that exist.
        ids = [pk for (pk,) in bulk.select_in(Household._meta.db_table, ["id"], "code", codes)]
        if not ids:
            return {}
        found = {h.code: h for h in Household.objects.filter(pk__in=ids)}
        members = Member.objects.filter(household__in=found.values())
        for code, association in members.values_list("household__code", "association_id"):
            self.household_associations[code].add(association)
        return found

    def _decide(self, row: Row, seen: dict, local: dict, households: dict[str, Household]) -> None:
        """Say whether a row is new, updated, unchanged or bad (whose problems it then carries)."""
        values, member = row.values, row.member
        code = values.get("code") or (member.code if member else "")
        if code:
            earlier = seen["code"].get(code) or local["code"].get(code)
            if earlier:
                self.problem(
                    row,
                    "code",
                    _("Line %(line)d of this file has the same member number.") % {"line": earlier[0][0]},
                )
                return
        if member is not None:
            earlier = seen["member"].get(str(member.pk)) or local["member"].get(str(member.pk))
            if earlier:
                self.problem(
                    row,
                    "code",
                    _("Line %(line)d of this file already describes this member (%(code)s).")
                    % {"line": earlier[0][0], "code": member.code},
                )
                return
        household: Household | Plan | None = None
        if hh_code := values.get("household_code"):
            if self._other_association(row, hh_code, seen, local):  # as services.place_in_household
                self.problem(
                    row,
                    "household_code",
                    _("Household %(code)s belongs to another association's members.") % {"code": hh_code},
                )
                return
            facts = {name: values[column] for column, name in HOUSEHOLD_COLUMNS.items() if column in values}
            household = households.get(hh_code)
            earlier_here = local["household"].get(hh_code)
            earlier = earlier_here or seen["household"].get(hh_code)
            if household is None and earlier_here:
                household = earlier_here[0][1].household
            elif household is None:
                # A new household: this row plans it, unless (in a preview) an earlier batch did.
                line = -1 if earlier else row.line
                household = Plan(hh_code, hh_code, line, facts=facts)
                household.parent = row.area or (member.area if member else row.group.area)
                household.association = row.group.parent_id
                self._check_household(row, facts)
            elif not earlier:
                new_facts = {
                    name: value for name, value in facts.items() if getattr(household, name) != value
                }
                if new_facts:
                    self._check_household(
                        row, {n: getattr(household, n) for n in HOUSEHOLD_COLUMNS.values()} | facts
                    )
                    row.household_facts = new_facts
            local["household"][hh_code].append((row.line, row))
        row.household = household
        if member is None:
            # check_member reads member fields only: the row's other values (village...) go unread.
            fields = values | {"group": row.group}
            fields.setdefault("joined_on", self.today)  # as the register will record it
            for target, reason in services.check_member(fields, today=self.today).items():
                self.problem(row, target, reason)
            row.code, row.status = code, "new"
            if code:
                self.claimed.add(code)
            return
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if name not in VALUE_FIELDS:
                continue
            current = getattr(member, name)
            if (set(value) != set(current or ())) if name == "main_crops" else current != value:
                changes[name] = value
        if row.group.pk != member.group_id:
            changes["group"] = row.group
        if row.area is not None and (isinstance(row.area, Plan) or row.area.pk != member.area_id):
            changes["area"] = row.area
        if household is not None and (isinstance(household, Plan) or household.pk != member.household_id):
            changes["household"] = household
        if changes:
            merged = {f: getattr(member, f) for f in CHECKED_FIELDS} | changes
            for target, reason in services.check_member(merged, today=self.today).items():
                self.problem(row, target, reason)
        row.code, row.changes = member.code, changes
        row.status = "updated" if changes or row.household_facts else "unchanged"

    def _other_association(self, row: Row, hh_code: str, seen: dict, local: dict) -> bool:
        """Whether the household's members (registered or earlier in the file) are another association's."""
        known = self.household_associations.get(hh_code, ())
        earlier = seen["household"].get(hh_code, ())
        here = local["household"].get(hh_code, ())
        if not (known or earlier or here):
            return False
        association = row.group.parent_id
        return (
            association not in known
            and all(a != association for _line, a in earlier)
            and all(r.group.parent_id != association for _line, r in here)
        )

    def _check_household(self, row: Row, facts: dict[str, Any]) -> None:
        """As services.place_in_household checks a household's facts; problems go to their columns."""
        by_column = {column: facts.get(name) for column, name in HOUSEHOLD_COLUMNS.items()}
        for target, reason in services.check_household(by_column).items():
            self.problem(row, target, reason)

    def _find_duplicates(
        self,
        row: Row,
        seen: dict,
        local: dict,
        by_nid: dict[str, list["Candidate"]],
        by_phone: dict[str, list["Candidate"]],
        by_area_key: dict[tuple[int, str], list["Candidate"]],
        in_scope: set[int],
    ) -> None:
        """Note who else, in the register or earlier in the file, may be this row's person."""
        values = row.values
        if nid := values.get("national_id"):
            members = by_nid.get(nid, ())
            self._note(
                row, DuplicateFlag.Reason.NATIONAL_ID, members, seen["nid"], local["nid"], (nid,), in_scope
            )
        if phone := values.get("phone"):
            members = by_phone.get(phone, ())
            self._note(
                row, DuplicateFlag.Reason.PHONE, members, seen["phone"], local["phone"], (phone,), in_scope
            )
        if row.keys:
            members = []
            if by_area_key:
                area = row.area or (row.member.area if row.member else row.group.area)
                area_id = area.pk if isinstance(area, Area) else None
                members = [m for k in row.keys for m in by_area_key.get((area_id, k), ())]
            self._note(
                row, DuplicateFlag.Reason.NAME, members, seen["name"], local["name"], row.name_refs, in_scope
            )

    def _note(
        self,
        row: Row,
        reason: str,
        members: Sequence["Candidate"],
        earlier_rows: dict[str, list[tuple[int, int | None]]],
        rows_here: dict[str, list[tuple[int, Row]]],
        keys: Sequence[str],
        in_scope: set[int],
    ) -> None:
        """Note the members, and the lines of this file, that share one of `keys` with a row."""
        for key in keys:
            if key in earlier_rows or key in rows_here:
                break
        else:
            if not members:
                return  # as for most rows: nobody else has this
        pks: set[int | None] = {row.member.pk if row.member else None}
        for m in members:
            if m.pk not in pks and len(pks) <= DUPLICATES_PER_REASON:
                pks.add(m.pk)
                label = m.label() if m.pk in in_scope else None
                row.duplicates.append((reason, m.pk, None, None, label))
        lines: set[int] = set()
        for key in keys:
            earlier = [(line, pk, None) for line, pk in earlier_rows.get(key, ())]
            earlier += [(line, r.member.pk if r.member else None, r) for line, r in rows_here.get(key, ())]
            for line, pk, other_row in earlier:
                if line in lines or (pk is not None and pk in pks) or len(lines) >= DUPLICATES_PER_REASON:
                    continue
                lines.add(line)
                label = str(_("line %(line)d of this file") % {"line": line})
                row.duplicates.append((reason, pk, line, other_row, label))

    def _remember(self, row: Row, local: dict) -> None:
        """Note what a new or changed row says, for the duplicate checks of later rows."""
        if nid := row.values.get("national_id"):
            local["nid"][nid].append((row.line, row))
        if phone := row.values.get("phone"):
            local["phone"][phone].append((row.line, row))
        for ref in row.name_refs:
            local["name"][ref].append((row.line, row))

    def _assign_codes(self, rows: list[Row], local: dict) -> None:
        """Number new members GROUP-001, -002, ... after the group's count, skipping numbers in use."""
        pending: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            if not row.code:
                pending[row.group.pk].append(row)
        claimed = self.claimed
        while pending:  # one query a round; a second round only when numbers were taken
            windows: dict[int, list[tuple[int, str]]] = {}
            for group_id, waiting in pending.items():
                n, window, group_code = self.counters[group_id], [], waiting[0].group.code
                while len(window) < len(waiting):
                    n += 1
                    code = f"{group_code}-{n:03d}"
                    if code not in claimed:
                        window.append((n, code))
                windows[group_id] = window
            codes = [code for window in windows.values() for _n, code in window]
            taken = {code for (code,) in bulk.select_in(Member._meta.db_table, ["code"], "code", codes)}
            for group_id, window in windows.items():
                free = [code for _n, code in window if code not in taken]
                waiting = pending.pop(group_id)
                for row, code in zip(waiting, free, strict=False):
                    row.code = code
                self.counters[group_id] = window[-1][0]
                if len(free) < len(waiting):
                    pending[group_id] = waiting[len(free) :]
        numbered = local["code"]
        for row in rows:
            if row.code not in numbered:
                numbered[row.code].append((row.line, row))

    def _count(self, row: Row) -> None:
        summary = self.summary
        summary.rows += 1
        if row.problems:
            summary.bad += 1
            for column, value, reason in row.problems:
                summary.problems += 1
                self.bad_out.writerow([row.line, column, value, reason])
                if len(summary.bad_rows) < SHOWN:
                    summary.bad_rows.append(
                        {"line": row.line, "column": column, "value": value, "reason": reason}
                    )
            return
        setattr(summary, row.status, getattr(summary, row.status) + 1)
        if row.duplicates:
            summary.duplicates += 1
            for reason, _pk, _line, _row, label in row.duplicates:
                if label and len(summary.duplicate_rows) < SHOWN:
                    reason_label = str(DuplicateFlag.Reason(reason).label)
                    summary.duplicate_rows.append({"line": row.line, "reason": reason_label, "other": label})
        if isinstance(row.area, Plan) and not row.area.counted:
            row.area.counted = True
            summary.new_villages.append(f"{row.area.label} ({row.area.parent})")


def _same_name_ids(field: str, pairs: dict[int, set[str]]) -> list[int]:
    """Ids of members whose (group or area, name key) is one of `pairs`.

    No index holds the name keys (each index slows every insert: migration 0003 dropped them), so
    the database reads the members of each group or area asked for once, and keeps those whose
    (group or area, key) is among the pairs, which it looks up in an index it makes of them. Half
    the time of a join on the pairs, which reads a group's or area's members once per pair.
    """
    flat = [(owner, key) for owner, keys in pairs.items() for key in keys]
    table = connection.ops.quote_name(Member._meta.db_table)
    column = {"group_id": "group_id", "area_id": "area_id"}[field]
    ids: set[int] = set()
    for start in range(0, len(flat), 5000):
        chunk = flat[start : start + 5000]
        wanted = ", ".join(["(%s, %s)"] * len(chunk))
        # Only parameter marks and names from the model go into the text; the values are parameters.
        sql = (
            f"WITH p(a, k) AS (VALUES {wanted}) SELECT m.id FROM {table} m"  # noqa: S608
            f" WHERE m.{column} IN (SELECT a FROM p) AND ((m.{column}, m.name_key_bn) IN (SELECT a, k FROM p)"
            f" OR (m.{column}, m.name_key_en) IN (SELECT a, k FROM p))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for pair in chunk for value in pair])
            ids.update(pk for (pk,) in cursor.fetchall())
    return list(ids)


def _batches(
    rows: Iterator[tuple[int, Sequence[Any]]], size: int
) -> Iterator[list[tuple[int, Sequence[Any]]]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


class _NoFile:
    def writerow(self, row: list[Any]) -> None:
        pass


def run_import(
    *,
    path: Path,
    mapping: Sequence[str],
    user: User | None,
    apply: bool = False,
    good_rows_only: bool = False,
    bad_rows_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
    today: datetime.date | None = None,
) -> Summary:
    """Preview (apply=False) or import a member file; return what was found or done.

    Importing writes nothing when any row is bad, unless `good_rows_only`, when it writes exactly
    the good rows. Every bad row goes to `bad_rows_path` as a CSV of line, column, value, reason.
    """
    check_mapping(mapping)
    summary = Summary(mode=("good" if good_rows_only else "all") if apply else "preview")
    today = today or timezone.localdate()
    with open_table(path) as table:
        if len(mapping) != len(table.headers):
            raise ImportFileError(_("The mapping does not fit this file's columns."))
        summary.columns = [[h, t] for h, t in zip(table.headers, mapping, strict=True)]
        handle = open(bad_rows_path, "w", encoding="utf-8-sig", newline="") if bad_rows_path else None  # noqa: SIM115
        try:
            bad_out = csv.writer(handle) if handle else _NoFile()
            bad_out.writerow(["line", "column", "value", "reason"])
            run = Run(
                user=user,
                headers=table.headers,
                mapping=mapping,
                write=apply,
                good_rows_only=good_rows_only,
                summary=summary,
                bad_out=bad_out,
                today=today,
            )
            with _collector_paused(), transaction.atomic() if apply else _nothing():
                for chunk in _batches(table.rows, BATCH_SIZE):
                    run.batch([run.reader.row(line, cells) for line, cells in chunk])
                    if progress is not None:
                        progress(len(chunk))
                summary.applied = apply and (good_rows_only or summary.bad == 0)
                if apply and not summary.applied:
                    transaction.set_rollback(True)
        finally:
            run.seen.close()
            if handle:
                handle.close()
    return summary


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Run without the garbage collector's automatic passes; they resume as before after.

    An import allocates a few small containers per cell, and each pass of the collector that
    this sets off walks the batch's live rows, and every so often every object of the process
    (Django's too): a sixth of the import's time. The import makes no reference cycles of its
    own (after 10,000 rows a full pass finds a dozen objects), so its memory stays flat meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
