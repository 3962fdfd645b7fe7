"""Cells of the CSV and XLSX files Samiti writes, safe to open in a spreadsheet."""

import datetime
from typing import Any

# Text starting with one of these runs as a formula when a spreadsheet opens a CSV file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula gets a leading apostrophe.

    The member import drops that apostrophe again, so an export still re-imports as "unchanged".
    """
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(value: Any) -> Any:
    """An XLSX cell; openpyxl would write text starting with "=" as a formula."""
    return "'" + value if isinstance(value, str) and value.startswith("=") else value


class Echo:
    """A file for `csv.writer` that hands each line back, so a response can stream them."""

    def write(self, value: str) -> str:
        return value
