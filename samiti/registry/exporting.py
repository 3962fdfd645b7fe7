"""Member lists out to CSV and XLSX, in the columns of the import template.

An export re-imports as "unchanged": same headers, codes instead of labels, ISO dates. National
IDs are masked and the other sensitive columns left out for roles that may not see them (DESIGN
rule 7), and every export leaves one audit row saying who took which members.
"""

import csv
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import openpyxl
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.files import Echo, csv_cell, xlsx_cell
from samiti.core.models import AuditEvent
from samiti.registry.importing import LABELS, SENSITIVE_COLUMNS, TEMPLATE_COLUMNS
from samiti.registry.importing.values import format_taka
from samiti.registry.models import (
    WG_FIELDS,
    ConsentMethod,
    Crop,
    Ethnicity,
    MaritalStatus,
    Member,
    Occupation,
    User,
    WGAnswer,
)

CHUNK = 2000


def template_columns(user: User | None) -> list[str]:
    """The columns a person may import: sensitive ones only for roles that see them."""
    if user is None or user.sees_sensitive:
        return list(TEMPLATE_COLUMNS)
    return [c for c in TEMPLATE_COLUMNS if c not in SENSITIVE_COLUMNS]


def export_columns(user: User) -> list[str]:
    """The template's columns; a role that may not see national IDs gets them masked."""
    if user.sees_sensitive:
        return list(TEMPLATE_COLUMNS)
    return [c for c in TEMPLATE_COLUMNS if c not in SENSITIVE_COLUMNS or c == "national_id"]


def member_cells(member: Member, columns: list[str], *, sensitive: bool) -> list[Any]:
    """One member as export cells: plain values (dates stay dates; the writer formats them)."""
    household = member.household
    area = member.area
    values = {
        "group_code": member.group.code,
        "household_code": household.code if household else "",
        "household_size": household.size if household else None,
        "income_per_year": format_taka(household.income_per_year) if household else None,
        "children_under_5": household.children_under_5 if household else None,
        "pregnant": {True: "yes", False: "no"}.get(member.pregnant),
        "village": (area.name_en or area.name_bn) if area.level == area.Level.VILLAGE else "",
        "main_crops": "; ".join(member.main_crops or []),
        "national_id": member.national_id if sensitive else member.masked_national_id,
    }
    return [values[c] if c in values else getattr(member, c) for c in columns]


def members_to_export(members: QuerySet[Member]) -> QuerySet[Member]:
    return members.select_related("group", "area", "household").order_by("group__code", "code")


def csv_lines(members: QuerySet[Member], columns: list[str], *, sensitive: bool) -> Iterator[str]:
    """Yield the CSV text line by line (for a StreamingHttpResponse), with a BOM for Excel."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(columns)
    for member in members.iterator(chunk_size=CHUNK):
        cells = member_cells(member, columns, sensitive=sensitive)
        yield writer.writerow([csv_cell(v) for v in cells])


def xlsx_file(members: QuerySet[Member] | None, columns: list[str], *, sensitive: bool = False) -> IO[bytes]:
    """Write an XLSX (openpyxl's write-only mode keeps rows out of memory) to a temporary file."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("members")
    sheet.append(columns)
    for member in members.iterator(chunk_size=CHUNK) if members is not None else ():
        sheet.append([xlsx_cell(v) for v in member_cells(member, columns, sensitive=sensitive)])
    if members is None:
        _guide(book.create_sheet("guide"), columns)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    book.save(handle)
    handle.seek(0)
    return handle


def template_csv(columns: list[str]) -> str:
    return "\ufeff" + ",".join(columns) + "\r\n"


def _codes(choices: Any) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices)


def _guide(sheet: Any, columns: list[str]) -> None:
    dates = _("a date: YYYY-MM-DD or DD/MM/YYYY")
    notes = {
        "group_code": _("required: the code of the member's group"),
        "code": _("blank for a new member (a number is given); the member number to change a member"),
        "sex": _("female, male or third gender (F, M, T; মহিলা, পুরুষ, হিজড়া)"),
        "birth_date": dates,
        "birth_year": _("four digits, if the date of birth is not known"),
        "phone": _("a mobile number, e.g. 01712345678"),
        "national_id": _("10, 13 or 17 digits; format the column as text"),
        "ethnicity": _codes(Ethnicity.choices),
        "marital_status": _codes(MaritalStatus.choices),
        "occupation": _codes(Occupation.choices),
        "pregnant": _("yes or no (হ্যাঁ, না); blank if not recorded"),
        "income_per_year": _("taka a year, e.g. 85000 or ৮৫,০০০"),
        "children_under_5": _("a number, not more than the household size"),
        **dict.fromkeys(WG_FIELDS, _codes(WGAnswer.choices)),
        "land_owned": _("decimals (100 decimals = 1 acre)"),
        "land_cultivated": _("decimals (100 decimals = 1 acre)"),
        "main_crops": _("separated by ; from: %(crops)s") % {"crops": ", ".join(Crop.values)},
        "village": _("a village of the group's union; a new name adds the village"),
        "joined_on": dates,
        "left_on": dates,
        "consent_on": dates,
        "consent_method": _codes(ConsentMethod.choices),
    }
    sheet.append([str(_("column")), str(_("meaning")), str(_("what to write"))])
    for column in columns:
        sheet.append([column, str(LABELS[column]), str(notes.get(column, ""))])
    sheet.append([])
    sheet.append(["", str(_("Headers may also be written in Bengali (e.g. নাম, মোবাইল, লিঙ্গ)."))])


def record_export(*, user: User, file_format: str, filters: str, count: int) -> AuditEvent:
    """Log that `user` took `count` member records out (DESIGN rule 7)."""
    note = f"{file_format}, {count} rows; filter: {filters or '-'}"
    return audit.record_export(actor=user, model=Member, what=f"{count} members", note=note)
