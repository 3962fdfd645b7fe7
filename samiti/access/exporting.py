"""The work list out to CSV and XLSX, a row per member and scheme, in the list's order.

Sensitive columns (national ID, ethnicity, disability) only for roles that see them, and every
export leaves one audit row saying who took how many members' records (DESIGN rule 7).
"""

import csv
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import openpyxl
from django.db.models import QuerySet

from samiti.access.models import Finding
from samiti.access.queries import WorkItem, all_work_items
from samiti.core import audit
from samiti.core.files import Echo, csv_cell, xlsx_cell
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import User

COLUMNS = [
    "member_code", "name", "sex", "phone", "group_code", "group", "village", "scheme_code", "scheme",
    "result", "share_of_income_percent", "income_per_person", "household_size", "facts_to_collect",
    "screened_on", "rule_from", "application_status",
]  # fmt: skip
SENSITIVE_COLUMNS = ["national_id", "ethnicity", "has_disability"]


def columns_for(user: User) -> list[str]:
    """The work list's columns; the sensitive ones only for roles that see them."""
    return COLUMNS + SENSITIVE_COLUMNS if user.sees_sensitive else list(COLUMNS)


def cells(item: WorkItem, columns: list[str]) -> list[Any]:
    member, household = item.member, item.member.household
    values = {
        "member_code": member.code,
        "name": str(member),
        "sex": member.sex,
        "phone": member.phone,
        "group_code": member.group.code,
        "group": member.group.name,
        "village": member.area.name,
        "scheme_code": item.scheme.code,
        "scheme": item.scheme.name,
        "result": item.finding.outcome,
        "share_of_income_percent": None if item.share is None else round(item.share * 100, 1),
        "income_per_person": item.income_per_person,
        "household_size": household.size if household else None,
        "facts_to_collect": "; ".join(item.to_collect),
        "screened_on": item.finding.screened_on,
        "rule_from": item.finding.rule_version.valid_from,
        "application_status": item.application.status if item.application else "",
        "national_id": member.national_id,
        "ethnicity": member.ethnicity,
        "has_disability": {True: "yes", False: "no"}.get(member.has_disability) if member.wg_answered else "",
    }
    return [values[column] for column in columns]


def csv_lines(findings: QuerySet[Finding], columns: list[str]) -> Iterator[str]:
    """Yield the CSV text line by line (for a StreamingHttpResponse), with a BOM for Excel."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(columns)
    for item in all_work_items(findings):
        yield writer.writerow([csv_cell(value) for value in cells(item, columns)])


def xlsx_file(findings: QuerySet[Finding], columns: list[str]) -> IO[bytes]:
    """Write an XLSX (openpyxl's write-only mode keeps rows out of memory) to a temporary file."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("work list")
    sheet.append(columns)
    for item in all_work_items(findings):
        sheet.append([xlsx_cell(value) for value in cells(item, columns)])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    book.save(handle)
    handle.seek(0)
    return handle


def record_export(
    *, user: User, file_format: str, filters: str, count: int, channel: str = Channel.WEB
) -> AuditEvent:
    """Log that `user` took `count` lines of the work list out (DESIGN rule 7)."""
    note = f"work list, {file_format}, {count} rows; filter: {filters or '-'}"
    return audit.record_export(
        actor=user, model=Finding, what=f"{count} work-list lines", note=note, channel=channel
    )
