"""Savings cycles by the VSLA method: the constitution, a meeting's rules, service charges,
corrections, share-out and paying out a member who leaves; properties over random meetings."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.core.events import savings_meeting_recorded
from samiti.finance import testing as ft
from samiti.finance.errors import FinanceError
from samiti.finance.models import Cycle, Loan, Posting, SavingsMeeting, Transaction, TransactionKind
from samiti.finance.reports import passbook, trial_balance
from samiti.finance.services.savings import (
    MemberLine,
    check_meeting,
    group_books,
    record_meeting,
    service_charge_accrued,
    start_cycle,
    write_off_loan,
)
from samiti.finance.services.shareout import pay_out_member, payouts, share_out, share_out_sheet
from samiti.registry import testing
from samiti.registry.models import Attendance, Meeting

pytestmark = pytest.mark.django_db
DAY = ft.START
WEEK = datetime.timedelta(days=7)


def week(n: int) -> datetime.date:
    return DAY + n * WEEK


def a_group(size: int = 4, **constitution):
    group = testing.group()
    members = ft.members(group, size)
    return ft.cycle(group, **constitution), members


def savings_meeting(cycle, n: int, members, shares: int = 2, **extra):
    lines = [MemberLine(m.pk, shares=shares, social_fund=cycle.social_fund_per_meeting) for m in members]
    for index, fields in extra.items():
        for name, value in fields.items():
            setattr(lines[int(index[1:])], name, value)
    return ft.meeting(cycle, week(n), lines)


def refused(cycle, day, lines, **counted) -> FinanceError:
    with pytest.raises(FinanceError) as caught:
        record_meeting(
            actor=None,
            cycle=cycle,
            held_on=day,
            lines=lines,
            counted_loan_fund=counted.get("loan_fund", 0),
            counted_social_fund=counted.get("social", 0),
        )
    return caught.value


# ----- the constitution -----------------------------------------------------------------------------


def test_a_cycle_has_the_vsla_defaults_and_the_social_fund_stays_with_the_group():
    cycle, _members = a_group(1)
    assert (cycle.max_shares_per_meeting, cycle.loan_multiple, cycle.max_loan_months) == (5, 3, 3)
    assert cycle.share_social_fund is False and cycle.number == 1 and cycle.is_open


def test_only_groups_run_cycles_and_one_at_a_time():
    group = testing.group()
    ft.cycle(group)
    with pytest.raises(FinanceError, match="still running"):
        ft.cycle(group)
    with pytest.raises(FinanceError, match="groups"):
        ft.cycle(group.parent)


def test_a_constitution_with_a_bad_value_is_refused_on_its_field():
    with pytest.raises(FinanceError) as caught:
        start_cycle(actor=None, group=testing.group(), share_price=0, starts_on=DAY, planned_end_on=week(52))
    assert caught.value.field == "share_price"
    with pytest.raises(FinanceError) as caught:
        start_cycle(actor=None, group=testing.group(), share_price=100, starts_on=DAY, planned_end_on=DAY)
    assert "end" in str(caught.value).lower() or caught.value.field in (None, "planned_end_on")


def test_a_viewer_cannot_start_a_cycle():
    group = testing.group()
    viewer = testing.staff(role="viewer", organisation=group)
    with pytest.raises(FinanceError) as caught:
        start_cycle(actor=viewer, group=group, share_price=100, starts_on=DAY, planned_end_on=week(52))
    assert caught.value.code == "forbidden"


# ----- a meeting -----------------------------------------------------------------------------------------


def test_a_meeting_posts_balanced_transactions_and_records_attendance_on_the_calendar(
    django_capture_on_commit_callbacks,
):
    cycle, members = a_group(3)
    received = []
    savings_meeting_recorded.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        lines = [MemberLine(m.pk, shares=2, social_fund=1000) for m in members]
        lines[2].present = False
        lines[2].shares = 1  # sent with a neighbour
        with django_capture_on_commit_callbacks(execute=True):
            saved = ft.meeting(cycle, week(0), lines)
    finally:
        savings_meeting_recorded.disconnect(dispatch_uid="t1")
    assert saved.meeting.kind == Meeting.Kind.SAVINGS and saved.meeting.status == Meeting.Status.HELD
    assert set(Attendance.objects.filter(meeting=saved.meeting).values_list("member_id", flat=True)) == {
        members[0].pk,
        members[1].pk,
    }
    assert (saved.counted_loan_fund, saved.counted_social_fund) == (5 * 5000, 3 * 1000)
    for t in Transaction.objects.filter(meeting=saved.meeting):
        assert t.postings.aggregate(s=Sum("amount"))["s"] == 0
    [event] = received
    assert event["savings_meeting"] == saved and event["present"] == [members[0].pk, members[1].pk]


def test_buying_more_shares_than_the_constitution_allows_is_refused_with_the_row():
    cycle, members = a_group(2, max_shares_per_meeting=3)
    error = refused(cycle, DAY, [MemberLine(members[0].pk, shares=3), MemberLine(members[1].pk, shares=4)])
    assert error.field == "shares" and "Row 2" in str(error) and members[1].code in str(error)


def test_cash_that_buys_no_whole_share_is_refused_and_the_change_is_named():
    cycle, members = a_group(1, share_price=5000)
    error = refused(cycle, DAY, [MemberLine(members[0].pk, share_cash=13000)])
    assert error.field == "share_cash"
    assert "৳100" in str(error) and "৳30" in str(error)  # two shares, Tk 30 back
    saved = ft.meeting(cycle, DAY, [MemberLine(members[0].pk, share_cash=15000)])
    assert group_books(cycle, DAY).savings[members[0].pk] == 15000 and saved.counted_loan_fund == 15000


def test_a_loan_above_three_times_savings_or_longer_than_the_term_is_refused():
    cycle, members = a_group(3)
    savings_meeting(cycle, 0, members, shares=5)  # Tk 250 each
    too_much = [MemberLine(members[0].pk, loan=3 * 25000 + 1, loan_months=1)]
    assert refused(cycle, week(1), too_much).field == "loan"
    too_long = [MemberLine(members[0].pk, loan=10000, loan_months=4)]
    assert refused(cycle, week(1), too_long).field == "loan_months"
    ft.meeting(cycle, week(1), [MemberLine(members[0].pk, loan=3 * 25000, loan_months=3)])
    assert Loan.objects.get(member=members[0]).due_on == datetime.date(2026, 4, 12)


def test_loans_beyond_what_the_loan_fund_holds_are_refused():
    cycle, members = a_group(3)
    savings_meeting(cycle, 0, members, shares=5)  # the fund holds Tk 750
    lines = [MemberLine(m.pk, loan=30000, loan_months=1) for m in members]  # Tk 900 asked
    error = refused(cycle, week(1), lines)
    assert error.code == "loan_fund_too_small"


def test_a_meeting_whose_counted_cash_differs_from_the_books_is_refused_and_nothing_is_written():
    cycle, members = a_group(2)
    lines = [MemberLine(m.pk, shares=1, social_fund=1000) for m in members]
    error = refused(cycle, DAY, lines, loan_fund=10000, social=1500)
    assert error.code == "cash_mismatch"
    assert "৳5" in str(error)  # the social fund's difference
    assert not Transaction.objects.exists() and not SavingsMeeting.objects.exists()
    assert not Meeting.objects.filter(organisation=cycle.group).exists()


def test_a_retried_meeting_id_is_recorded_once():
    cycle, members = a_group(2)
    lines = [MemberLine(m.pk, shares=1) for m in members]
    key = uuid.uuid4()
    first = ft.meeting(cycle, DAY, lines, client_id=key)
    again = record_meeting(
        actor=None,
        cycle=cycle,
        held_on=DAY,
        lines=lines,
        client_id=key,
        counted_loan_fund=first.counted_loan_fund,
        counted_social_fund=0,
    )
    assert first.pk == again.pk and SavingsMeeting.objects.count() == 1
    assert Posting.objects.count() == 3


def test_a_closed_meeting_is_locked_and_corrected_by_a_reversal_in_the_next_meeting():
    cycle, members = a_group(2)
    first = savings_meeting(cycle, 0, members, shares=3)
    assert refused(cycle, DAY, [MemberLine(members[0].pk, shares=1)]).field == "held_on"
    shares = Transaction.objects.get(meeting=first.meeting, kind=TransactionKind.SHARES)
    lines = [MemberLine(m.pk, shares=2) for m in members]  # what the first meeting should have said, again
    check = check_meeting(cycle=cycle, held_on=week(1), lines=lines, corrections=[shares])
    assert check.loan_fund == 2 * 2 * 5000
    ft.meeting(cycle, week(1), lines, corrections=[shares])
    assert shares.reversed_by.meeting_id is not None
    assert group_books(cycle, week(1)).savings == {m.pk: 10000 for m in members}
    with pytest.raises(FinanceError, match="already been reversed"):
        check_meeting(cycle=cycle, held_on=week(2), lines=[], corrections=[shares])


def test_a_member_of_another_group_cannot_be_on_the_meeting():
    cycle, _members = a_group(1)
    stranger = testing.member()
    assert refused(cycle, DAY, [MemberLine(stranger.pk, shares=1)]).field == "member"


# ----- loans and service charges --------------------------------------------------------------------------


def test_a_flat_charge_is_on_the_amount_lent_for_every_month_begun():
    loan = Loan(
        principal=100000, issued_on=DAY, service_charge_percent=Decimal(5), service_charge_method="flat"
    )
    assert service_charge_accrued(loan, [], DAY) == 0
    assert service_charge_accrued(loan, [], DAY + datetime.timedelta(days=1)) == 5000
    part = [(datetime.date(2026, 2, 14), -60000)]  # Tk 400 still owed when month 3 begins on 5 March
    assert service_charge_accrued(loan, part, datetime.date(2026, 3, 5)) == 10000
    assert service_charge_accrued(loan, part, datetime.date(2026, 3, 6)) == 15000
    whole = [(datetime.date(2026, 2, 14), -100000)]  # repaid in month 2: no month 3
    assert service_charge_accrued(loan, whole, datetime.date(2026, 6, 1)) == 10000


def test_a_declining_charge_is_on_what_is_owed_when_each_month_begins():
    loan = Loan(
        principal=100000,
        issued_on=DAY,
        service_charge_percent=Decimal("2.5"),
        service_charge_method="declining",
    )
    paid = [(datetime.date(2026, 2, 1), -40000), (datetime.date(2026, 3, 1), -60000)]
    # month 1 on 100,000 (2,500); month 2 from 5 Feb on 60,000 (1,500); nothing owed from 5 March
    assert service_charge_accrued(loan, paid, datetime.date(2026, 4, 1)) == 4000


def test_repayments_and_charges_are_checked_against_what_is_owed_and_due():
    cycle, members = a_group(2)
    savings_meeting(cycle, 0, members, shares=5)
    ft.meeting(cycle, week(1), [MemberLine(members[0].pk, loan=20000, loan_months=2)])
    books = group_books(cycle, week(3))
    state = books.loans[members[0].pk]
    assert (state.owed, state.charge_due) == (20000, 1000)  # 5 % of Tk 200 for the month begun
    assert refused(cycle, week(3), [MemberLine(members[0].pk, repayment=20001)]).field == "repayment"
    assert refused(cycle, week(3), [MemberLine(members[0].pk, service_charge=1001)]).field == "service_charge"
    error = refused(cycle, week(3), [MemberLine(members[0].pk, repayment=20000)])
    assert error.field == "service_charge" and "unpaid" in str(error)
    again = [MemberLine(members[0].pk, repayment=5000, loan=1000, loan_months=1)]
    assert "one loan at a time" in str(refused(cycle, week(3), again))
    ft.meeting(cycle, week(3), [MemberLine(members[0].pk, repayment=20000, service_charge=1000)])
    assert Loan.objects.get(member=members[0]).status == Loan.Status.REPAID


def test_a_written_off_loan_is_borne_by_the_group():
    cycle, members = a_group(2)
    savings_meeting(cycle, 0, members, shares=5)
    ft.meeting(cycle, week(1), [MemberLine(members[0].pk, loan=20000, loan_months=1)])
    loan = Loan.objects.get(member=members[0])
    with pytest.raises(FinanceError):
        write_off_loan(actor=None, loan=loan, on=week(10), reason=" ")
    write_off_loan(actor=None, loan=loan, on=week(10), reason="moved away")
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.WRITTEN_OFF
    assert group_books(cycle, week(10)).owed == {}
    assert trial_balance(cycle.group).balanced


# ----- share-out ------------------------------------------------------------------------------------------


def test_a_share_out_waits_for_every_loan():
    cycle, members = a_group(2)
    savings_meeting(cycle, 0, members, shares=5)
    ft.meeting(cycle, week(1), [MemberLine(members[0].pk, loan=20000, loan_months=1)])
    with pytest.raises(FinanceError) as caught:
        share_out(actor=None, cycle=cycle, on=week(5))
    assert caught.value.code == "loans_open" and members[0].code in str(caught.value)


def test_payouts_are_shares_times_the_value_of_a_share_and_the_remainder_is_stated():
    result, remainder = payouts({1: 100, 2: 100, 3: 100}, 100, 1000)
    assert result == {1: (1, 333), 2: (1, 333), 3: (1, 333)} and remainder == 1


def test_a_share_out_pays_savings_and_profit_and_keeps_the_social_fund():
    cycle, members = a_group(3)
    savings_meeting(cycle, 0, members, shares=2)
    savings_meeting(cycle, 1, members, shares=1, m0={"loan": 20000, "loan_months": 1})
    savings_meeting(cycle, 5, members, shares=1, m0={"repayment": 20000, "service_charge": 1000})
    sheet = share_out(actor=None, cycle=cycle, on=week(6))
    assert sheet.fund == 4 * 3 * 5000 + 1000 and sheet.total_shares == 12
    assert sheet.total_payout + sheet.remainder == sheet.fund
    assert [row.payout for row in sheet.rows] == [61000 * 4 // 12] * 3
    assert [row.profit for row in sheet.rows] == [333] * 3 and sheet.remainder == 1
    books = group_books(cycle, week(6))
    assert books.savings == {} and books.loan_fund == 1 and books.social_fund == 3 * 3 * 1000
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SHARED_OUT
    made = share_out_sheet(Cycle.objects.get(pk=cycle.pk))
    assert [(r.member.pk, r.shares, r.payout) for r in made.rows] == [
        (r.member.pk, r.shares, r.payout) for r in sheet.rows
    ]
    assert made.remainder == 1 and made.done
    nxt = ft.cycle(cycle.group, starts_on=week(7), planned_end_on=week(60))
    assert nxt.number == 2 and group_books(nxt, week(7)).social_fund == 9000  # carried to the next cycle


def test_the_social_fund_is_shared_only_when_the_constitution_says_so():
    cycle, members = a_group(2, share_social_fund=True)
    savings_meeting(cycle, 0, members, shares=1)
    sheet = share_out(actor=None, cycle=cycle, on=week(1))
    assert sheet.fund == 2 * 5000 + 2 * 1000 and sheet.total_payout == sheet.fund
    assert group_books(cycle, week(1)).social_fund == 0
    assert trial_balance(cycle.group).balanced


def test_a_member_leaving_mid_cycle_is_paid_by_the_same_rule_valuing_loans_owed():
    cycle, members = a_group(3)
    savings_meeting(cycle, 0, members, shares=2)  # Tk 300 in the fund, 6 shares
    ft.meeting(cycle, week(1), [MemberLine(members[0].pk, loan=20000, loan_months=1)])
    with pytest.raises(FinanceError) as caught:
        pay_out_member(actor=None, cycle=cycle, member=members[0], on=week(2))
    assert caught.value.code == "loans_open"
    assert pay_out_member(actor=None, cycle=cycle, member=members[1], on=week(2)) == 10000
    assert members[1].pk not in group_books(cycle, week(2)).savings
    ft.meeting(cycle, week(4), [MemberLine(members[0].pk, repayment=20000, service_charge=1000)])
    sheet = share_out(actor=None, cycle=cycle, on=week(5))
    assert {row.member.pk for row in sheet.rows} == {members[0].pk, members[2].pk}
    assert sheet.fund == 20000 + 1000 and sheet.total_payout + sheet.remainder == sheet.fund


# ----- properties over random meetings ---------------------------------------------------------------------

MEETING = st.lists(
    st.tuples(st.integers(0, 5), st.booleans(), st.integers(0, 4), st.integers(0, 2), st.booleans()),
    min_size=4,
    max_size=4,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    meetings=st.lists(MEETING, min_size=1, max_size=6), share_social=st.booleans(), declining=st.booleans()
)
def test_any_sequence_of_valid_meetings_keeps_the_books_whole(meetings, share_social, declining):
    """After any valid meetings the trial balance balances, each passbook equals the member's postings,
    and the share-out's payouts plus the remainder equal the fund to the poisha."""
    cycle, members = a_group(
        4,
        share_price=3700,
        share_social_fund=share_social,
        social_fund_per_meeting=700,
        service_charge_method="declining" if declining else "flat",
    )
    day = DAY
    for rows in meetings:
        books = group_books(cycle, day)
        room = books.loan_fund
        lines = []
        for member, (shares, present, borrow, fine, repay) in zip(members, rows, strict=True):
            line = MemberLine(
                member.pk, present=present, shares=shares, social_fund=700 if present else 0, fine=fine * 500
            )
            state = books.loans.get(member.pk)
            if state is not None and repay:
                line.repayment, line.service_charge = state.owed, state.charge_due
            elif state is None and borrow:
                amount = min(borrow * 5000, 3 * books.savings.get(member.pk, 0), room)
                if amount > 0:
                    line.loan, line.loan_months, room = amount, 1 + borrow % 3, room - amount
            lines.append(line)
        ft.meeting(cycle, day, lines)
        day += WEEK
    for member in members:
        book = passbook(member)
        own = Posting.objects.filter(member=member)
        assert book.savings == -(
            own.filter(account__code="member_savings").aggregate(s=Sum("amount"))["s"] or 0
        )
        assert book.loan == (
            own.filter(account__code="loans_receivable").aggregate(s=Sum("amount"))["s"] or 0
        )
    assert trial_balance(cycle.group, day).balanced
    for loan in Loan.objects.filter(cycle=cycle, status=Loan.Status.OPEN):
        write_off_loan(actor=None, loan=loan, on=day, reason="end of cycle")
    before = group_books(cycle, day)
    if not before.savings:
        return
    sheet = share_out(actor=None, cycle=cycle, on=day)
    assert sheet.total_payout + sheet.remainder == sheet.fund
    assert sheet.fund == before.loan_fund + (before.social_fund if share_social else 0)
    assert 0 <= sheet.remainder < sheet.total_shares
    after = group_books(cycle, day)
    assert after.social_fund == (0 if share_social else before.social_fund)
    assert after.loan_fund == sheet.remainder
    assert Posting.objects.filter(account__organisation=cycle.group).aggregate(s=Sum("amount"))["s"] == 0


def test_reversing_a_repayment_that_closed_a_loan_opens_the_loan_again():
    cycle, members = a_group(2)
    savings_meeting(cycle, 0, members, shares=5)
    ft.meeting(cycle, week(1), [MemberLine(members[0].pk, loan=20000, loan_months=1)])
    paid = ft.meeting(cycle, week(2), [MemberLine(members[0].pk, repayment=20000, service_charge=1000)])
    assert Loan.objects.get(member=members[0]).status == Loan.Status.REPAID
    wrong = Transaction.objects.filter(meeting=paid.meeting, kind__in=["repayment", "service_charge"])
    ft.meeting(cycle, week(3), [MemberLine(members[0].pk, repayment=15000)], corrections=list(wrong))
    loan = Loan.objects.get(member=members[0])
    assert loan.status == Loan.Status.OPEN and group_books(cycle, week(3)).owed[members[0].pk] == 5000
    assert group_books(cycle, week(3)).loans[members[0].pk].charge_due == 1000
    assert trial_balance(cycle.group).balanced


def test_a_member_may_clear_her_loan_and_borrow_again_at_the_same_meeting():
    cycle, members = a_group(2)
    savings_meeting(cycle, 0, members, shares=5)
    ft.meeting(cycle, week(1), [MemberLine(members[0].pk, loan=20000, loan_months=1)])
    again = MemberLine(members[0].pk, repayment=20000, service_charge=1000, loan=30000, loan_months=2)
    ft.meeting(cycle, week(3), [again])
    loans = Loan.objects.filter(member=members[0]).order_by("issued_on")
    assert [(loan.principal, loan.status) for loan in loans] == [(20000, "repaid"), (30000, "open")]
