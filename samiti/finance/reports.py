"""Reports from the ledger: trial balance, balance sheet, income and expenditure, a member's
passbook and the cash book.

Every figure is summed in the database (GROUP BY, and window sums for running balances); Python
only arranges the rows it gets back. Amounts are poisha; a posting is a debit when positive.
"""

import dataclasses
import datetime
from collections.abc import Sequence

from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from samiti.finance.models import Account, AccountKind, Posting, TransactionKind
from samiti.finance.services.chart import account_name
from samiti.registry.models import Member, Organisation

# Accounts whose balance is normally a debit; the others' normal balance is a credit.
DEBIT_NORMAL = (AccountKind.ASSET, AccountKind.EXPENSE)
SAVINGS, LOANS = "member_savings", "loans_receivable"
# The order postings are read in: by day, then as they were posted.
IN_ORDER = (F("on").asc(), F("transaction_id").asc(), F("id").asc())


def this_year(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last day of this year: the period a report shows unless asked otherwise."""
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def period(
    start: datetime.date | None = None, end: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """`start` and `end`, each this year's first or last day when not given."""
    first, last = this_year()
    return start or first, end or last


# ----- balances of accounts ----------------------------------------------------------------------


class Sides:
    """A balance (debit positive) read as a debit or a credit, the other side zero."""

    balance: int

    @property
    def debit(self) -> int:
        return max(self.balance, 0)

    @property
    def credit(self) -> int:
        return max(-self.balance, 0)


class Flows:
    """An amount as posted against a member or a cash account: money in is a debit of cash and a
    credit of what the member holds, so a member's payment in is the credit side."""

    amount: int

    @property
    def paid_in(self) -> int:
        return max(-self.amount, 0)

    @property
    def paid_out(self) -> int:
        return max(self.amount, 0)


@dataclasses.dataclass(frozen=True)
class MemberBalance(Sides):
    """A member's sub-account of a per-member account (savings, loans)."""

    member_id: int
    code: str
    name: str
    balance: int  # debit positive


@dataclasses.dataclass
class AccountBalance(Sides):
    """An account and its balance (debit positive); per-member accounts list their members."""

    account: Account
    balance: int
    members: list[MemberBalance] = dataclasses.field(default_factory=list)

    @property
    def code(self) -> str:
        return self.account.code

    @property
    def name(self) -> str:
        return account_name(self.account)

    @property
    def kind(self) -> str:
        return self.account.kind

    @property
    def amount(self) -> int:
        """The balance on the account's normal side: what a balance sheet or I&E shows."""
        return self.balance if self.kind in DEBIT_NORMAL else -self.balance


def _postings(organisation: Organisation) -> QuerySet[Posting]:
    return Posting.objects.filter(account__organisation=organisation)


def account_balances(
    organisation: Organisation,
    *,
    on: datetime.date | None = None,
    start: datetime.date | None = None,
    kinds: Sequence[str] | None = None,
    with_members: bool = True,
    all_accounts: bool = False,
) -> list[AccountBalance]:
    """Each account's balance at the end of `on` (or its movement from `start` to `on`), in chart
    order; accounts that never moved are left out unless `all_accounts`."""
    postings = _postings(organisation)
    if on is not None:
        postings = postings.filter(on__lte=on)
    if start is not None:
        postings = postings.filter(on__gte=start)
    accounts = Account.objects.filter(organisation=organisation).order_by("id")
    if kinds is not None:
        accounts = accounts.filter(kind__in=kinds)
        postings = postings.filter(account__kind__in=kinds)
    totals = dict(
        postings.values("account_id").annotate(total=Sum("amount")).values_list("account_id", "total")
    )
    per_member: dict[int, list[MemberBalance]] = {}
    if with_members:
        rows = (
            postings.filter(account__per_member=True)
            .values("account_id", "member_id", "member__code", "member__name_bn", "member__name_en")
            .annotate(total=Sum("amount"))
            .exclude(total=0)
            .order_by("account_id", "member__code")
        )
        for row in rows:
            per_member.setdefault(row["account_id"], []).append(
                MemberBalance(
                    member_id=row["member_id"],
                    code=row["member__code"] or "",
                    name=Member.display_name(row["member__name_bn"] or "", row["member__name_en"] or ""),
                    balance=row["total"],
                )
            )
    return [
        AccountBalance(account, totals.get(account.pk, 0), per_member.get(account.pk, []))
        for account in accounts
        if all_accounts or account.pk in totals
    ]


@dataclasses.dataclass
class TrialBalance:
    organisation: Organisation
    on: datetime.date
    lines: list[AccountBalance]

    @property
    def total_debit(self) -> int:
        return sum(line.debit for line in self.lines)

    @property
    def total_credit(self) -> int:
        return sum(line.credit for line in self.lines)

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit


def trial_balance(organisation: Organisation, on: datetime.date | None = None) -> TrialBalance:
    """Every account's debit or credit balance at the end of `on` (today unless given)."""
    on = on or timezone.localdate()
    lines = [line for line in account_balances(organisation, on=on) if line.balance]
    return TrialBalance(organisation, on, lines)


@dataclasses.dataclass
class BalanceSheet:
    """What the organisation owns, against what it owes and what is its own, at the end of `on`."""

    organisation: Organisation
    on: datetime.date
    assets: list[AccountBalance]
    liabilities: list[AccountBalance]
    equity: list[AccountBalance]
    surplus: int  # income − expenses to date, part of the equity

    @property
    def total_assets(self) -> int:
        return sum(line.amount for line in self.assets)

    @property
    def total_liabilities(self) -> int:
        return sum(line.amount for line in self.liabilities)

    @property
    def total_equity(self) -> int:
        return sum(line.amount for line in self.equity) + self.surplus

    @property
    def total_liabilities_and_equity(self) -> int:
        return self.total_liabilities + self.total_equity

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities_and_equity


def balance_sheet(organisation: Organisation, on: datetime.date | None = None) -> BalanceSheet:
    """Assets = liabilities + equity, where equity includes the surplus to date."""
    on = on or timezone.localdate()
    lines = [line for line in account_balances(organisation, on=on, with_members=False) if line.balance]
    by_kind: dict[str, list[AccountBalance]] = {kind: [] for kind in AccountKind.values}
    for line in lines:
        by_kind[line.kind].append(line)
    income = sum(line.amount for line in by_kind[AccountKind.INCOME])
    expenses = sum(line.amount for line in by_kind[AccountKind.EXPENSE])
    return BalanceSheet(
        organisation,
        on,
        assets=by_kind[AccountKind.ASSET],
        liabilities=by_kind[AccountKind.LIABILITY],
        equity=by_kind[AccountKind.EQUITY],
        surplus=income - expenses,
    )


@dataclasses.dataclass
class IncomeAndExpenditure:
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    income: list[AccountBalance]
    expenses: list[AccountBalance]

    @property
    def total_income(self) -> int:
        return sum(line.amount for line in self.income)

    @property
    def total_expenses(self) -> int:
        return sum(line.amount for line in self.expenses)

    @property
    def surplus(self) -> int:
        """Income less expenses; a deficit when negative."""
        return self.total_income - self.total_expenses


def income_and_expenditure(
    organisation: Organisation, start: datetime.date | None = None, end: datetime.date | None = None
) -> IncomeAndExpenditure:
    """Income and expenses over the days from `start` to `end` (this year unless given)."""
    start, end = period(start, end)
    lines = account_balances(
        organisation,
        on=end,
        start=start,
        kinds=(AccountKind.INCOME, AccountKind.EXPENSE),
        with_members=False,
    )
    return IncomeAndExpenditure(
        organisation,
        start,
        end,
        income=[line for line in lines if line.kind == AccountKind.INCOME and line.balance],
        expenses=[line for line in lines if line.kind == AccountKind.EXPENSE and line.balance],
    )


# ----- a member's passbook -----------------------------------------------------------------------


def _sum_of(code: str) -> Sum:
    """The sum of the postings to the account `code`, the others counting nothing."""
    return Sum(
        Case(When(account__code=code, then=F("amount")), default=Value(0), output_field=BigIntegerField())
    )


def _kind_label(kind: str) -> str:
    return str(TransactionKind(kind).label) if kind in TransactionKind.values else kind


@dataclasses.dataclass(frozen=True)
class PassbookRow(Flows):
    on: datetime.date
    transaction_id: int
    kind: str
    memo: str
    reference: str
    account: str  # the account's name
    code: str  # the account's code
    amount: int  # as posted: debit positive
    savings: int  # the member's savings after this line
    loan: int  # what the member owes on loans after this line

    @property
    def what(self) -> str:
        return _kind_label(self.kind)


@dataclasses.dataclass(frozen=True)
class KindTotal(Flows):
    kind: str
    count: int
    amount: int  # Σ amount as posted

    @property
    def what(self) -> str:
        return _kind_label(self.kind)


@dataclasses.dataclass
class Passbook:
    """A member's statement: every posting that names them, with savings and loan owed as they ran.

    The savings balance is the credit balance of the member's postings to member savings
    (−Σ amount) and the loan owed the debit balance of their postings to loans receivable.
    """

    member: Member
    start: datetime.date | None
    end: datetime.date | None
    opening_savings: int
    opening_loan: int
    rows: list[PassbookRow]
    by_kind: list[KindTotal]
    savings: int
    loan: int


def passbook(
    member: Member, start: datetime.date | None = None, end: datetime.date | None = None
) -> Passbook:
    """Every posting that names `member` from `start` to `end` (all of them unless given)."""
    postings = Posting.objects.filter(member=member)
    before = (
        postings.filter(on__lt=start).aggregate(
            savings=Coalesce(_sum_of(SAVINGS), 0), loan=Coalesce(_sum_of(LOANS), 0)
        )
        if start is not None
        else {"savings": 0, "loan": 0}
    )
    if start is not None:
        postings = postings.filter(on__gte=start)
    if end is not None:
        postings = postings.filter(on__lte=end)
    found = (
        postings.annotate(
            savings_run=Window(_sum_of(SAVINGS), order_by=IN_ORDER),
            loan_run=Window(_sum_of(LOANS), order_by=IN_ORDER),
        )
        .select_related("transaction", "account")
        .order_by(*IN_ORDER)
    )
    opening_savings, opening_loan = -before["savings"], before["loan"]
    rows = [
        PassbookRow(
            on=p.on,
            transaction_id=p.transaction_id,
            kind=p.transaction.kind,
            memo=p.transaction.memo,
            reference=p.transaction.reference,
            account=account_name(p.account),
            code=p.account.code,
            amount=p.amount,
            savings=opening_savings - p.savings_run,
            loan=opening_loan + p.loan_run,
        )
        for p in found
    ]
    by_kind = [
        KindTotal(row["transaction__kind"], row["count"], row["total"])
        for row in postings.values("transaction__kind")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by("transaction__kind")
    ]
    closing = postings.aggregate(savings=Coalesce(_sum_of(SAVINGS), 0), loan=Coalesce(_sum_of(LOANS), 0))
    return Passbook(
        member=member,
        start=start,
        end=end,
        opening_savings=opening_savings,
        opening_loan=opening_loan,
        rows=rows,
        by_kind=by_kind,
        savings=opening_savings - closing["savings"],
        loan=opening_loan + closing["loan"],
    )


# ----- the cash book -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CashRow:
    on: datetime.date
    transaction_id: int
    kind: str
    memo: str
    reference: str
    account: str  # the cash account's name
    amount: int  # a receipt when positive, a payment when negative
    balance: int  # of the cash book's accounts together, after this line

    @property
    def what(self) -> str:
        return _kind_label(self.kind)

    @property
    def receipt(self) -> int:
        return max(self.amount, 0)

    @property
    def payment(self) -> int:
        return max(-self.amount, 0)


@dataclasses.dataclass
class CashBook:
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    accounts: list[Account]
    opening: int
    rows: list[CashRow]
    receipts: int
    payments: int

    @property
    def closing(self) -> int:
        return self.opening + self.receipts - self.payments

    @property
    def account_names(self) -> list[str]:
        return [account_name(account) for account in self.accounts]


def cash_accounts(organisation: Organisation) -> QuerySet[Account]:
    return Account.objects.filter(organisation=organisation, is_cash=True).order_by("id")


def cash_book(
    organisation: Organisation,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    accounts: Sequence[str] | None = None,
) -> CashBook:
    """Receipts and payments of the cash accounts (all of them, or the codes in `accounts`) from
    `start` to `end` (this year unless given), between the opening and the closing balance."""
    start, end = period(start, end)
    chosen = cash_accounts(organisation)
    if accounts is not None:
        chosen = Account.objects.filter(organisation=organisation, code__in=accounts).order_by("id")
    chosen = list(chosen)
    postings = Posting.objects.filter(account__in=chosen)
    opening = postings.filter(on__lt=start).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    within = postings.filter(on__gte=start, on__lte=end)
    found = (
        within.annotate(run=Window(Sum("amount"), order_by=IN_ORDER))
        .select_related("transaction", "account")
        .order_by(*IN_ORDER)
    )
    rows = [
        CashRow(
            on=p.on,
            transaction_id=p.transaction_id,
            kind=p.transaction.kind,
            memo=p.transaction.memo,
            reference=p.transaction.reference,
            account=account_name(p.account),
            amount=p.amount,
            balance=opening + p.run,
        )
        for p in found
    ]
    totals = within.aggregate(
        receipts=Coalesce(Sum("amount", filter=Q(amount__gt=0)), 0),
        payments=Coalesce(Sum("amount", filter=Q(amount__lt=0)), 0),
    )
    return CashBook(
        organisation,
        start,
        end,
        accounts=chosen,
        opening=opening,
        rows=rows,
        receipts=totals["receipts"],
        payments=-totals["payments"],
    )
