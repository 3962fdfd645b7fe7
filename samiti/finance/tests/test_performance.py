"""A group's performance, with every figure worked out by hand from the story below."""

import datetime

import pytest

from samiti.finance import testing as finance_testing
from samiti.finance.models import Loan
from samiti.finance.performance import group_performance
from samiti.finance.services.savings import MemberLine, write_off_loan
from samiti.finance.services.shareout import pay_out_member
from samiti.registry import testing
from samiti.registry.services import update_member

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def story():
    """Share ৳50 (5,000 poisha), service charge 5 % a month flat, no social fund.

    - A, B, C, D, E joined before the cycle began on 2026-01-05.
    - M1 01-12: all five present, 2 shares each (10,000 each; savings 50,000; loan fund 50,000).
    - M2 01-19: A, B, C present. A borrows 20,000 and B 10,000, both for a month (due 02-19).
      Loan fund 20,000.
    - 02-01: E is paid out (fund 20,000 + 30,000 owed = 50,000 ÷ 10 shares × 2 = 10,000) and
      leaves. Loan fund 10,000. F joins on 02-10.
    - M3 02-16: A, C, D, F present. A repays 20,000 and the month's charge of 1,000; C is fined
      500; F buys a share (5,000); D borrows 1,000 for a month (due 03-16). Loan fund 35,500.
    - M4 03-02: C, D present. C buys a share (5,000) and borrows 6,000 for two months (due 05-02).
      Loan fund 34,500.
    - M5 03-09: A, B, C, D present; no money.
    - 03-20: D's loan of 1,000 is written off.
    """
    group = testing.group()
    early = D(2025, 12, 1)
    a, b, c, d, e = (testing.member(group, joined_on=early) for _ in range(5))
    cycle = finance_testing.cycle(group, share_price=5000, social_fund_per_meeting=0)
    meet = finance_testing.meeting
    meet(cycle, D(2026, 1, 12), [MemberLine(m.pk, shares=2) for m in (a, b, c, d, e)])
    meet(
        cycle,
        D(2026, 1, 19),
        [
            MemberLine(a.pk, loan=20000, loan_months=1),
            MemberLine(b.pk, loan=10000, loan_months=1),
            MemberLine(c.pk),
            MemberLine(d.pk, present=False),
            MemberLine(e.pk, present=False),
        ],
    )
    assert pay_out_member(actor=None, cycle=cycle, member=e, on=D(2026, 2, 1)) == 10000
    update_member(actor=None, member=e, left_on=D(2026, 2, 1), leaving_reason="Moved to Dhaka")
    f = testing.member(group, joined_on=D(2026, 2, 10))
    meet(
        cycle,
        D(2026, 2, 16),
        [
            MemberLine(a.pk, repayment=20000, service_charge=1000),
            MemberLine(b.pk, present=False),
            MemberLine(c.pk, fine=500),
            MemberLine(d.pk, loan=1000, loan_months=1),
            MemberLine(f.pk, shares=1),
        ],
    )
    meet(
        cycle,
        D(2026, 3, 2),
        [
            MemberLine(c.pk, shares=1, loan=6000, loan_months=2),
            MemberLine(d.pk),
            *(MemberLine(m.pk, present=False) for m in (a, b, f)),
        ],
    )
    meet(
        cycle,
        D(2026, 3, 9),
        [*(MemberLine(m.pk) for m in (a, b, c, d)), MemberLine(f.pk, present=False)],
    )
    write_off_loan(actor=None, loan=Loan.objects.get(member=d), on=D(2026, 3, 20), reason="Died")
    return cycle


def test_every_measure_of_the_group_on_a_day_after_the_story(story, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        found = group_performance(story, D(2026, 4, 1))
    # Savings: A, B, D 10,000 each, C 15,000, F 5,000 (E was paid out) = 50,000 among 5 active members.
    assert (found.total_savings, found.active_members, found.savings_per_member) == (50000, 5, 10000)
    # Owed: B 10,000 and C 6,000 (A repaid, D written off); the loan fund holds 34,500.
    assert (found.loans_outstanding, found.loan_fund) == (16000, 34500)
    assert found.loan_fund_utilisation == pytest.approx(16000 / 50500)
    # B's loan was due on 02-19: 41 days late on 04-01. C's is due on 05-02.
    assert found.principal_at_risk == 10000
    assert found.portfolio_at_risk == pytest.approx(10000 / 16000)
    # The last four meetings: 3 of 5, 4 of 5, 2 of 5, 4 of 5 (M1's 5 of 5 is left out).
    assert found.meetings_counted == 4
    assert found.attendance == pytest.approx(13 / 20)
    # Service charge 1,000 + fines 500 − written off 1,000, over shares bought: 50,000 + 5,000 + 5,000.
    assert (found.income, found.cycle_savings) == (500, 60000)
    assert found.return_on_savings == pytest.approx(500 / 60000)
    # E left during the cycle, of the five members at its start (F joined later).
    assert (found.members_left, found.members_at_start) == (1, 5)
    assert found.dropout_rate == pytest.approx(0.2)


def test_the_measures_are_read_as_they_stood_on_an_earlier_day(story):
    found = group_performance(story, D(2026, 1, 20))
    assert (found.total_savings, found.active_members, found.savings_per_member) == (50000, 5, 10000)
    assert (found.loans_outstanding, found.loan_fund) == (30000, 20000)
    assert found.loan_fund_utilisation == pytest.approx(0.6)
    assert found.portfolio_at_risk == 0
    assert found.attendance == pytest.approx(8 / 10)
    assert found.return_on_savings == 0
    assert (found.members_left, found.dropout_rate) == (0, 0)


def test_a_loan_closed_after_the_day_still_counts_as_at_risk_on_that_day(story):
    # On 03-18 D's loan (due 03-16) was 2 days late and B's 27: nothing is over 30 days yet.
    assert group_performance(story, D(2026, 3, 18)).principal_at_risk == 0
    # On 03-19 B's is 28 days late and D's still open: still nothing; on 03-22 B's is 31 days late.
    found = group_performance(story, D(2026, 3, 22))
    assert found.principal_at_risk == 10000
    assert found.portfolio_at_risk == pytest.approx(10000 / 16000)


def test_a_new_cycle_with_nothing_recorded_has_no_ratios_to_give():
    group = testing.group()
    testing.member(group, joined_on=D(2025, 12, 1))
    found = group_performance(finance_testing.cycle(group), D(2026, 1, 6))
    assert found.savings_per_member == 0
    assert found.loan_fund_utilisation is None
    assert found.portfolio_at_risk is None
    assert found.attendance is None
    assert found.return_on_savings is None
    assert found.dropout_rate == 0
