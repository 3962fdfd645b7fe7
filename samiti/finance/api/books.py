"""The books in the API: accounts with their balances, the reports (trial balance, balance sheet,
income and expenditure, cash book, a member's passbook), transactions, and the writes of the
ledger (a manual transaction, a reversal, a period close) through the same services as the pages.

Amounts are integer poisha (100 poisha = 1 taka); a posting's amount is signed, a debit positive.
A transaction sent with a client_id is recorded once: a retry answers the same transaction.
"""

import datetime
import uuid
from typing import Literal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.models import Channel
from samiti.finance import reports
from samiti.finance.errors import FinanceError
from samiti.finance.models import PeriodClose, Transaction, TransactionKind
from samiti.finance.queries import transactions_for
from samiti.finance.services.ledger import Line, close_period, post_transaction, reverse_transaction
from samiti.registry.models import Organisation, User
from samiti.registry.queries import member_or_404, members_of, organisation_or_404

router = Router(tags=["books"])

POISHA = "Poisha (100 poisha = 1 taka)."
K = TransactionKind
# What the API posts by hand; a meeting, dues, rentals and share-outs have their own endpoints.
MANUAL = (K.EXPENSE, K.GRANT, K.INCOME, K.TRANSFER, K.OPENING)
KindCode = Literal[tuple(K.values)]
ManualKind = Literal[tuple(str(kind) for kind in MANUAL)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    return organisation_or_404(_user(request), pk)


# ----- accounts and reports ----------------------------------------------------------------------


class MemberBalanceOut(Schema):
    member: int = Field(alias="member_id")
    code: str
    name: str
    balance: int = Field(description="Debit positive. " + POISHA)


class AccountOut(Schema):
    code: str
    name: str
    kind: str
    balance: int = Field(description="Debits less credits. " + POISHA)
    amount: int = Field(description="The balance on the account's normal side (credit for liabilities, "
                        "equity and income). " + POISHA)  # fmt: skip


class TrialLineOut(AccountOut):
    debit: int
    credit: int
    members: list[MemberBalanceOut] = Field(description="Per-member accounts: each member's balance.")


class TrialBalanceOut(Schema):
    on: datetime.date
    lines: list[TrialLineOut]
    total_debit: int
    total_credit: int
    balanced: bool


class BalanceSheetOut(Schema):
    on: datetime.date
    assets: list[AccountOut]
    liabilities: list[AccountOut]
    equity: list[AccountOut]
    surplus: int = Field(description="Income less expenses to date, part of the equity.")
    total_assets: int
    total_liabilities: int
    total_equity: int
    balanced: bool = Field(description="Assets = liabilities + equity.")


class IncomeAndExpenditureOut(Schema):
    start: datetime.date
    end: datetime.date
    income: list[AccountOut]
    expenses: list[AccountOut]
    total_income: int
    total_expenses: int
    surplus: int = Field(description="Income less expenses; negative for a deficit.")


class CashRowOut(Schema):
    on: datetime.date
    transaction: int = Field(alias="transaction_id")
    kind: str
    memo: str
    reference: str
    account: str
    receipt: int
    payment: int
    balance: int


class CashBookOut(Schema):
    start: datetime.date
    end: datetime.date
    accounts: list[str]
    opening: int
    receipts: int
    payments: int
    closing: int = Field(description="Opening + receipts − payments.")
    rows: list[CashRowOut]

    @staticmethod
    def resolve_accounts(book: reports.CashBook) -> list[str]:
        return [account.code for account in book.accounts]


class PassbookRowOut(Schema):
    on: datetime.date
    transaction: int = Field(alias="transaction_id")
    kind: str
    memo: str
    reference: str
    account: str = Field(alias="code")
    amount: int = Field(description="As posted: a debit positive. " + POISHA)
    savings: int = Field(description="The member's savings after this line.")
    loan: int = Field(description="What the member owes on loans after this line.")


class KindTotalOut(Schema):
    kind: str
    count: int
    paid_in: int
    paid_out: int


class PassbookOut(Schema):
    member: int
    start: datetime.date | None
    end: datetime.date | None
    opening_savings: int
    opening_loan: int
    savings: int = Field(description="−Σ the member's postings to member_savings.")
    loan: int = Field(description="Σ the member's postings to loans_receivable.")
    by_kind: list[KindTotalOut]
    rows: list[PassbookRowOut]

    @staticmethod
    def resolve_member(book: reports.Passbook) -> int:
        return book.member.pk


class OnQuery(Schema):
    on: datetime.date | None = Field(None, description="At the end of this day; today unless given.")


class PeriodQuery(Schema):
    start: datetime.date | None = Field(None, description="The first day; 1 January this year unless given.")
    end: datetime.date | None = Field(None, description="The last day; 31 December this year unless given.")


class CashBookQuery(PeriodQuery):
    accounts: list[str] | None = Field(None, description="Account codes; every cash account unless given.")


@router.get("/organisations/{organisation_id}/accounts", response=list[AccountOut])
def list_accounts(request: HttpRequest, organisation_id: int, when: Query[OnQuery]) -> list:
    """Every account of the organisation's chart with its balance at the end of the day."""
    organisation = _organisation(request, organisation_id)
    return reports.account_balances(organisation, on=when.on, with_members=False, all_accounts=True)


@router.get("/organisations/{organisation_id}/trial-balance", response=TrialBalanceOut)
def read_trial_balance(
    request: HttpRequest, organisation_id: int, when: Query[OnQuery]
) -> reports.TrialBalance:
    """Each account's debit or credit balance; per-member accounts list their members."""
    return reports.trial_balance(_organisation(request, organisation_id), when.on)


@router.get("/organisations/{organisation_id}/balance-sheet", response=BalanceSheetOut)
def read_balance_sheet(
    request: HttpRequest, organisation_id: int, when: Query[OnQuery]
) -> reports.BalanceSheet:
    return reports.balance_sheet(_organisation(request, organisation_id), when.on)


@router.get("/organisations/{organisation_id}/income-and-expenditure", response=IncomeAndExpenditureOut)
def read_income_and_expenditure(
    request: HttpRequest, organisation_id: int, within: Query[PeriodQuery]
) -> reports.IncomeAndExpenditure:
    _check_period(within.start, within.end)
    return reports.income_and_expenditure(_organisation(request, organisation_id), within.start, within.end)


@router.get("/organisations/{organisation_id}/cash-book", response=CashBookOut)
def read_cash_book(
    request: HttpRequest, organisation_id: int, within: Query[CashBookQuery]
) -> reports.CashBook:
    _check_period(within.start, within.end)
    organisation = _organisation(request, organisation_id)
    return reports.cash_book(organisation, within.start, within.end, accounts=within.accounts or None)


@router.get("/members/{member_id}/passbook", response=PassbookOut)
def read_passbook(request: HttpRequest, member_id: int, within: Query[PeriodQuery]) -> reports.Passbook:
    """Every posting that names the member, with savings and loan owed as they ran."""
    _check_period(within.start, within.end)
    return reports.passbook(member_or_404(_user(request), member_id), within.start, within.end)


def _check_period(start: datetime.date | None, end: datetime.date | None) -> None:
    if start and end and end < start:
        raise FinanceError(_("The last day comes before the first."), field="end")


# ----- transactions ------------------------------------------------------------------------------


class PostingOut(Schema):
    account: str
    member: int | None = Field(alias="member_id")
    amount: int = Field(description="Debit positive, credit negative. " + POISHA)

    @staticmethod
    def resolve_account(posting) -> str:
        return posting.account.code


class TransactionOut(Schema):
    id: int
    client_id: uuid.UUID
    organisation: int = Field(alias="organisation_id")
    on: datetime.date
    kind: KindCode  # type: ignore[valid-type]
    memo: str
    reference: str
    amount: int = Field(description="The sum of its debits. " + POISHA)
    reverses: int | None = Field(alias="reverses_id")
    reversed_by: int | None
    channel: str

    @staticmethod
    def resolve_reversed_by(transaction: Transaction) -> int | None:
        reversal = getattr(transaction, "reversed_by", None)
        return reversal.pk if reversal is not None else None


class TransactionDetailOut(TransactionOut):
    postings: list[PostingOut]

    @staticmethod
    def resolve_postings(transaction: Transaction) -> list:
        return list(transaction.postings.select_related("account").order_by("id"))


class TransactionFilters(PeriodQuery):
    kind: KindCode | None = None  # type: ignore[valid-type]


def _with_amounts(found: QuerySet[Transaction]) -> QuerySet[Transaction]:
    return found.annotate(amount=Sum("postings__amount", filter=Q(postings__amount__gt=0))).select_related(
        "reversed_by"
    )


def _transaction(user: User, pk: int) -> Transaction:
    found = _with_amounts(transactions_for(user).select_related("organisation")).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.get("/organisations/{organisation_id}/transactions", response=list[TransactionOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_transactions(
    request: HttpRequest, organisation_id: int, filters: Query[TransactionFilters]
) -> QuerySet[Transaction]:
    """The organisation's transactions, the latest first."""
    organisation = _organisation(request, organisation_id)
    found = transactions_for(_user(request)).filter(organisation=organisation)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.start:
        found = found.filter(on__gte=filters.start)
    if filters.end:
        found = found.filter(on__lte=filters.end)
    return _with_amounts(found).order_by("-on", "-id")


@router.get("/transactions/{transaction_id}", response=TransactionDetailOut)
def read_transaction(request: HttpRequest, transaction_id: int) -> Transaction:
    return _transaction(_user(request), transaction_id)


class LineIn(Schema):
    account: str = Field(description="An account code of the chart, such as cash or running_costs.")
    amount: int | None = Field(None, description="Signed: a debit positive, a credit negative. " + POISHA)
    debit: int | None = Field(None, gt=0, description="Instead of amount. " + POISHA)
    credit: int | None = Field(None, gt=0, description="Instead of amount. " + POISHA)
    member: int | None = Field(None, description="The member's id, for members' savings and loans.")


class TransactionIn(Schema):
    on: datetime.date
    kind: ManualKind  # type: ignore[valid-type]
    lines: list[LineIn] = Field(min_length=2)
    memo: str = Field("", max_length=200)
    reference: str = Field("", max_length=60)
    client_id: uuid.UUID | None = Field(
        None, description="Made by the client and kept: a retry with it answers the same transaction."
    )


def _lines(user: User, organisation: Organisation, payload: TransactionIn) -> list[Line]:
    named = {line.member for line in payload.lines if line.member is not None}
    known = set(members_of(user, organisation).filter(pk__in=named).values_list("pk", flat=True))
    lines = []
    for number, line in enumerate(payload.lines, start=1):
        given = [value is not None for value in (line.amount, line.debit, line.credit)]
        if sum(given) != 1:
            raise FinanceError(
                _("Line %(line)s: give an amount, a debit or a credit (one of them).") % {"line": number},
                field="lines",
            )
        if line.member is not None and line.member not in known:
            raise FinanceError(
                _("Line %(line)s: no member of this organisation has the id %(id)s.")
                % {"line": number, "id": line.member},
                field="member",
            )
        amount = line.amount if line.amount is not None else (line.debit or 0) - (line.credit or 0)
        lines.append(Line(line.account, amount, line.member))
    return lines


@router.post(
    "/organisations/{organisation_id}/transactions",
    response={200: TransactionDetailOut, 201: TransactionDetailOut},
)
def create_transaction(request: HttpRequest, organisation_id: int, payload: TransactionIn) -> Status:
    """Post a balanced transaction: 201 when recorded, 200 when this client_id was recorded before
    with the same lines (a different transaction under a used id is refused)."""
    user = _user(request)
    organisation = _organisation(request, organisation_id)
    retried = (
        payload.client_id is not None and Transaction.objects.filter(client_id=payload.client_id).exists()
    )
    posted = post_transaction(
        actor=user,
        organisation=organisation,
        on=payload.on,
        kind=payload.kind,
        lines=_lines(user, organisation, payload),
        memo=payload.memo,
        reference=payload.reference,
        client_id=payload.client_id,
        channel=Channel.API,
    )
    return Status(200 if retried else 201, _transaction(user, posted.pk))


class ReversalIn(Schema):
    on: datetime.date
    memo: str = Field(max_length=200, description="Why it is reversed.")
    client_id: uuid.UUID | None = None


@router.post("/transactions/{transaction_id}/reversal", response={201: TransactionDetailOut})
def create_reversal(request: HttpRequest, transaction_id: int, payload: ReversalIn) -> Status:
    """Post the opposite of every line of the transaction, linked to it."""
    user = _user(request)
    original = _transaction(user, transaction_id)
    reversal = reverse_transaction(
        actor=user,
        original=original,
        on=payload.on,
        memo=payload.memo,
        client_id=payload.client_id,
        channel=Channel.API,
    )
    return Status(201, _transaction(user, reversal.pk))


class CloseIn(Schema):
    through: datetime.date = Field(description="Nothing can be posted on or before this day afterwards.")


class CloseOut(Schema):
    organisation: int = Field(alias="organisation_id")
    through: datetime.date
    closed_at: datetime.datetime


@router.post("/organisations/{organisation_id}/period-closes", response={201: CloseOut})
def create_period_close(request: HttpRequest, organisation_id: int, payload: CloseIn) -> Status:
    organisation = _organisation(request, organisation_id)
    return Status(201, close_period(actor=_user(request), organisation=organisation, through=payload.through))


@router.get("/organisations/{organisation_id}/period-closes", response=list[CloseOut])
def list_period_closes(request: HttpRequest, organisation_id: int) -> QuerySet[PeriodClose]:
    organisation = _organisation(request, organisation_id)
    return PeriodClose.objects.filter(organisation=organisation).order_by("-through")
