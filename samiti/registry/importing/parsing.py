"""Reading a file's rows into typed values, each distinct cell of a column read once."""

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from samiti.registry.importing.columns import SENSITIVE_COLUMNS
from samiti.registry.importing.rows import Row
from samiti.registry.importing.values import BENGALI, SKIP, Bad, cached_name_key, forbidden, parsers

# Distinct cells remembered per column: names, choices, numbers and dates repeat down a file, so
# most cells are looked up, not read again. Bounded, so memory stays flat however long the file is.
MEMO_SIZE = 4096
# Columns whose cells rarely repeat: read each time, not remembered.
IDENTIFIERS = {"code", "phone", "national_id", "household_code"}

# What one cell says: None (nothing), (target, value), or (None, problem as (column, value, reason)).
Outcome = tuple[str | None, Any] | None
_UNSEEN = object()


class RowReader:
    """Turns a file's rows into Rows: typed values by target, and a problem for each bad cell.

    Rows with the same cell share the value read from it (a list of crops, say): never change a
    row's values in place.
    """

    def __init__(
        self, *, headers: list[str], mapping: Sequence[str], sensitive_ok: bool, today: datetime.date
    ):
        self.today = today
        self.header_of = {t: (headers[i] or f"#{i + 1}") for i, t in enumerate(mapping) if t}
        readers = parsers()
        self.columns = [
            (
                i,
                None if t in IDENTIFIERS else {},
                self._reader(t, readers[t] if sensitive_ok or t not in SENSITIVE_COLUMNS else forbidden),
            )
            for i, t in enumerate(mapping)
            if t
        ]
        self.width = len(mapping)
        for target, stands_for in (("name", "name_en"), ("name", "name_bn"), ("age", "birth_year")):
            if target in self.header_of:
                self.header_of.setdefault(stands_for, self.header_of[target])
        self.header_of.setdefault("group", self.header_of.get("group_code", "group_code"))

    def _reader(self, target: str, parser: Callable[[Any], Any]) -> Callable[[Any], Outcome]:
        header = self.header_of[target]

        def read(raw: Any) -> Outcome:
            if type(raw) is str:
                if not raw or raw.isspace():
                    return None
                if raw[0] == "'":  # marks text in spreadsheets (and in our exports)
                    raw = raw[1:]
                    if not raw or raw.isspace():
                        return None
            elif raw is None:
                return None
            try:
                value = parser(raw)
            except Bad as bad:
                return None, (header, str(raw)[:100], bad.reason)
            if value is SKIP:
                return None
            if target == "name":
                return ("name_bn" if BENGALI.search(value) else "name_en"), value
            return target, value

        return read

    def row(self, line: int, cells: Sequence[Any]) -> Row:
        row = Row(line)
        values = row.values
        if len(cells) < self.width:  # a short line: its last cells are blank
            cells = [*cells, *[None] * (self.width - len(cells))]
        for index, memo, read in self.columns:
            raw = cells[index]
            # Other cells (numbers and dates of a spreadsheet, identifiers) are read each time.
            if memo is not None and type(raw) is str:
                outcome = memo.get(raw, _UNSEEN)
                if outcome is _UNSEEN:
                    outcome = read(raw)
                    if len(memo) < MEMO_SIZE:
                        memo[raw] = outcome
            else:
                outcome = read(raw)
            if outcome is not None:
                target, value = outcome
                if target is None:
                    row.problems.append(value)
                else:
                    values[target] = value
        if "age" in values:
            age = values.pop("age")
            if "birth_year" not in values and "birth_date" not in values:
                values["birth_year"] = self.today.year - age
        if "birth_date" in values:
            values["birth_year"] = values["birth_date"].year
        row.keys = {
            k
            for k in (cached_name_key(values.get("name_bn", "")), cached_name_key(values.get("name_en", "")))
            if k
        }
        return row
