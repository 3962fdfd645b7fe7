"""The ledger's guarantees (balanced, immutable, idempotent, closed periods), held by the service
and by the database, and the reports read from it: trial balance, balance sheet, income and
expenditure, a member's passbook, the cash book, and their PDF and XLSX files."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from samiti.finance import exporting, reports
from samiti.finance import testing as finance_testing
from samiti.finance.errors import FinanceError
from samiti.finance.models import Posting, Transaction, TransactionKind
from samiti.finance.queries import balances
from samiti.finance.services.chart import accounts_of
from samiti.finance.services.ledger import Line, close_period, post_transaction, reverse_transaction
from samiti.finance.services.savings import MemberLine
from samiti.registry import testing

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
K = TransactionKind


def post(organisation, kind, lines, on=DAY, **options):
    return post_transaction(actor=None, organisation=organisation, on=on, kind=kind, lines=lines, **options)


def grant(organisation, amount, on=DAY, into="cash"):
    return post(organisation, K.GRANT, [Line(into, amount), Line("grants_received", -amount)], on=on)


def expense(organisation, amount, on=DAY, out_of="cash"):
    return post(organisation, K.EXPENSE, [Line("running_costs", amount), Line(out_of, -amount)], on=on)


def insert_posting(transaction_id, account_id, amount, on=DAY):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO finance_posting"
            ' (transaction_id, account_id, member_id, amount, association_id, "on")'
            " VALUES (%s, %s, NULL, %s, NULL, %s)",
            [transaction_id, account_id, amount, on],
        )


def insert_header(transaction_id, organisation, on=DAY):
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO finance_transaction (id, organisation_id, client_id, "on", kind, memo, reference,'
            " created_at, channel) VALUES (%s, %s, %s, %s, 'expense', '', '', %s, 'web')",
            [transaction_id, organisation.pk, uuid.uuid4().hex, on, datetime.datetime(2026, 3, 2, 12)],
        )


def fresh_id():
    return (Transaction.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1000


# ----- the ledger's guarantees -------------------------------------------------------------------


def test_post_transaction_refuses_postings_that_do_not_sum_to_zero():
    group = testing.group()
    with pytest.raises(FinanceError) as refused:
        post(group, K.EXPENSE, [Line("running_costs", 500), Line("cash", -400)])
    assert refused.value.code == "unbalanced"
    with pytest.raises(FinanceError):
        post(group, K.EXPENSE, [Line("running_costs", 500)])
    assert not Transaction.objects.filter(organisation=group).exists()


def test_the_database_refuses_a_transaction_whose_postings_do_not_balance():
    group = testing.group()
    accounts = accounts_of(group)
    pk = fresh_id()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_posting(pk, accounts["running_costs"], 500)
        insert_posting(pk, accounts["cash"], -400)
        insert_header(pk, group)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_posting(pk, accounts["running_costs"], 500)
        insert_header(pk, group)
    # Balanced, the same rows go in.
    with transaction.atomic():
        insert_posting(pk, accounts["running_costs"], 500)
        insert_posting(pk, accounts["cash"], -500)
        insert_header(pk, group)
    assert balances(group)["cash"] == -500


def test_the_database_refuses_to_change_a_posting_or_add_one_to_a_posted_transaction():
    group = testing.group()
    posted = grant(group, 10000)
    posting = posted.postings.first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE finance_posting SET amount = amount + 1 WHERE id = %s", [posting.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_posting(posted.pk, accounts_of(group)["bank"], 100)
    assert balances(group)["cash"] == 10000


def test_a_reversal_leaves_every_balance_as_it_was_before_the_transaction():
    group = testing.group()
    grant(group, 50000)
    before = balances(group)
    wrong = post(group, K.TRANSFER, [Line("bank", 20000), Line("cash", -20000)], memo="to the bank")
    assert balances(group) != before
    reversal = reverse_transaction(actor=None, original=wrong, on=DAY + datetime.timedelta(days=1))
    assert balances(group) == before
    assert reversal.reverses == wrong and wrong.reversed_by == reversal
    assert wrong.postings.count() == 2  # the original stays as it was
    with pytest.raises(FinanceError):
        reverse_transaction(actor=None, original=wrong, on=DAY + datetime.timedelta(days=2))


def test_a_retried_client_id_is_recorded_once_and_a_reused_one_with_other_lines_is_refused():
    group = testing.group()
    client_id = uuid.uuid4()
    lines = [Line("cash", 7500), Line("other_income", -7500)]
    first = post(group, K.INCOME, lines, client_id=client_id)
    again = post(group, K.INCOME, list(reversed(lines)), client_id=client_id)
    assert again.pk == first.pk
    assert Transaction.objects.filter(organisation=group).count() == 1
    assert balances(group)["cash"] == 7500
    with pytest.raises(FinanceError) as refused:
        post(group, K.INCOME, [Line("cash", 9000), Line("other_income", -9000)], client_id=client_id)
    assert refused.value.code == "id_reused"
    assert balances(group)["cash"] == 7500


def test_a_closed_period_refuses_postings_in_the_service_and_in_the_database():
    group = testing.group()
    grant(group, 1000, on=DAY)
    close_period(actor=None, organisation=group, through=DAY)
    with pytest.raises(FinanceError) as refused:
        grant(group, 1000, on=DAY)
    assert refused.value.field == "on"
    accounts = accounts_of(group)
    pk = fresh_id()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_posting(pk, accounts["cash"], 300)
        insert_posting(pk, accounts["other_income"], -300)
        insert_header(pk, group, on=DAY - datetime.timedelta(days=10))
    later = grant(group, 1000, on=DAY + datetime.timedelta(days=1))
    assert later.pk and balances(group)["cash"] == 2000


# ----- the reports -------------------------------------------------------------------------------


def savings_group(count=3):
    """A group with a cycle and two meetings: shares, social fund, a loan and its first repayment."""
    cycle = finance_testing.cycle()
    people = finance_testing.members(cycle.group, count)
    first = [MemberLine(m.pk, shares=2, social_fund=1000) for m in people]
    finance_testing.meeting(cycle, finance_testing.START, first)
    second = [
        MemberLine(people[0].pk, shares=1, social_fund=1000, loan=20000, loan_months=2),
        *[MemberLine(m.pk, shares=1, social_fund=1000, fine=500) for m in people[1:]],
    ]
    finance_testing.meeting(cycle, finance_testing.START + datetime.timedelta(days=7), second)
    third = [MemberLine(people[0].pk, repayment=5000, service_charge=1000, social_fund=1000)]
    finance_testing.meeting(cycle, finance_testing.START + datetime.timedelta(days=14), third)
    return cycle.group, people


def test_the_trial_balance_balances_with_members_listed_under_their_accounts():
    group, people = savings_group()
    expense(group, 2000, on=finance_testing.START + datetime.timedelta(days=15), out_of="loan_fund")
    found = reports.trial_balance(group, datetime.date(2026, 12, 31))
    assert found.balanced and found.total_debit > 0
    by_code = {line.code: line for line in found.lines}
    savings = by_code["member_savings"]
    assert savings.credit == 3 * 3 * 5000 and savings.debit == 0
    assert {m.member_id: m.credit for m in savings.members} == {m.pk: 15000 for m in people}
    loans = by_code["loans_receivable"]
    assert [(m.member_id, m.debit) for m in loans.members] == [(people[0].pk, 15000)]
    assert by_code["running_costs"].debit == 2000
    # On a day before the meetings, nothing has a balance.
    assert reports.trial_balance(group, datetime.date(2026, 1, 1)).lines == []


def test_the_balance_sheet_balances_with_the_surplus_to_date_in_the_equity():
    group, _people = savings_group()
    expense(group, 2000, on=finance_testing.START + datetime.timedelta(days=15), out_of="loan_fund")
    sheet = reports.balance_sheet(group, datetime.date(2026, 12, 31))
    # Income: fines 2 × 5 taka and a service charge of 10 taka; expenses 20 taka.
    assert sheet.surplus == 1000 + 1000 - 2000
    assert sheet.balanced
    assert sheet.total_liabilities == 45000
    assert sheet.total_assets == sheet.total_liabilities + sheet.total_equity


def test_income_and_expenditure_counts_only_the_days_of_the_period():
    group = testing.group()
    post(
        group,
        K.INCOME,
        [Line("cash", 4000), Line("service_fee_income", -4000)],
        on=datetime.date(2026, 1, 10),
    )
    post(
        group,
        K.INCOME,
        [Line("cash", 3000), Line("service_fee_income", -3000)],
        on=datetime.date(2026, 2, 10),
    )
    grant(group, 100000, on=datetime.date(2026, 2, 20))
    expense(group, 25000, on=datetime.date(2026, 2, 25))
    expense(group, 9999, on=datetime.date(2026, 3, 1))
    february = reports.income_and_expenditure(group, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert {line.code: line.amount for line in february.income} == {
        "service_fee_income": 3000,
        "grants_received": 100000,
    }
    assert {line.code: line.amount for line in february.expenses} == {"running_costs": 25000}
    assert (february.total_income, february.total_expenses, february.surplus) == (103000, 25000, 78000)
    march = reports.income_and_expenditure(group, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert march.surplus == -9999  # a deficit


def test_the_passbook_is_the_sum_of_the_member_s_postings_with_running_balances():
    _group, people = savings_group()
    borrower = people[0]
    book = reports.passbook(borrower)
    mine = Posting.objects.filter(member=borrower)
    assert book.savings == -mine.filter(account__code="member_savings").aggregate(s=Sum("amount"))["s"]
    assert book.loan == mine.filter(account__code="loans_receivable").aggregate(s=Sum("amount"))["s"]
    assert (book.savings, book.loan) == (15000, 15000)
    assert len(book.rows) == mine.count()
    assert [row.on for row in book.rows] == sorted(row.on for row in book.rows)
    assert (book.rows[-1].savings, book.rows[-1].loan) == (book.savings, book.loan)
    kinds = {total.kind: total for total in book.by_kind}
    assert set(kinds) == {K.SHARES, K.SOCIAL_FUND, K.LOAN, K.REPAYMENT, K.SERVICE_CHARGE}
    assert (kinds[K.SHARES].paid_in, kinds[K.LOAN].paid_out, kinds[K.REPAYMENT].paid_in) == (
        15000,
        20000,
        5000,
    )
    # From the third meeting on: the opening balances carry what came before.
    later = reports.passbook(borrower, start=finance_testing.START + datetime.timedelta(days=10))
    assert (later.opening_savings, later.opening_loan) == (15000, 20000)
    assert (later.savings, later.loan) == (15000, 15000)
    assert sorted(row.kind for row in later.rows) == sorted([K.SOCIAL_FUND, K.REPAYMENT, K.SERVICE_CHARGE])


def test_the_cash_book_closes_at_opening_plus_receipts_less_payments():
    group = testing.group()
    grant(group, 100000, on=datetime.date(2026, 1, 5))
    grant(group, 50000, on=datetime.date(2026, 2, 5), into="bank")
    expense(group, 20000, on=datetime.date(2026, 2, 10))
    post(
        group, K.TRANSFER, [Line("mobile_money", 30000), Line("cash", -30000)], on=datetime.date(2026, 2, 11)
    )
    post(
        group,
        K.INCOME,
        [Line("bank", 700), Line("other_income", -700)],
        on=datetime.date(2026, 3, 1),
        reference="TRX-9",
    )
    book = reports.cash_book(group, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert book.opening == 100000
    assert (book.receipts, book.payments) == (50000 + 30000, 20000 + 30000)
    assert book.closing == book.opening + book.receipts - book.payments == 130000
    assert book.rows[-1].balance == book.closing
    assert [row.kind for row in book.rows] == [K.GRANT, K.EXPENSE, K.TRANSFER, K.TRANSFER]
    cash_only = reports.cash_book(
        group, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), accounts=["cash"]
    )
    assert (cash_only.opening, cash_only.closing) == (0, 50000)
    bank = reports.cash_book(group, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), accounts=["bank"])
    assert bank.rows[0].reference == "TRX-9" and bank.closing == 50700


MANUAL = st.sampled_from(
    [
        (K.GRANT, "cash", "grants_received"),
        (K.INCOME, "bank", "service_fee_income"),
        (K.INCOME, "mobile_money", "other_income"),
        (K.EXPENSE, "running_costs", "cash"),
        (K.EXPENSE, "asset_costs", "bank"),
        (K.TRANSFER, "bank", "cash"),
        (K.TRANSFER, "mobile_money", "bank"),
        (K.OPENING, "fixed_assets", "opening_balances"),
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(MANUAL, st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=300)),
        min_size=1,
        max_size=12,
    ),
    on=st.integers(min_value=0, max_value=330),
)
def test_after_any_sequence_of_manual_transactions_the_trial_balance_and_balance_sheet_balance(steps, on):
    with transaction.atomic():
        group = testing.group()
        start = datetime.date(2026, 1, 1)
        for (kind, debit, credit), amount, day in steps:
            post(
                group,
                kind,
                [Line(debit, amount), Line(credit, -amount)],
                on=start + datetime.timedelta(days=day),
            )
        for day in (start + datetime.timedelta(days=on), datetime.date(2026, 12, 31)):
            trial = reports.trial_balance(group, day)
            assert trial.balanced
            sheet = reports.balance_sheet(group, day)
            assert sheet.balanced
        year = reports.income_and_expenditure(group, start, datetime.date(2026, 12, 31))
        assert year.surplus == sheet.surplus
        transaction.set_rollback(True)


# ----- files -------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return text, fonts


def test_the_passbook_prints_in_bengali_with_bengali_digits_and_the_noto_font_embedded():
    _group, people = savings_group()
    with translation.override("bn"):
        content = exporting.report_pdf(reports.passbook(people[0]))
    assert content.startswith(b"%PDF")
    text, fonts = pdf_text(content)
    assert "১৫০" in text  # savings of ৳150 in Bengali digits
    assert any("NotoSansBengali" in font for font in fonts)
    assert people[0].code in text or str(people[0]) in text


def test_the_trial_balance_prints_in_bengali_and_in_english():
    group, _people = savings_group()
    found = reports.trial_balance(group, datetime.date(2026, 12, 31))
    with translation.override("bn"):
        bengali, fonts = pdf_text(exporting.report_pdf(found))
    assert "৪৫০" in bengali and any("NotoSansBengali" in font for font in fonts)
    with translation.override("en"):
        english, _fonts = pdf_text(exporting.report_pdf(found))
    assert "Trial balance" in english and "450" in english


def test_the_reports_read_back_from_xlsx_with_amounts_as_taka_numbers():
    group, _people = savings_group()
    found = reports.trial_balance(group, datetime.date(2026, 12, 31))
    book = openpyxl.load_workbook(io.BytesIO(exporting.report_xlsx(found)))
    rows = list(book.active.iter_rows(values_only=True))
    totals = rows[-1]
    assert totals[-2] == totals[-1] and totals[-1] > 0
    savings = next(row for row in rows if row[0] == "member_savings")
    assert savings[-1] == 450
    cash = reports.cash_book(group, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(exporting.report_xlsx(cash))).active.iter_rows(values_only=True)
    )
    assert rows[-1][-1] == cash.closing / 100
