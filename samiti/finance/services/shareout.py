"""The share-out at the end of a cycle, and paying out a member who leaves before it.

value per share = (the loan fund's cash, plus the social fund when the constitution shares it)
÷ all the shares bought in the cycle; each member receives shares × value per share, rounded
down to the poisha, and what rounding leaves (the remainder) stays in the loan fund.

Each member's savings come back with their part of the surplus: Dr member savings, Dr surplus
shared out (their profit), Cr loan fund (their payout).
"""

import dataclasses
import datetime
import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.core.money import format_taka
from samiti.finance.errors import FinanceError
from samiti.finance.models import Cycle, Loan, Posting, Transaction
from samiti.finance.models import TransactionKind as K
from samiti.finance.services.chart import accounts_of
from samiti.finance.services.ledger import Entry, Line, association_of, check_scope, write_entries
from samiti.finance.services.savings import GroupBooks, group_books, last_meeting
from samiti.registry.models import Member, User
from samiti.registry.services import update_member


@dataclasses.dataclass
class ShareOutRow:
    member: Member
    shares: int
    savings: int
    profit: int
    payout: int


@dataclasses.dataclass
class ShareOutSheet:
    """Who receives what at a share-out: payouts plus the remainder equal the fund to the poisha."""

    cycle: Cycle
    rows: list[ShareOutRow]
    loan_fund: int
    social_fund: int
    social_fund_shared: bool
    fund: int  # what is shared: the loan fund, plus the social fund when the constitution says so
    total_shares: int
    remainder: int  # stays with the group, in the loan fund
    open_loans: int  # loans not yet repaid or written off (a share-out waits for them)
    done: bool

    @property
    def value_per_share(self) -> Decimal:
        return Decimal(self.fund) / self.total_shares if self.total_shares else Decimal(0)

    @property
    def total_savings(self) -> int:
        return sum(row.savings for row in self.rows)

    @property
    def total_profit(self) -> int:
        return sum(row.profit for row in self.rows)

    @property
    def total_payout(self) -> int:
        return sum(row.payout for row in self.rows)


def payouts(savings: dict[int, int], share_price: int, fund: int) -> tuple[dict[int, tuple[int, int]], int]:
    """{member: (shares, payout)} and the remainder: each member receives shares × fund ÷ all shares,
    rounded down to the poisha; what rounding leaves is the remainder."""
    shares = {m: amount // share_price for m, amount in savings.items() if amount > 0}
    total = sum(shares.values())
    if not total:
        return {}, fund
    result = {m: (n, n * fund // total) for m, n in shares.items()}
    return result, fund - sum(payout for _n, payout in result.values())


def share_out_sheet(cycle: Cycle) -> ShareOutSheet:
    """The share-out as it was made, or as it would be made today (a projection while the cycle runs)."""
    if cycle.status == Cycle.Status.SHARED_OUT:
        return _made_sheet(cycle)
    return _sheet(cycle, group_books(cycle, timezone.localdate()), done=False)


def _sheet(cycle: Cycle, books: GroupBooks, *, done: bool) -> ShareOutSheet:
    """The share-out the books give: each member's shares, savings, profit and payout."""
    fund = books.loan_fund + (books.social_fund if cycle.share_social_fund else 0)
    result, remainder = payouts(books.savings, cycle.share_price, fund)
    members = Member.objects.only("id", "code", "name_en", "name_bn").in_bulk(list(result))
    rows = [
        ShareOutRow(members[m], n, books.savings[m], payout - books.savings[m], payout)
        for m, (n, payout) in result.items()
    ]
    rows.sort(key=lambda row: row.member.code)
    total_shares = sum(n for n, _p in result.values())
    return ShareOutSheet(cycle, rows, books.loan_fund, books.social_fund, cycle.share_social_fund, fund,
                         total_shares, remainder, len(books.loans), done)  # fmt: skip


def _made_sheet(cycle: Cycle) -> ShareOutSheet:
    made = Transaction.objects.get(cycle=cycle, kind=K.SHARE_OUT)
    rows: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    cash: dict[str, int] = defaultdict(int)
    for code, member_id, amount in made.postings.values_list("account__code", "member_id", "amount"):
        if code == "member_savings":
            rows[member_id][0] += amount
        elif code == "surplus_shared_out" and member_id is not None:
            rows[member_id][1] += amount
        elif code in ("loan_fund", "social_fund"):
            cash[code] -= amount
    members = Member.objects.in_bulk(list(rows))
    sheet_rows = sorted(
        (
            ShareOutRow(members[m], saved // cycle.share_price, saved, profit, saved + profit)
            for m, (saved, profit) in rows.items()
        ),
        key=lambda row: row.member.code,
    )
    before = Posting.objects.filter(
        account__organisation=cycle.group,
        account__code__in=["loan_fund", "social_fund"],
        transaction__id__lt=made.pk,
    )
    held = dict(
        before.values_list("account__code").annotate(t=Sum("amount")).values_list("account__code", "t")
    )
    loan_fund, social_fund = held.get("loan_fund", 0), held.get("social_fund", 0)
    fund = loan_fund + (social_fund if cycle.share_social_fund else 0)
    total_payout = sum(row.payout for row in sheet_rows)
    return ShareOutSheet(
        cycle,
        sheet_rows,
        loan_fund,
        social_fund,
        cycle.share_social_fund,
        fund,
        sum(row.shares for row in sheet_rows),
        fund - total_payout,
        0,
        True,
    )


@transaction.atomic
def share_out(
    *,
    actor: User | None,
    cycle: Cycle,
    on: datetime.date,
    client_id: uuid.UUID | None = None,
    channel: str = Channel.WEB,
) -> ShareOutSheet:
    """End the cycle: pay each member shares × value per share; the remainder stays with the group."""
    group = cycle.group
    check_scope(actor, group)
    if client_id is not None and Transaction.objects.filter(client_id=client_id, cycle=cycle).exists():
        return share_out_sheet(cycle)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open:
        raise FinanceError(_("This cycle has already been shared out."))
    last = last_meeting(cycle)["day"]
    if last is not None and on < last:
        raise FinanceError(
            _("The share-out comes after the last meeting (%(date)s).") % {"date": last.isoformat()},
            field="on",
        )
    accounts = accounts_of(group)
    books = group_books(cycle, on, accounts)
    if books.loans or any(books.owed.values()):
        open_loans = Loan.objects.filter(cycle__group=group, status=Loan.Status.OPEN).select_related("member")
        raise FinanceError(
            _("Loans still open: %(members)s. Each is repaid or written off before the share-out.")
            % {"members": ", ".join(loan.member.code for loan in open_loans[:10])},
            code="loans_open",
        )
    sheet = _sheet(cycle, books, done=True)
    if not sheet.rows:
        raise FinanceError(_("No shares were bought in this cycle; there is nothing to share out."))
    shared_social = books.social_fund if cycle.share_social_fund else 0
    result = {row.member.pk: (row.shares, row.payout) for row in sheet.rows}
    lines = _payout_lines(books.savings, result, shared_social)
    entry = Entry(
        kind=K.SHARE_OUT,
        lines=lines,
        client_id=client_id,
        memo=_("Share-out of cycle %(number)s") % {"number": cycle.number},
    )
    write_entries(
        actor=actor,
        organisation=group,
        on=on,
        entries=[entry],
        cycle_id=cycle.pk,
        channel=channel,
        accounts=accounts,
    )
    cycle.status, cycle.shared_out_on = Cycle.Status.SHARED_OUT, on
    cycle.save(update_fields=["status", "shared_out_on"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=cycle,
        changes={"status": ["open", cycle.status], "paid_out": [None, sheet.total_payout]},
        channel=channel,
        association_id=cycle.association_id,
    )
    return sheet


def _payout_lines(
    savings: dict[int, int], result: dict[int, tuple[int, int]], shared_social: int
) -> list[Line]:
    """Each member's savings and profit out, the cash from the loan fund (and the social fund when shared)."""
    lines = []
    for m, (_n, payout) in result.items():
        lines.append(Line("member_savings", savings[m], m))
        if payout != savings[m]:
            lines.append(Line("surplus_shared_out", payout - savings[m], m))
    total = sum(payout for _n, payout in result.values())
    if shared_social:
        lines += [
            Line("social_fund_reserve", shared_social),
            Line("surplus_shared_out", -shared_social),
            Line("social_fund", -shared_social),
        ]
    if total - shared_social:
        lines.append(Line("loan_fund", -(total - shared_social)))
    return lines


@dataclasses.dataclass
class Payout:
    """What a member who leaves mid-cycle receives, and from which bag."""

    savings: int
    payout: int
    from_social_fund: int

    @property
    def profit(self) -> int:
        return self.payout - self.savings


def payout_of(cycle: Cycle, member: Member, on: datetime.date) -> Payout:
    """What paying `member` out on `on` would pay, by the share-out's rule, valuing the fund that day:
    the loan fund plus the loans owed to it (and the social fund when it is shared)."""
    if not cycle.is_open:
        raise FinanceError(_("This cycle has been shared out."))
    if member.group_id != cycle.group_id:
        raise FinanceError(_("Not a member of this group."), field="member")
    books = group_books(cycle, on)
    if member.pk in books.loans or books.owed.get(member.pk):
        raise FinanceError(
            _("The member still owes on a loan; it is repaid or written off first."), code="loans_open"
        )
    if books.savings.get(member.pk, 0) <= 0:
        raise FinanceError(_("The member has no savings in this cycle."))
    shared_social = books.social_fund if cycle.share_social_fund else 0
    fund = books.loan_fund + sum(books.owed.values()) + shared_social
    result, _remainder = payouts(books.savings, cycle.share_price, fund)
    shares, payout = result[member.pk]
    social_part = shares * shared_social // sum(n for n, _p in result.values())
    if payout - social_part > books.loan_fund:
        raise FinanceError(
            _(
                "The loan fund holds %(fund)s, less than the payout of %(payout)s; pay out when loans "
                "come back."
            )
            % {"fund": format_taka(books.loan_fund), "payout": format_taka(payout)}
        )
    return Payout(books.savings[member.pk], payout, social_part)


@transaction.atomic
def pay_out_member(
    *,
    actor: User | None,
    cycle: Cycle,
    member: Member,
    on: datetime.date,
    reason: str = "",
    channel: str = Channel.WEB,
) -> int:
    """Pay a member who leaves mid-cycle (see payout_of); the member leaves the group that day.
    Returns the payout."""
    group = cycle.group
    check_scope(actor, group)
    paid = payout_of(cycle, member, on)
    entry = Entry(
        kind=K.PAYOUT,
        lines=_payout_lines({member.pk: paid.savings}, {member.pk: (0, paid.payout)}, paid.from_social_fund),
        memo=_("Paid out on leaving: %(member)s") % {"member": member.code},
    )
    write_entries(actor=actor, organisation=group, on=on, entries=[entry], cycle_id=cycle.pk, channel=channel)
    reason = reason.strip()[:200] or _("Left the savings group mid-cycle and was paid out.")
    update_member(actor=actor, member=member, left_on=on, leaving_reason=reason, channel=channel)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=member,
        changes={"paid_out": [None, paid.payout]},
        channel=channel,
        association_id=association_of(group),
    )
    return paid.payout
