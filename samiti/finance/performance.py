"""How well a savings group is doing in a cycle, on a day: seven measures read from the ledger.

Every amount is in poisha and every balance is taken at the end of the day `on`. A ratio is None
when its denominator is zero (nothing to divide by says "not yet", not 0 %).

- **Savings per member** = total savings ÷ active members.
  Total savings is the credit balance of *members' savings*; it includes savings that are lent
  out just now (the usual definition, e.g. Indikit "average savings per member"). Active members
  are those who had joined by `on` and had not left by then. Rounded down to the poisha.
- **Loans outstanding** = Σ principal owed: the debit balance of *loans to members*.
  Service charges due but unpaid are not principal and are left out.
- **Loan-fund utilisation** = loans outstanding ÷ (loans outstanding + loan fund cash).
  The share of the money the group could lend that is out with members.
- **Portfolio at risk > 30 days** = principal owed on loans more than 30 days past their due date
  ÷ all principal owed (loans outstanding). The denominator is the principal *outstanding*, not
  the amount first lent: it is the common form (SEEP, CGAP), it keeps the ratio between 0 and 1,
  and the numerator and the denominator then measure the same thing. A loan is more than 30 days
  past due when `on` − due date > 30 days and the loan was still open on `on`.
- **Attendance over the last 4 meetings** = Σ members present ÷ Σ members expected, over the
  cycle's last four meetings held on or before `on` (SavingsMeeting.members_present and
  .members_expected), so a larger meeting weighs more than a small one.
- **Return on savings for the cycle** = (service charges + fines − loans written off, all in the
  cycle) ÷ savings of the cycle. Savings of the cycle are the shares bought in it, net of
  corrections (the share-out and payouts to leaving members are not subtracted, so the ratio
  stays the same after the share-out). Not annualised: it is the return of the cycle so far.
- **Dropout rate** = members of the group who left during the cycle (left on or after its start,
  up to `on`) ÷ members at its start (joined on or before the start and not left before it).
"""

import dataclasses
import datetime

from django.db.models import Count, Q, Sum

from samiti.finance.models import Cycle, Loan, Posting, SavingsMeeting, TransactionKind
from samiti.finance.services.chart import accounts_of
from samiti.registry.models import Member

PAR_DAYS = 30
ATTENDANCE_MEETINGS = 4


@dataclasses.dataclass(frozen=True)
class GroupPerformance:
    """The group's measures on a day (amounts in poisha, ratios from 0 to 1 or None)."""

    on: datetime.date
    active_members: int
    total_savings: int
    savings_per_member: int | None
    loans_outstanding: int
    loan_fund: int
    loan_fund_utilisation: float | None
    principal_at_risk: int
    portfolio_at_risk: float | None
    meetings_counted: int
    attendance: float | None
    income: int  # service charges + fines − write-offs of the cycle
    cycle_savings: int
    return_on_savings: float | None
    members_at_start: int
    members_left: int
    dropout_rate: float | None


def group_performance(cycle: Cycle, on: datetime.date) -> GroupPerformance:
    """The seven measures of the module's docstring for `cycle`'s group at the end of `on`."""
    group = cycle.group
    accounts = accounts_of(group)
    code_of = {accounts[c]: c for c in ("loan_fund", "member_savings", "loans_receivable")}
    held = dict(
        Posting.objects.filter(account_id__in=list(code_of), on__lte=on)
        .values_list("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    balance = {code: held.get(pk) or 0 for pk, code in code_of.items()}
    total_savings = -balance["member_savings"]
    outstanding = balance["loans_receivable"]
    loan_fund = balance["loan_fund"]

    late = Loan.objects.filter(
        cycle__group=group, issued_on__lte=on, due_on__lt=on - datetime.timedelta(PAR_DAYS)
    )
    late = late.filter(Q(status=Loan.Status.OPEN) | Q(closed_on__gt=on)).values("member_id")
    at_risk = (
        Posting.objects.filter(
            account_id=accounts["loans_receivable"], member_id__in=late, on__lte=on
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )

    earned = {
        code: total or 0
        for code, total in Posting.objects.filter(
            transaction__cycle=cycle,
            on__lte=on,
            account_id__in=[
                accounts[c]
                for c in ("service_charge_income", "fines_income", "loan_write_offs", "member_savings")
            ],
        )
        .exclude(Q(account_id=accounts["member_savings"]) & Q(transaction__kind__in=CYCLE_END))
        .values_list("account__code")
        .annotate(total=Sum("amount"))
        .values_list("account__code", "total")
    }
    income = (
        -earned.get("service_charge_income", 0)
        - earned.get("fines_income", 0)
        - earned.get("loan_write_offs", 0)
    )
    cycle_savings = -earned.get("member_savings", 0)

    last = list(
        SavingsMeeting.objects.filter(cycle=cycle, held_on__lte=on)
        .order_by("-number")
        .values_list("members_present", "members_expected")[:ATTENDANCE_MEETINGS]
    )
    present, expected = sum(p for p, _e in last), sum(e for _p, e in last)

    start = cycle.starts_on
    members = Member.objects.filter(group=group).aggregate(
        active=Count("pk", filter=Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))),
        at_start=Count(
            "pk", filter=Q(joined_on__lte=start) & (Q(left_on__isnull=True) | Q(left_on__gte=start))
        ),
        left=Count("pk", filter=Q(left_on__gte=start, left_on__lte=on)),
    )
    return GroupPerformance(
        on=on,
        active_members=members["active"],
        total_savings=total_savings,
        savings_per_member=total_savings // members["active"] if members["active"] else None,
        loans_outstanding=outstanding,
        loan_fund=loan_fund,
        loan_fund_utilisation=_ratio(outstanding, outstanding + loan_fund),
        principal_at_risk=at_risk,
        portfolio_at_risk=_ratio(at_risk, outstanding),
        meetings_counted=len(last),
        attendance=_ratio(present, expected),
        income=income,
        cycle_savings=cycle_savings,
        return_on_savings=_ratio(income, cycle_savings),
        members_at_start=members["at_start"],
        members_left=members["left"],
        dropout_rate=_ratio(members["left"], members["at_start"]),
    )


# Savings leave the members' accounts at these; they are not "savings of the cycle" taken back.
CYCLE_END = (TransactionKind.SHARE_OUT, TransactionKind.PAYOUT)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None
