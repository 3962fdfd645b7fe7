"""What the pipeline keeps about an import, a row, a planned record and an existing member."""

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import translation

from samiti.registry import services
from samiti.registry.models import Area, Household, Member, Organisation

# The member fields a row may set directly (group, area and household come from codes and names).
VALUE_FIELDS = set(services.MEMBER_FIELDS) - {"code", "group", "area", "household"}
# The household facts a row may give, by column, with the household field each fills.
HOUSEHOLD_COLUMNS = {
    "household_size": "size",
    "income_per_year": "income_per_year",
    "children_under_5": "children_under_5",
}
SHOWN = 500  # bad rows and duplicates kept for the page; the bad-rows CSV holds every one


@dataclass
class Summary:
    """What an import found (and, unless a preview, did); saved as JSON beside the upload."""

    mode: str = "preview"  # preview, all (all-or-nothing) or good (good rows only)
    applied: bool = False
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    duplicates: int = 0  # rows that may be the same person as another record or row
    problems: int = 0  # every problem of every bad row; the first SHOWN are in bad_rows
    bad_rows: list[dict[str, Any]] = field(default_factory=list)
    duplicate_rows: list[dict[str, Any]] = field(default_factory=list)
    new_villages: list[str] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)  # [header, target] as mapped

    @property
    def good(self) -> int:
        return self.new + self.updated + self.unchanged

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Summary":
        return cls(**json.loads(text))


class Seen:
    """What earlier rows of this file claimed, in a private temporary SQLite file (not memory).

    Each entry is a kind (code, member, household, nid, phone, name), a value, the line that
    claimed it and a number: the member the line describes, or for a household its association.
    """

    KINDS = {"code": 1, "member": 2, "household": 3, "nid": 4, "phone": 5, "name": 6}

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "" is a temporary on-disk database, removed on close
        # One b-tree, searched by kind and value: no rowid table beside an index to keep up.
        self.db.execute(
            "CREATE TABLE seen (kind INTEGER, value TEXT, line INTEGER, member INTEGER,"
            " PRIMARY KEY (kind, value, line)) WITHOUT ROWID"
        )

    def find(self, kind: str, values: set[str]) -> dict[str, list[tuple[int, int | None]]]:
        found: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        values_list = list(values)
        for start in range(0, len(values_list), 900):
            chunk = values_list[start : start + 900]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT value, line, member FROM seen WHERE kind = ? AND value IN ({marks})"  # noqa: S608
            for value, line, member in self.db.execute(query, [self.KINDS[kind], *chunk]):
                found[value].append((line, member))
        return found

    def add(self, kind: str, entries: Iterable[tuple[str, int, int | None]]) -> None:
        """Remember (value, line, number) entries of one kind."""
        sql = f"INSERT OR IGNORE INTO seen VALUES ({self.KINDS[kind]:d}, ?, ?, ?)"  # noqa: S608
        self.db.executemany(sql, entries)

    def close(self) -> None:
        self.db.close()


class Plan:
    """A village or household this import adds; `pk` is set once it is written."""

    __slots__ = ("association", "counted", "facts", "key", "label", "line", "obj", "parent", "pk")

    def __init__(
        self, key: str, label: str, line: int, parent: Any = None, facts: dict[str, Any] | None = None
    ):
        self.key, self.label, self.line, self.parent = key, label, line, parent
        self.facts = facts or {}  # a new household's fields: size, income_per_year, children_under_5
        self.pk: int | None = None
        self.obj: Any = None  # the record, once written (a household's only when asked for: resolve)
        self.association: int | None = None
        self.counted = False  # in the summary's new villages


class Row:
    __slots__ = (
        "area", "area_ref", "changes", "code", "duplicates", "group", "household", "household_facts",
        "keys", "line", "member", "name_refs", "problems", "status", "values",
    )  # fmt: skip

    def __init__(self, line: int):
        self.line = line
        self.values: dict[str, Any] = {}
        self.problems: list[tuple[str, str, str]] = []  # (column, value, reason)
        self.group: Organisation | None = None
        self.member: Snapshot | Added | Member | int | None = None  # the existing member the row describes
        self.changes: dict[str, Any] = {}
        self.area: Area | Plan | None = None  # the village named, when it differs or the row is new
        self.area_ref = ""
        self.household: Household | Plan | None = None
        self.household_facts: dict[str, Any] = {}  # new facts for an existing household, by field
        self.keys: set[str] = set()
        self.name_refs: list[str] = []  # "area ref|name key" for each key: a place and a name
        self.code = ""
        self.duplicates: list[tuple[str, int | None, int | None, str]] = []  # reason, member, line, label
        self.status = ""


class Added:
    """A member this import has just written, as later steps need it."""

    __slots__ = ("association_id", "pk")

    def __init__(self, values: dict[str, Any]):
        self.pk, self.association_id = values["id"], values["association_id"]


class Candidate:
    """An existing member as a batch first sees it: what matching and duplicate checks read."""

    __slots__ = (  # noqa: RUF023 (in the order values_list reads them, pk first)
        "pk", "code", "group_id", "area_id", "association_id", "national_id", "phone", "name_key_bn",
        "name_key_en", "sex", "birth_year", "name_bn", "name_en",
    )  # fmt: skip

    def __init__(self, values: Sequence[Any]):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    def label(self) -> str:
        bengali = (translation.get_language() or "").startswith("bn")
        name = (self.name_bn or self.name_en) if bengali else (self.name_en or self.name_bn)
        return f"{self.code} {name}"


class Snapshot:
    """An existing member as an import compares it with a row: its values, group and area."""

    FIELDS = ["pk", "code", "group_id", "area_id", "household_id", "association_id", *sorted(VALUE_FIELDS)]

    def __init__(self, values: Sequence[Any]):
        self.__dict__.update(zip(self.FIELDS, values, strict=True))
        self.group: Organisation | None = None
        self.area: Area | None = None
