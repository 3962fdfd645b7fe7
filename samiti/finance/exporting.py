"""The ledger's reports as files: a PDF in the reader's language (Bengali shaped, its digits
Bengali) and an XLSX whose amounts are numbers of taka.

Each report is laid out once as a `Sheet` (a title, a few lines about it, a table), which both
writers print; the PDF page is `samiti.core.pdf`'s.
"""

import dataclasses
import datetime
import io
from collections.abc import Sequence

import openpyxl
from django.utils import formats
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from samiti.core.bengali import to_bengali_digits
from samiti.core.files import xlsx_cell
from samiti.core.money import format_taka, taka_amount
from samiti.core.pdf import SamitiPDF
from samiti.finance import reports

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Report = (
    reports.TrialBalance
    | reports.BalanceSheet
    | reports.IncomeAndExpenditure
    | reports.Passbook
    | reports.CashBook
)


@dataclasses.dataclass(frozen=True)
class Taka:
    """A cell of money: taka in the PDF, a number of taka in the XLSX; blank when None."""

    poisha: int | None


@dataclasses.dataclass
class Sheet:
    name: str  # of the file and of the XLSX sheet
    title: str
    about: list[str]
    headings: list[str]
    widths: list[float]  # relative widths of the columns in the PDF
    rows: list[list[object]] = dataclasses.field(default_factory=list)
    bold: set[int] = dataclasses.field(default_factory=set)  # rows that head or total a section

    def row(self, *cells: object, bold: bool = False) -> None:
        if bold:
            self.bold.add(len(self.rows))
        self.rows.append(list(cells))


def _day(day: datetime.date) -> str:
    text = formats.date_format(day, "j F Y")
    return to_bengali_digits(text) if (get_language() or "").startswith("bn") else text


def _period(start: datetime.date | None, end: datetime.date | None) -> str:
    if start is None and end is None:
        return _("All dates")
    if start is None:
        return _("Up to %(end)s") % {"end": _day(end)}
    if end is None:
        return _("From %(start)s") % {"start": _day(start)}
    return _("From %(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}


def _nonzero(poisha: int) -> Taka:
    return Taka(poisha or None)


# ----- each report as a sheet --------------------------------------------------------------------


def trial_balance_sheet(found: reports.TrialBalance) -> Sheet:
    sheet = Sheet(
        name=f"trial-balance-{found.organisation.code}-{found.on.isoformat()}",
        title=_("Trial balance"),
        about=[str(found.organisation), _("At the end of %(date)s") % {"date": _day(found.on)}],
        headings=[_("Code"), pgettext("ledger", "Account"), _("Debit"), _("Credit")],
        widths=[34, 76, 30, 30],
    )
    for line in found.lines:
        sheet.row(line.code, line.name, _nonzero(line.debit), _nonzero(line.credit))
        for member in line.members:
            sheet.row(
                "", f"    {member.name} ({member.code})", _nonzero(member.debit), _nonzero(member.credit)
            )
    sheet.row("", _("Total"), Taka(found.total_debit), Taka(found.total_credit), bold=True)
    return sheet


def _section(
    sheet: Sheet, heading: str, lines: Sequence[reports.AccountBalance], total: str, amount: int
) -> None:
    sheet.row("", heading, None, bold=True)
    for line in lines:
        sheet.row(line.code, line.name, Taka(line.amount))
    sheet.row("", total, Taka(amount), bold=True)


def balance_sheet_sheet(found: reports.BalanceSheet) -> Sheet:
    sheet = Sheet(
        name=f"balance-sheet-{found.organisation.code}-{found.on.isoformat()}",
        title=_("Balance sheet"),
        about=[str(found.organisation), _("At the end of %(date)s") % {"date": _day(found.on)}],
        headings=[_("Code"), pgettext("ledger", "Account"), _("Amount")],
        widths=[40, 90, 40],
    )
    _section(sheet, _("Assets"), found.assets, _("Total assets"), found.total_assets)
    _section(sheet, _("Liabilities"), found.liabilities, _("Total liabilities"), found.total_liabilities)
    sheet.row("", _("Equity"), None, bold=True)
    for line in found.equity:
        sheet.row(line.code, line.name, Taka(line.amount))
    sheet.row("", _("Surplus to date (income less expenses)"), Taka(found.surplus))
    sheet.row("", _("Total equity"), Taka(found.total_equity), bold=True)
    sheet.row("", _("Total liabilities and equity"), Taka(found.total_liabilities_and_equity), bold=True)
    return sheet


def income_and_expenditure_sheet(found: reports.IncomeAndExpenditure) -> Sheet:
    sheet = Sheet(
        name=f"income-and-expenditure-{found.organisation.code}-{found.start.isoformat()}-{found.end.isoformat()}",
        title=_("Income and expenditure"),
        about=[str(found.organisation), _period(found.start, found.end)],
        headings=[_("Code"), pgettext("ledger", "Account"), _("Amount")],
        widths=[40, 90, 40],
    )
    _section(sheet, _("Income"), found.income, _("Total income"), found.total_income)
    _section(sheet, _("Expenses"), found.expenses, _("Total expenses"), found.total_expenses)
    label = _("Surplus") if found.surplus >= 0 else _("Deficit")
    sheet.row("", label, Taka(abs(found.surplus)), bold=True)
    return sheet


def passbook_sheet(found: reports.Passbook) -> Sheet:
    member = found.member
    sheet = Sheet(
        name=f"passbook-{member.code}",
        title=_("Passbook"),
        about=[f"{member} ({member.code})", str(member.group), _period(found.start, found.end)],
        headings=[
            _("Date"),
            _("What"),
            pgettext("ledger", "Account"),
            _("Paid in"),
            _("Paid out"),
            _("Savings"),
            _("Loan owed"),
        ],
        widths=[22, 30, 38, 20, 20, 20, 20],
    )
    sheet.row(
        found.start,
        _("Opening balance"),
        "",
        None,
        None,
        Taka(found.opening_savings),
        Taka(found.opening_loan),
        bold=True,
    )
    for row in found.rows:
        sheet.row(
            row.on,
            row.what,
            row.account,
            _nonzero(row.paid_in),
            _nonzero(row.paid_out),
            Taka(row.savings),
            Taka(row.loan),
        )
    sheet.row(
        found.end, _("Closing balance"), "", None, None, Taka(found.savings), Taka(found.loan), bold=True
    )
    sheet.row(None, "", "", None, None, None, None)
    sheet.row(None, _("Totals by what they are"), "", None, None, None, None, bold=True)
    for total in found.by_kind:
        sheet.row(None, total.what, "", _nonzero(total.paid_in), _nonzero(total.paid_out), None, None)
    return sheet


def cash_book_sheet(found: reports.CashBook) -> Sheet:
    sheet = Sheet(
        name=f"cash-book-{found.organisation.code}-{found.start.isoformat()}-{found.end.isoformat()}",
        title=_("Cash book"),
        about=[str(found.organisation), _period(found.start, found.end), ", ".join(found.account_names)],
        headings=[
            _("Date"),
            _("What"),
            _("Memo and reference"),
            pgettext("ledger", "Account"),
            _("Receipts"),
            _("Payments"),
            _("Balance"),
        ],
        widths=[22, 24, 36, 28, 20, 20, 20],
    )
    sheet.row(found.start, _("Opening balance"), "", "", None, None, Taka(found.opening), bold=True)
    for row in found.rows:
        memo = " · ".join(text for text in (row.memo, row.reference) if text)
        sheet.row(
            row.on,
            row.what,
            memo,
            row.account,
            _nonzero(row.receipt),
            _nonzero(row.payment),
            Taka(row.balance),
        )
    sheet.row(None, _("Total"), "", "", Taka(found.receipts), Taka(found.payments), None, bold=True)
    sheet.row(found.end, _("Closing balance"), "", "", None, None, Taka(found.closing), bold=True)
    return sheet


SHEETS = {
    reports.TrialBalance: trial_balance_sheet,
    reports.BalanceSheet: balance_sheet_sheet,
    reports.IncomeAndExpenditure: income_and_expenditure_sheet,
    reports.Passbook: passbook_sheet,
    reports.CashBook: cash_book_sheet,
}


def sheet_of(report: Report) -> Sheet:
    return SHEETS[type(report)](report)


# ----- the writers -------------------------------------------------------------------------------


def report_pdf(report: Report) -> bytes:
    """The report as a PDF in the active language."""
    sheet = sheet_of(report)
    language = "bn" if (get_language() or "").startswith("bn") else "en"
    pdf = SamitiPDF(language, orientation="landscape" if len(sheet.headings) > 4 else "portrait")
    pdf.set_title(sheet.title)
    pdf.add_page()
    pdf.line_of(sheet.title, size=15, style="B", align="C", height=8)
    for line in sheet.about:
        if line:
            pdf.line_of(line, size=10, align="C", height=5)
    pdf.ln(2)
    pdf.rule()
    pdf.ln(4)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    scale = usable / sum(sheet.widths)
    money = [any(isinstance(row[i], Taka) for row in sheet.rows) for i in range(len(sheet.headings))]
    pdf.grid(
        sheet.headings,
        [[_pdf_cell(cell, pdf.localise) for cell in row] for row in sheet.rows],
        widths=[width * scale for width in sheet.widths],
        align=["RIGHT" if is_money else "LEFT" for is_money in money],
        bold=sheet.bold,
    )
    return bytes(pdf.output())


def _pdf_cell(cell: object, localise) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Taka):
        return localise(format_taka(cell.poisha)) if cell.poisha is not None else ""
    if isinstance(cell, datetime.date):
        return localise(cell.isoformat())
    return str(cell)


def report_xlsx(report: Report) -> bytes:
    """The report as a one-sheet workbook; amounts are numbers of taka (two decimals)."""
    sheet = sheet_of(report)
    book = openpyxl.Workbook()
    out = book.active
    out.title = sheet.title[:31]
    bold = Font(bold=True)
    out.append([sheet.title])
    out.cell(row=1, column=1).font = bold
    for line in sheet.about:
        out.append([xlsx_cell(line)])
    out.append([])
    out.append(sheet.headings)
    for cell in out[out.max_row]:
        cell.font = bold
    for index, row in enumerate(sheet.rows):
        out.append([_xlsx_cell(cell) for cell in row])
        for cell, value in zip(out[out.max_row], row, strict=True):
            if isinstance(value, Taka):
                cell.number_format = "#,##0.00"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            if index in sheet.bold:
                cell.font = bold
    for letter, width in zip("ABCDEFGHIJ", sheet.widths, strict=False):
        out.column_dimensions[letter].width = max(10, width * 0.5)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def _xlsx_cell(cell: object) -> object:
    if isinstance(cell, Taka):
        return taka_amount(cell.poisha)
    return xlsx_cell(cell)


def filename(report: Report, fmt: str) -> str:
    return f"{sheet_of(report).name}.{fmt}"
