"""Savings groups by the VSLA method: cycles, meetings recorded as one batch, loans (the share-out
is in shareout.py).

How a meeting's money moves through the ledger (each member's line names the member):

    shares bought         Dr loan fund          Cr member savings [member]
    social fund           Dr social fund        Cr social fund reserve [member]
    loan repaid           Dr loan fund          Cr loans to members [member]
    service charge        Dr loan fund          Cr service charges [member]
    fine                  Dr loan fund          Cr fines [member]
    loan given            Dr loans to members   Cr loan fund
    social fund grant     Dr social fund reserve [member]   Cr social fund

"""

import dataclasses
import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core import audit
from samiti.core.dates import add_months
from samiti.core.events import announce, savings_meeting_recorded
from samiti.core.models import AuditEvent, Channel
from samiti.core.money import format_taka
from samiti.finance.errors import FinanceError
from samiti.finance.models import ChargeMethod, Cycle, Loan, SavingsMeeting, Transaction
from samiti.finance.models import TransactionKind as K
from samiti.finance.services.chart import accounts_of
from samiti.finance.services.ledger import (
    Entry,
    Line,
    check_scope,
    reversal_entry,
    write_entries,
)
from samiti.registry.models import Meeting, Member, Organisation, User
from samiti.registry.services import hold_meeting, record_attendance

CONSTITUTION = [
    "share_price",
    "max_shares_per_meeting",
    "social_fund_per_meeting",
    "service_charge_percent",
    "service_charge_method",
    "loan_multiple",
    "max_loan_months",
    "fine_absent",
    "fine_late",
    "meeting_frequency",
    "starts_on",
    "planned_end_on",
    "share_social_fund",
]


@transaction.atomic
def start_cycle(
    *, actor: User | None, group: Organisation, channel: str = Channel.WEB, **constitution: Any
) -> Cycle:
    """Start a group's next savings cycle with its constitution (share price, limits, charges)."""
    check_scope(actor, group)
    if group.kind != Organisation.Kind.GROUP:
        raise FinanceError(_("Savings cycles are run by groups."), field="group")
    previous = Cycle.objects.filter(group=group).order_by("-number").first()
    if previous is not None and previous.is_open:
        raise FinanceError(
            _("The group's cycle %(number)s is still running; share it out first.")
            % {"number": previous.number}
        )
    unknown = set(constitution) - set(CONSTITUTION)
    if unknown:
        raise FinanceError(
            _("Unknown setting: %(name)s.") % {"name": sorted(unknown)[0]}, field=sorted(unknown)[0]
        )
    cycle = Cycle(
        group=group,
        association_id=group.parent_id,
        number=(previous.number + 1) if previous else 1,
        **constitution,
    )
    if (
        previous is not None
        and cycle.starts_on
        and previous.shared_out_on
        and cycle.starts_on < previous.shared_out_on
    ):
        raise FinanceError(
            _("A cycle starts on or after the share-out of the one before it (%(date)s).")
            % {"date": previous.shared_out_on.isoformat()},
            field="starts_on",
        )
    _full_clean(cycle)
    cycle.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=cycle,
        changes=audit.created(cycle, CONSTITUTION),
        channel=channel,
        association_id=cycle.association_id,
    )
    return cycle


@dataclasses.dataclass
class MemberLine:
    """One member's row of a meeting: amounts in poisha, shares as a count.

    `share_cash` may stand in for `shares`: the cash handed over for shares, which must buy whole
    shares (it is refused, never rounded into shares).
    """

    member: int
    present: bool = True
    shares: int = 0
    share_cash: int | None = None
    social_fund: int = 0
    repayment: int = 0
    service_charge: int = 0
    fine: int = 0
    loan: int = 0
    loan_months: int = 0
    loan_purpose: str = ""
    grant: int = 0


@dataclasses.dataclass
class LoanState:
    loan: Loan
    owed: int  # principal still owed
    charge_due: int  # service charge accrued and not yet paid


@dataclasses.dataclass
class GroupBooks:
    """A group's balances before a meeting, read from the ledger."""

    loan_fund: int
    social_fund: int
    savings: dict[int, int]  # member id -> poisha
    owed: dict[int, int]  # member id -> principal owed
    loans: dict[int, LoanState]  # member id -> the open loan


def group_books(cycle: Cycle, on: datetime.date, accounts: dict[str, int] | None = None) -> GroupBooks:
    """The group's funds, each member's savings and loans, and service charges due on `on`."""
    accounts = accounts or accounts_of(cycle.group)
    wanted = {accounts[c]: c for c in ("loan_fund", "social_fund", "member_savings", "loans_receivable")}
    funds: dict[str, int] = defaultdict(int)
    per_member: dict[str, dict[int, int]] = {"member_savings": {}, "loans_receivable": {}}
    # Through the cursor: at every meeting, the ORM's building of this query costs more than running it.
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, member_id, SUM(amount) FROM finance_posting "  # noqa: S608
            f"WHERE account_id IN ({marks}) GROUP BY account_id, member_id",
            list(wanted),
        )
        for account_id, member_id, total in cursor.fetchall():
            code, total = wanted[account_id], int(total)  # PostgreSQL sums a bigint to a numeric
            if code not in per_member:
                funds[code] += total
            elif total:  # savings are owed to the member: a credit balance, shown positive
                per_member[code][member_id] = -total if code == "member_savings" else total
    open_loans = Loan.objects.raw(
        "SELECT * FROM finance_loan WHERE cycle_id = %s AND status = %s", [cycle.pk, "open"]
    )
    loans = {loan.member_id: loan for loan in open_loans}
    states = {}
    if loans:
        since = min(loan.issued_on for loan in loans.values())
        history: dict[tuple[int, int], list[tuple[datetime.date, int]]] = defaultdict(list)
        charges, owed_account = accounts["service_charge_income"], accounts["loans_receivable"]
        marks = ", ".join(["%s"] * len(loans))
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT account_id, member_id, "on", SUM(amount) FROM finance_posting '  # noqa: S608
                f'WHERE account_id IN (%s, %s) AND member_id IN ({marks}) AND "on" > %s '
                'GROUP BY account_id, member_id, "on"',
                [charges, owed_account, *loans, connection.ops.adapt_datefield_value(since)],
            )
            for account_id, member_id, day, total in cursor.fetchall():
                day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
                history[(account_id, member_id)].append((day, int(total)))
        for member_id, loan in loans.items():
            changes = [(d, a) for d, a in history[(owed_account, member_id)] if d > loan.issued_on]
            paid = -sum(a for d, a in history[(charges, member_id)] if d > loan.issued_on)
            due = service_charge_accrued(loan, changes, on) - paid
            states[member_id] = LoanState(loan, per_member["loans_receivable"].get(member_id, 0), max(due, 0))
    return GroupBooks(
        funds["loan_fund"],
        funds["social_fund"],
        per_member["member_savings"],
        per_member["loans_receivable"],
        states,
    )


def service_charge_accrued(loan: Loan, changes: list[tuple[datetime.date, int]], on: datetime.date) -> int:
    """The service charge of every month of the loan begun before `on`, while principal was owed.

    Month k begins k-1 calendar months after the loan was given. Its charge is the monthly rate
    on the amount lent (flat) or on the principal owed when the month begins (declining),
    rounded to the nearest poisha. `changes` are the later movements of the member's loan balance.
    """
    basis_points = int(loan.service_charge_percent * 100)
    total, months = 0, 0
    while True:
        start = add_months(loan.issued_on, months)
        if start >= on:
            return total
        owed = loan.principal + sum(amount for day, amount in changes if day <= start)
        if owed <= 0:
            return total
        base = loan.principal if loan.service_charge_method == ChargeMethod.FLAT else owed
        total += (base * basis_points + 5000) // 10000
        months += 1


def check_meeting(
    *,
    cycle: Cycle,
    held_on: datetime.date,
    lines: Sequence[MemberLine],
    corrections: Sequence[Transaction] = (),
) -> "MeetingCheck":
    """Check a meeting's rows without writing anything; give the balances the box should hold after it."""
    if not cycle.is_open:
        raise FinanceError(_("This cycle has been shared out; start the next cycle."), field="cycle")
    if held_on < cycle.starts_on:
        raise FinanceError(
            _("The cycle starts on %(date)s.") % {"date": cycle.starts_on.isoformat()}, field="held_on"
        )
    last = last_meeting(cycle)
    if last["day"] is not None and held_on <= last["day"]:
        raise FinanceError(
            _("The last meeting was on %(date)s; a new one comes after it.")
            % {"date": last["day"].isoformat()},
            field="held_on",
        )
    group = cycle.group
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code, is_active FROM registry_member WHERE group_id = %s", [group.pk])
        members = {pk: (code, bool(active)) for pk, code, active in cursor.fetchall()}
    accounts = accounts_of(group)
    books = group_books(cycle, held_on, accounts)
    for original in corrections:
        if original.organisation_id != group.pk:
            raise FinanceError(_("A correction reverses a transaction of this group."), field="corrections")
    fix = [reversal_entry(original) for original in corrections]
    reopen = _apply_corrections(books, corrections, fix, members)
    plan = _check_lines(cycle, lines, members, books, held_on)
    loan_fund = books.loan_fund + plan.into_loan_fund - plan.out_of_loan_fund
    social_fund = books.social_fund + plan.into_social_fund - plan.out_of_social_fund
    if loan_fund < 0:
        raise FinanceError(
            _("The loans come to %(loans)s but the loan fund holds %(fund)s.")
            % {
                "loans": format_taka(plan.out_of_loan_fund),
                "fund": format_taka(books.loan_fund + plan.into_loan_fund),
            },
            code="loan_fund_too_small",
            field="loan",
        )
    if social_fund < 0:
        raise FinanceError(
            _("The grants come to more than the social fund holds (%(fund)s).")
            % {"fund": format_taka(social_fund + plan.out_of_social_fund)},
            field="grant",
        )
    return MeetingCheck(plan, fix, loan_fund, social_fund, members, last["number"] or 0, accounts, reopen)


def last_meeting(cycle: Cycle) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MAX(number), MAX(held_on) FROM finance_savingsmeeting WHERE cycle_id = %s", [cycle.pk]
        )
        number, day = cursor.fetchone()
    return {"number": number, "day": datetime.date.fromisoformat(day) if isinstance(day, str) else day}


@dataclasses.dataclass
class MeetingCheck:
    plan: "_Plan"
    corrections: list[Entry]
    loan_fund: int  # what the loan fund's bag should hold after the meeting
    social_fund: int  # and the social fund's
    members: dict[int, tuple[str, bool]]
    last_number: int
    accounts: dict[str, int]
    reopen: list[int]  # loans closed as repaid that a reversed repayment opens again


def _apply_corrections(
    books: GroupBooks,
    corrections: Sequence[Transaction],
    fix: Sequence[Entry],
    members: dict[int, tuple[str, bool]],
) -> list[int]:
    """Bring the books to where the reversals leave them, before the rows are checked against them;
    return the loans that a reversed repayment opens again."""
    reopened = []
    for original, entry in zip(corrections, fix, strict=True):
        for line in entry.lines:
            m = line.member
            if line.account in ("loan_fund", "social_fund"):
                setattr(books, line.account, getattr(books, line.account) + line.amount)
            elif line.account == "member_savings":
                books.savings[m] = books.savings.get(m, 0) - line.amount
            elif line.account in ("loans_receivable", "service_charge_income") and line.amount > 0:
                state = books.loans.get(m)
                if state is not None and state.loan.issued_on >= original.on:
                    raise FinanceError(
                        _("Member %(code)s has taken a new loan since; record the repayment again instead.")
                        % {"code": members.get(m, ("?", False))[0]},
                        field="corrections",
                    )
                if state is None:
                    loan = (
                        Loan.objects.filter(member_id=m, issued_on__lt=original.on)
                        .order_by("-issued_on")
                        .first()
                    )
                    if loan is None:
                        continue
                    state = books.loans[m] = LoanState(loan, books.owed.get(m, 0), 0)
                    reopened.append(loan.pk)
                if line.account == "loans_receivable":
                    books.owed[m] = books.owed.get(m, 0) + line.amount
                    state.owed = books.owed[m]
                else:
                    state.charge_due += line.amount
    return reopened


@transaction.atomic
def record_meeting(
    *,
    actor: User | None,
    cycle: Cycle,
    held_on: datetime.date,
    lines: Sequence[MemberLine],
    counted_loan_fund: int,
    counted_social_fund: int,
    corrections: Sequence[Transaction] = (),
    meeting: Meeting | None = None,
    client_id: uuid.UUID | None = None,
    channel: str = Channel.WEB,
) -> SavingsMeeting:
    """Record a savings meeting as one batch, close it and lock it.

    Everything is checked before anything is written: the share limit, whole shares, repayments
    and service charges against what is owed, loans against the member's savings, the term and
    the loan fund, grants against the social fund, and the cash counted in the box against the
    balances the books give. `corrections` are earlier transactions this meeting reverses.
    """
    group = cycle.group
    check_scope(actor, group)
    # One meeting of a cycle at a time: a second submit of the same meeting waits, then finds it.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM finance_cycle WHERE id = %s{lock}", [cycle.pk])  # noqa: S608
        cycle.status = cursor.fetchone()[0]
    if client_id is not None:
        done = SavingsMeeting.objects.filter(client_id=client_id).first()
        if done is not None:
            if done.cycle_id != cycle.pk or done.held_on != held_on:
                raise FinanceError(
                    _("This meeting id was already used for another meeting."), field="client_id"
                )
            return done
    if meeting is not None and (meeting.organisation_id != cycle.group_id or hasattr(meeting, "savings")):
        raise FinanceError(_("That meeting is not an unrecorded meeting of this group."), field="meeting")
    check = check_meeting(cycle=cycle, held_on=held_on, lines=lines, corrections=corrections)
    plan, fix, loan_fund, social_fund, members = (
        check.plan,
        check.corrections,
        check.loan_fund,
        check.social_fund,
        check.members,
    )
    if counted_loan_fund != loan_fund or counted_social_fund != social_fund:
        raise FinanceError(
            _cash_mismatch(counted_loan_fund, loan_fund, counted_social_fund, social_fund),
            code="cash_mismatch",
            field="counted_loan_fund" if counted_loan_fund != loan_fund else "counted_social_fund",
        )

    present = plan.present
    if meeting is None:
        meeting = hold_meeting(
            actor=actor,
            organisation=group,
            kind=Meeting.Kind.SAVINGS,
            starts_at=_noon(held_on),
            member_ids=present,
            channel=channel,
        )
    else:
        attending = Member.objects.filter(pk__in=present)
        record_attendance(actor=actor, meeting=meeting, members=attending, channel=channel)
    savings_meeting = SavingsMeeting.objects.create(
        meeting=meeting,
        cycle=cycle,
        association_id=cycle.association_id,
        number=check.last_number + 1,
        held_on=held_on,
        client_id=client_id or uuid.uuid4(),
        counted_loan_fund=counted_loan_fund,
        counted_social_fund=counted_social_fund,
        members_present=len(present),
        members_expected=sum(1 for _code, active in members.values() if active),
        recorded_by=actor,
    )
    write_entries(
        actor=actor,
        organisation=group,
        on=held_on,
        entries=[*fix, *plan.entries],
        meeting=meeting,
        cycle_id=cycle.pk,
        channel=channel,
        accounts=check.accounts,
    )
    # Loans repaid at this meeting close first: a member may repay and borrow again at one meeting.
    if check.reopen:
        Loan.objects.filter(pk__in=check.reopen).update(status=Loan.Status.OPEN, closed_on=None)
    if plan.repaid:
        Loan.objects.filter(pk__in=plan.repaid).update(status=Loan.Status.REPAID, closed_on=held_on)
    Loan.objects.bulk_create(
        [
            Loan(
                cycle=cycle,
                member_id=m,
                association_id=cycle.association_id,
                meeting=savings_meeting,
                principal=amount,
                months=months,
                service_charge_percent=cycle.service_charge_percent,
                service_charge_method=cycle.service_charge_method,
                purpose=purpose,
                issued_on=held_on,
                due_on=add_months(held_on, months),
            )
            for m, amount, months, purpose in plan.new_loans
        ]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=savings_meeting,
        changes={
            "present": [None, len(present)],
            "loan_fund": [None, loan_fund],
            "social_fund": [None, social_fund],
            "corrections": [None, [t.pk for t in corrections]],
        },
        channel=channel,
        association_id=cycle.association_id,
    )
    announce(
        savings_meeting_recorded,
        sender=SavingsMeeting,
        savings_meeting=savings_meeting,
        present=present,
        channel=channel,
    )
    return savings_meeting


@dataclasses.dataclass
class _Plan:
    entries: list[Entry]
    present: list[int]
    into_loan_fund: int
    out_of_loan_fund: int
    into_social_fund: int
    out_of_social_fund: int
    new_loans: list[tuple[int, int, int, str]]
    repaid: list[int]


def _check_lines(
    cycle: Cycle,
    lines: Sequence[MemberLine],
    members: dict[int, tuple[str, bool]],
    books: GroupBooks,
    held_on: datetime.date,
) -> _Plan:
    by_kind: dict[str, list[Line]] = defaultdict(list)
    seen: set[int] = set()
    present, new_loans, repaid = [], [], []
    for number, line in enumerate(lines, start=1):
        if line.member not in members:
            raise FinanceError(
                _("Row %(row)s: not a member of this group.") % {"row": number}, field="member"
            )
        if line.member in seen:
            raise FinanceError(
                _("Row %(row)s: member %(code)s is listed twice.")
                % {"row": number, "code": members[line.member][0]},
                field="member",
            )
        seen.add(line.member)
        code, active = members[line.member]

        def refuse(message: str, field: str, code: str = code, number: int = number) -> FinanceError:
            return FinanceError(
                _("Row %(row)s, member %(code)s: %(problem)s")
                % {"row": number, "code": code, "problem": message},
                field=field,
            )

        for field in (
            "shares",
            "social_fund",
            "repayment",
            "service_charge",
            "fine",
            "loan",
            "grant",
            "loan_months",
        ):
            value = getattr(line, field)
            if type(value) is not int or value < 0:
                raise refuse(_("a whole number, 0 or more."), field)
        shares = line.shares
        if line.share_cash is not None:
            if type(line.share_cash) is not int or line.share_cash < 0:
                raise refuse(_("a whole number, 0 or more."), "share_cash")
            shares, change = divmod(line.share_cash, cycle.share_price)
            if change:
                raise refuse(
                    _(
                        "%(cash)s does not buy whole shares of %(price)s: take %(whole)s for %(shares)s "
                        "and give back %(change)s."
                    )
                    % {
                        "cash": format_taka(line.share_cash),
                        "price": format_taka(cycle.share_price),
                        "whole": format_taka(shares * cycle.share_price),
                        "shares": shares,
                        "change": format_taka(change),
                    },
                    "share_cash",
                )
        if shares > cycle.max_shares_per_meeting:
            raise refuse(
                _("at most %(limit)s shares at a meeting.") % {"limit": cycle.max_shares_per_meeting},
                "shares",
            )
        if shares and not active:
            raise refuse(_("has left the group and buys no more shares."), "shares")
        if line.present:
            present.append(line.member)
        m = line.member
        if shares:
            by_kind[K.SHARES].append(Line("member_savings", -shares * cycle.share_price, m))
        if line.social_fund:
            by_kind[K.SOCIAL_FUND].append(Line("social_fund_reserve", -line.social_fund, m))
        if line.fine:
            by_kind[K.FINE].append(Line("fines_income", -line.fine, m))
        if line.grant:
            by_kind[K.SOCIAL_GRANT].append(Line("social_fund_reserve", line.grant, m))
        state = books.loans.get(m)
        owed = books.owed.get(m, 0)
        if line.repayment > owed:
            raise refuse(
                _("repays %(paid)s but owes %(owed)s.")
                % {"paid": format_taka(line.repayment), "owed": format_taka(owed)},
                "repayment",
            )
        due = state.charge_due if state else 0
        if line.service_charge > due:
            raise refuse(
                _("pays a service charge of %(paid)s but %(due)s is due.")
                % {"paid": format_taka(line.service_charge), "due": format_taka(due)},
                "service_charge",
            )
        if line.repayment:
            by_kind[K.REPAYMENT].append(Line("loans_receivable", -line.repayment, m))
        if line.service_charge:
            by_kind[K.SERVICE_CHARGE].append(Line("service_charge_income", -line.service_charge, m))
        still_owed = owed - line.repayment
        if state is not None and still_owed == 0:
            if line.service_charge < due:
                raise refuse(
                    _("clears the loan but leaves %(due)s of service charge unpaid.")
                    % {"due": format_taka(due - line.service_charge)},
                    "service_charge",
                )
            repaid.append(state.loan.pk)
        if line.loan:
            if not active:
                raise refuse(_("has left the group and cannot borrow."), "loan")
            if still_owed > 0:
                raise refuse(
                    _("still owes %(owed)s on a loan; one loan at a time.")
                    % {"owed": format_taka(still_owed)},
                    "loan",
                )
            if not 1 <= line.loan_months <= cycle.max_loan_months:
                raise refuse(
                    _("a loan runs 1 to %(months)s months.") % {"months": cycle.max_loan_months},
                    "loan_months",
                )
            savings = books.savings.get(m, 0) + shares * cycle.share_price
            if line.loan > cycle.loan_multiple * savings:
                raise refuse(
                    _("may borrow at most %(limit)s (%(times)s times savings of %(savings)s).")
                    % {
                        "limit": format_taka(cycle.loan_multiple * savings),
                        "times": cycle.loan_multiple,
                        "savings": format_taka(savings),
                    },
                    "loan",
                )
            by_kind[K.LOAN].append(Line("loans_receivable", line.loan, m))
            new_loans.append((m, line.loan, line.loan_months, line.loan_purpose.strip()[:100]))
    into_loan = -sum(
        line.amount for kind in (K.SHARES, K.REPAYMENT, K.SERVICE_CHARGE, K.FINE) for line in by_kind[kind]
    )
    out_loan = sum(line.amount for line in by_kind[K.LOAN])
    into_social = -sum(line.amount for line in by_kind[K.SOCIAL_FUND])
    out_social = sum(line.amount for line in by_kind[K.SOCIAL_GRANT])
    cash = {
        K.SHARES: "loan_fund",
        K.REPAYMENT: "loan_fund",
        K.SERVICE_CHARGE: "loan_fund",
        K.FINE: "loan_fund",
        K.LOAN: "loan_fund",
        K.SOCIAL_FUND: "social_fund",
        K.SOCIAL_GRANT: "social_fund",
    }
    entries = [
        Entry(
            kind=kind, lines=[*by_kind[kind], Line(cash[kind], -sum(line.amount for line in by_kind[kind]))]
        )
        for kind in cash
        if by_kind[kind]
    ]
    return _Plan(entries, present, into_loan, out_loan, into_social, out_social, new_loans, repaid)


def _cash_mismatch(counted_loan: int, loan: int, counted_social: int, social: int) -> str:
    parts = []
    if counted_loan != loan:
        parts.append(
            _("loan fund counted %(counted)s, the books say %(books)s (difference %(difference)s)")
            % {
                "counted": format_taka(counted_loan),
                "books": format_taka(loan),
                "difference": format_taka(counted_loan - loan),
            }
        )
    if counted_social != social:
        parts.append(
            _("social fund counted %(counted)s, the books say %(books)s (difference %(difference)s)")
            % {
                "counted": format_taka(counted_social),
                "books": format_taka(social),
                "difference": format_taka(counted_social - social),
            }
        )
    return _(
        "The cash in the box does not match the books: %(problems)s. Count again or correct the entries."
    ) % {"problems": "; ".join(parts)}


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _full_clean(obj: Any) -> None:
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    try:
        obj.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise FinanceError(messages[0], field=None if field == NON_FIELD_ERRORS else field) from None


@transaction.atomic
def write_off_loan(
    *, actor: User | None, loan: Loan, on: datetime.date, reason: str, channel: str = Channel.WEB
) -> Loan:
    """Write off what a member still owes on a loan (the group bears it as a loss); the loan closes."""
    check_scope(actor, loan.cycle.group)
    if loan.status != Loan.Status.OPEN:
        raise FinanceError(_("This loan is already closed."))
    reason = reason.strip()
    if not reason:
        raise FinanceError(_("Say why the loan is written off."), field="reason")
    owed = group_books(loan.cycle, on).owed.get(loan.member_id, 0)
    if owed:
        entry = Entry(
            kind=K.WRITE_OFF,
            memo=reason[:200],
            lines=[
                Line("loan_write_offs", owed, loan.member_id),
                Line("loans_receivable", -owed, loan.member_id),
            ],
        )
        write_entries(
            actor=actor,
            organisation=loan.cycle.group,
            on=on,
            entries=[entry],
            cycle_id=loan.cycle_id,
            channel=channel,
        )
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.WRITTEN_OFF, closed_on=on)
    loan.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=loan,
        changes={"status": ["open", loan.status], "written_off": [None, owed]},
        channel=channel,
        association_id=loan.association_id,
        note=reason,
    )
    return loan
