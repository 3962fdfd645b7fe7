"""Reading member files: CSV (any common encoding and separator) and XLSX, as streams of rows."""

import codecs
import csv
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.exceptions import InvalidFileException

from samiti.registry.services import RegistryError


class ImportFileError(RegistryError):
    """The file as a whole cannot be read or mapped; no row was looked at."""

    code = "import_file"


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, Sequence[Any]]]  # (line number as the user sees it, cells)
    total: int | None  # data rows, when the format says so cheaply


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open a CSV or XLSX file (told apart by content, not name) as a stream of rows."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"PK\x03\x04"):
        with _open_xlsx(path) as table:
            yield table
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV."))
    else:
        with _open_csv(path, head) as table:
            yield table


def _csv_encoding(path: Path, head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head[:200].count(b"\x00") > 10:  # UTF-16 written without its byte-order mark
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError(
        _("The file's text could not be read. Save it as “CSV UTF-8” (in Excel: Save As › CSV UTF-8).")
    )


@contextmanager
def _open_csv(path: Path, head: bytes) -> Iterator[Table]:
    encoding = _csv_encoding(path, head)
    with open(path, encoding=encoding, newline="") as handle:
        first = handle.readline()
        delimiter = max(",;\t", key=first.count)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            headers = next(reader, [])
        except csv.Error as error:
            raise ImportFileError(
                _("The file is not a readable CSV file: %(error)s") % {"error": error}
            ) from error

        def rows() -> Iterator[tuple[int, Sequence[Any]]]:
            try:
                for line, cells in enumerate(reader, start=2):
                    if "".join(cells).strip():  # not a blank line
                        yield line, cells
            except csv.Error as error:
                raise ImportFileError(
                    _("The file is not a readable CSV file (line %(line)d): %(error)s")
                    % {"line": reader.line_num, "error": error}
                ) from error

        yield Table(headers=[h.strip() for h in headers], rows=rows(), total=None)


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise ImportFileError(
            _("The spreadsheet could not be opened: %(error)s") % {"error": error}
        ) from error
    try:
        sheet = book.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        headers = ["" if h is None else str(h).strip() for h in next(cells, ())]

        def rows() -> Iterator[tuple[int, Sequence[Any]]]:
            for line, values in enumerate(cells, start=2):
                if any(v is not None and str(v).strip() for v in values):
                    yield line, values

        total = (sheet.max_row - 1) if sheet.max_row else None
        yield Table(headers=headers, rows=rows(), total=total)
    finally:
        book.close()
