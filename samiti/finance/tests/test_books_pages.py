"""The pages of the books: the organisation's books and reports with their PDF and XLSX, a
member's passbook, transactions and their reversal, manual transactions, opening balances and
closing a period; scoped, and closed to read-only accounts where they write."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from samiti.finance import testing as finance_testing
from samiti.finance.models import PeriodClose, Transaction, TransactionKind
from samiti.finance.queries import balances
from samiti.finance.services.ledger import Line, post_transaction
from samiti.finance.services.savings import MemberLine
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db

K = TransactionKind
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def leader_of(organisation, role=Role.ASSOCIATION_LEADER):
    return testing.staff(role, organisation=organisation.parent or organisation)


def grant(organisation, amount, on=YESTERDAY):
    return post_transaction(
        actor=None,
        organisation=organisation,
        on=on,
        kind=K.GRANT,
        lines=[Line("cash", amount), Line("grants_received", -amount)],
        memo="seed money",
    )


def url(name, *args, **query):
    base = reverse(f"finance:{name}", args=args)
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_books_page_shows_the_balances_and_links_to_every_report_and_form(client):
    group = testing.group()
    member = testing.member(group)
    grant(group, 250000)
    client.force_login(leader_of(group))
    page = client.get(url("books", group.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "৳2,500" in text
    for name in ("trial_balance", "balance_sheet", "income_expenditure", "cash_book", "transaction_list"):
        assert url(name, group.pk) in text
    assert url("transaction_new", group.pk) in text and url("period_close", group.pk) in text
    assert url("passbook", member.pk) in text


def test_the_books_of_another_association_answer_not_found(client):
    group, other = testing.group(), testing.group()
    post = grant(other, 1000)
    client.force_login(leader_of(group))
    for name in (
        "books",
        "trial_balance",
        "balance_sheet",
        "income_expenditure",
        "cash_book",
        "transaction_list",
        "transaction_new",
        "period_close",
    ):
        assert client.get(url(name, other.pk)).status_code == 404, name
    assert client.get(url("transaction_detail", post.pk)).status_code == 404
    assert client.get(url("passbook", testing.member(other).pk)).status_code == 404
    assert client.post(url("transaction_detail", post.pk), {"on": TODAY, "memo": "x"}).status_code == 404


def test_a_viewer_reads_the_books_but_gets_not_found_on_the_pages_that_write(client):
    group = testing.group()
    posted = grant(group, 1000)
    client.force_login(leader_of(group, Role.VIEWER))
    assert client.get(url("books", group.pk)).status_code == 200
    assert client.get(url("trial_balance", group.pk)).status_code == 200
    detail = client.get(url("transaction_detail", posted.pk))
    assert detail.status_code == 200 and b'id="reverse"' not in detail.content
    assert client.get(url("transaction_new", group.pk)).status_code == 404
    assert client.get(url("period_close", group.pk)).status_code == 404
    assert client.post(url("transaction_detail", posted.pk), {"on": TODAY, "memo": "x"}).status_code == 404
    assert not Transaction.objects.filter(reverses=posted).exists()


def test_the_reports_show_on_the_page_and_download_as_pdf_and_xlsx(client):
    cycle = finance_testing.cycle()
    people = finance_testing.members(cycle.group, 2)
    finance_testing.meeting(cycle, finance_testing.START, [MemberLine(m.pk, shares=3) for m in people])
    group = cycle.group
    client.force_login(leader_of(group))
    trial = client.get(url("trial_balance", group.pk, on="2026-12-31"))
    assert trial.status_code == 200 and trial.context["report"].balanced
    assert people[0].code in trial.content.decode()  # members folded under their savings
    sheet = client.get(url("balance_sheet", group.pk, on="2026-12-31"))
    assert sheet.context["report"].total_assets == 30000
    ie = client.get(url("income_expenditure", group.pk, start="2026-01-01", end="2026-12-31"))
    assert ie.status_code == 200 and ie.context["report"].surplus == 0
    cash = client.get(url("cash_book", group.pk, start="2026-01-01", end="2026-12-31"))
    assert cash.context["report"].closing == 30000
    pdf = client.get(url("cash_book", group.pk, start="2026-01-01", end="2026-12-31", format="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    assert "Cash book" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    xlsx = client.get(url("trial_balance", group.pk, on="2026-12-31", format="xlsx"))
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[-1][-2:] == (300, 300)
    client.cookies["django_language"] = "bn"
    bengali = client.get(url("balance_sheet", group.pk, on="2026-12-31", format="pdf"))
    assert "৩০০" in PdfReader(io.BytesIO(bengali.content)).pages[0].extract_text()


def test_each_report_shows_this_year_or_today_unless_asked(client):
    group = testing.group()
    grant(group, 1000)
    client.force_login(leader_of(group))
    for name in ("trial_balance", "balance_sheet", "income_expenditure", "cash_book"):
        page = client.get(url(name, group.pk))
        assert page.status_code == 200 and page.context["report"] is not None, name
    assert client.get(url("cash_book", group.pk)).context["report"].end == datetime.date(TODAY.year, 12, 31)
    assert client.get(url("trial_balance", group.pk)).context["report"].on == TODAY
    only_bank = client.get(url("cash_book", group.pk, accounts="bank")).context["report"]
    assert [a.code for a in only_bank.accounts] == ["bank"] and only_bank.closing == 0


def test_a_report_with_a_bad_period_says_so_and_keeps_the_input(client):
    group = testing.group()
    client.force_login(leader_of(group))
    page = client.get(url("income_expenditure", group.pk, start="2026-05-01", end="2026-04-01"))
    assert page.status_code == 400
    assert page.context["form"].errors["end"] and 'value="2026-05-01"' in page.content.decode()


def test_the_passbook_lists_the_member_s_lines_with_savings_and_loan_and_prints(client):
    cycle = finance_testing.cycle()
    member, other = finance_testing.members(cycle.group, 2)
    finance_testing.meeting(
        cycle,
        finance_testing.START,
        [MemberLine(member.pk, shares=2, social_fund=1000), MemberLine(other.pk, shares=5)],
    )
    later = finance_testing.START + datetime.timedelta(days=7)
    finance_testing.meeting(cycle, later, [MemberLine(member.pk, shares=1, loan=10000, loan_months=1)])
    client.force_login(leader_of(cycle.group, Role.GROUP_LEADER))
    page = client.get(url("passbook", member.pk))
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.savings, report.loan) == (15000, 10000)
    assert 'id="savings">৳150<' in page.content.decode()
    pdf = client.get(url("passbook", member.pk, format="pdf"))
    assert pdf.status_code == 200 and "Passbook" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_the_transaction_list_filters_by_kind_and_dates_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    group = testing.group()
    for day in range(30):
        grant(group, 1000 + day, on=datetime.date(2026, 1, 1) + datetime.timedelta(days=day))
    post_transaction(
        actor=None,
        organisation=group,
        on=datetime.date(2026, 2, 1),
        kind=K.EXPENSE,
        lines=[Line("running_costs", 500), Line("cash", -500)],
    )
    client.force_login(leader_of(group))
    with django_assert_max_num_queries(12):
        page = client.get(url("transaction_list", group.pk))
    assert page.context["page"].paginator.count == 31
    expenses = client.get(url("transaction_list", group.pk, kind="expense"))
    assert [t.amount for t in expenses.context["transactions"]] == [500]
    january = client.get(url("transaction_list", group.pk, start="2026-01-10", end="2026-01-19"))
    assert january.context["page"].paginator.count == 10


def test_a_transaction_is_reversed_from_its_page_and_each_links_to_the_other(client):
    group = testing.group()
    posted = grant(group, 5000)
    client.force_login(leader_of(group))
    page = client.get(url("transaction_detail", posted.pk))
    assert b'id="reverse"' in page.content
    refused = client.post(url("transaction_detail", posted.pk), {"on": "2000-01-01", "memo": "typo"})
    assert refused.status_code == 400 and 'value="typo"' in refused.content.decode()
    done = client.post(url("transaction_detail", posted.pk), {"on": TODAY.isoformat(), "memo": "typo"})
    reversal = Transaction.objects.get(reverses=posted)
    assert done.status_code == 302 and done["Location"] == url("transaction_detail", reversal.pk)
    assert balances(group)["cash"] == 0
    assert url("transaction_detail", posted.pk) in client.get(done["Location"]).content.decode()
    original = client.get(url("transaction_detail", posted.pk))
    assert b'id="reversed-by"' in original.content and b'id="reverse"' not in original.content


def test_manual_transactions_are_recorded_from_the_simple_form(client):
    group = testing.group()
    client.force_login(leader_of(group))
    assert client.get(url("transaction_new", group.pk)).status_code == 200
    cases = [
        ({"kind": "grant", "account": "bank", "other": "", "amount": "১০,০০০"}, {"bank": 1000000}),
        (
            {"kind": "expense", "account": "bank", "other": "running_costs", "amount": "250.50"},
            {"bank": 974950},
        ),
        (
            {"kind": "income", "account": "cash", "other": "service_fee_income", "amount": "100"},
            {"cash": 10000},
        ),
        (
            {"kind": "transfer", "account": "bank", "other": "mobile_money", "amount": "500"},
            {"mobile_money": 50000},
        ),
    ]
    for fields, expected in cases:
        response = client.post(
            url("transaction_new", group.pk), {**fields, "on": YESTERDAY.isoformat(), "reference": "V-1"}
        )
        assert response.status_code == 302, response.context["form"].errors
        for code, amount in expected.items():
            assert balances(group)[code] == amount
    # A group pays out of its box too.
    box = {
        "kind": "expense",
        "account": "loan_fund",
        "other": "running_costs",
        "amount": "1",
        "on": YESTERDAY.isoformat(),
    }
    assert client.post(url("transaction_new", group.pk), box).status_code == 302
    assert balances(group)["loan_fund"] == -100
    assert set(Transaction.objects.filter(organisation=group).values_list("kind", flat=True)) == {
        "grant",
        "expense",
        "income",
        "transfer",
    }


def test_the_simple_form_keeps_the_input_and_says_what_is_wrong(client):
    group = testing.group()
    client.force_login(leader_of(group))
    wrong = {"kind": "expense", "account": "cash", "other": "other_income", "amount": "75", "memo": "tea"}
    page = client.post(url("transaction_new", group.pk), {**wrong, "on": YESTERDAY.isoformat()})
    assert page.status_code == 400 and page.context["form"].errors["other"]
    assert 'value="tea"' in page.content.decode()
    same = client.post(
        url("transaction_new", group.pk),
        {"kind": "transfer", "account": "cash", "other": "cash", "amount": "75", "on": YESTERDAY.isoformat()},
    )
    assert same.status_code == 400 and same.context["form"].errors["other"]
    assert not Transaction.objects.filter(organisation=group).exists()


def test_a_double_submitted_form_is_recorded_once(client):
    group = testing.group()
    client.force_login(leader_of(group))
    form = client.get(url("transaction_new", group.pk)).context["form"]
    fields = {
        "kind": "grant",
        "account": "cash",
        "amount": "10",
        "on": YESTERDAY.isoformat(),
        "client_id": str(form.initial["client_id"]),
    }
    assert client.post(url("transaction_new", group.pk), fields).status_code == 302
    assert client.post(url("transaction_new", group.pk), fields).status_code == 302
    assert Transaction.objects.filter(organisation=group).count() == 1


def opening_lines(*lines):
    data = {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0"}
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    return data


def test_opening_balances_must_balance_and_show_the_difference(client):
    group = testing.group()
    member = testing.member(group)
    client.force_login(leader_of(group))
    new = url("transaction_new", group.pk, kind="opening")
    assert client.get(new).status_code == 200
    unbalanced = opening_lines(
        {"account": "cash", "debit": "1000"},
        {"account": "member_savings", "member": member.code, "credit": "600"},
        {"account": "opening_balances", "credit": "300"},
    )
    page = client.post(new, {"on": YESTERDAY.isoformat(), **unbalanced})
    assert page.status_code == 400 and page.context["difference"] == 10000
    assert 'id="difference"' in page.content.decode() and "৳100" in page.content.decode()
    no_member = opening_lines(
        {"account": "member_savings", "credit": "600"}, {"account": "cash", "debit": "600"}
    )
    page = client.post(new, {"on": YESTERDAY.isoformat(), **no_member})
    assert page.status_code == 400 and page.context["lines"].forms[0].errors["member"]
    balanced = opening_lines(
        {"account": "cash", "debit": "1000"},
        {"account": "member_savings", "member": member.code, "credit": "600"},
        {"account": "opening_balances", "credit": "400"},
        {},
    )
    done = client.post(new, {"on": YESTERDAY.isoformat(), **balanced})
    assert done.status_code == 302
    assert balances(group)["cash"] == 100000 and balances(group)["member_savings"] == -60000
    assert Transaction.objects.get(organisation=group).kind == K.OPENING


def test_a_period_is_closed_from_its_page_and_then_refuses_postings_on_the_form(client):
    group = testing.group()
    client.force_login(leader_of(group))
    assert client.get(url("period_close", group.pk)).status_code == 200
    future = client.post(url("period_close", group.pk), {"through": TODAY.isoformat()})
    assert future.status_code == 400 and future.context["form"].errors["through"]
    done = client.post(url("period_close", group.pk), {"through": YESTERDAY.isoformat()})
    assert done.status_code == 302 and PeriodClose.objects.get(organisation=group).through == YESTERDAY
    assert YESTERDAY.isoformat() in client.get(url("period_close", group.pk)).content.decode()
    page = client.post(
        url("transaction_new", group.pk),
        {"kind": "grant", "account": "cash", "amount": "10", "on": YESTERDAY.isoformat()},
    )
    assert page.status_code == 400 and page.context["form"].errors["on"]


def test_the_books_passbook_and_cash_book_read_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    cycle = finance_testing.cycle()
    people = finance_testing.members(cycle.group, 6)
    for week in range(4):
        day = finance_testing.START + datetime.timedelta(days=7 * week)
        finance_testing.meeting(
            cycle, day, [MemberLine(m.pk, shares=1, social_fund=1000, fine=100) for m in people]
        )
    group = cycle.group
    client.force_login(leader_of(group, Role.GROUP_LEADER))
    with django_assert_max_num_queries(12):
        book = client.get(url("passbook", people[0].pk))
    assert len(book.context["report"].rows) == 12
    with django_assert_max_num_queries(12):
        cash = client.get(url("cash_book", group.pk, start="2026-01-01", end="2026-12-31"))
    assert len(cash.context["report"].rows) == 12
    with django_assert_max_num_queries(14):
        assert client.get(url("books", group.pk)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(url("trial_balance", group.pk, on="2026-12-31")).context["report"].balanced
