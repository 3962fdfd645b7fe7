"""Give the demo programme (`manage.py demo`) believable savings-group books.

About forty groups (every group of the demo association account's association, then a few of the
first other association of each federation) each run a savings cycle with a constitution of their
own (share price Tk 20 to 100, a flat or a declining service charge, one group sharing its social
fund out) and record twenty weekly meetings: attendance, shares, the social fund, loans within the
rules, repayments with their service charge, a few fines and social fund grants. One loan is left
overdue and one is written off. Two groups, the demo group account's among them, finished a first
cycle, shared it out, and run a second one. Two associations set a membership fee that most
members pay (a quarter are behind), receive a grant, buy a power tiller or a pump and rent it
out, and pay its costs and their running costs.

Everything goes through the finance services, so it is validated and audited like any other
write, and each meeting's counted cash is what the books expect. Deterministic (one seeded
generator) and idempotent: when demo cycles exist it does nothing. Dates are counted back from
today, so the running cycles' last meeting was last week and the overdue loan is overdue.
"""

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from samiti.core.dates import add_months
from samiti.core.models import Channel
from samiti.finance import demo_data as words
from samiti.finance.models import ChargeMethod, Cycle, Loan, Posting
from samiti.finance.models import TransactionKind as K
from samiti.finance.queries import balances
from samiti.finance.services.assets import buy_asset, record_asset_cost, rent_asset
from samiti.finance.services.dues import record_dues_payment, set_membership_fee
from samiti.finance.services.ledger import Line, post_transaction
from samiti.finance.services.savings import (
    GroupBooks,
    MemberLine,
    group_books,
    record_meeting,
    start_cycle,
    write_off_loan,
)
from samiti.finance.services.shareout import share_out
from samiti.registry.demo_names import FEDERATION_CODES
from samiti.registry.models import Member, Organisation, User

SEED = 50_500
SYSTEM = Channel.SYSTEM
GROUPS = 40
MEETINGS = 20  # weekly meetings of each cycle
COMPLETED = 2  # groups that shared out a first cycle and run a second
ASSOCIATIONS = 2  # associations that get dues, a grant, an asset and running costs
WEEK = datetime.timedelta(days=7)
TAKA_100 = 10_000  # loans are whole hundreds of taka


def demo_cycles():
    return Cycle.objects.filter(group__parent__parent__code__in=FEDERATION_CODES)


def demo_associations() -> list[Organisation]:
    """The demo association account's association, then the first other association of each federation."""
    associations = Organisation.objects.filter(
        kind=Organisation.Kind.ASSOCIATION, parent__code__in=FEDERATION_CODES
    ).order_by("code")
    leader = User.objects.filter(username="association").select_related("organisation").first()
    home = leader.organisation if leader is not None else None
    found = [home] if home is not None else []
    for code in FEDERATION_CODES:
        first = associations.filter(parent__code=code).exclude(pk=getattr(home, "pk", None)).first()
        if first is not None:
            found.append(first)
    return found


def chosen_groups(associations: list[Organisation], count: int = GROUPS) -> list[Organisation]:
    """The demo group account's group first, the rest of the first association's groups, then
    groups of the other associations in turn, up to `count`."""
    groups = (
        Organisation.objects.filter(kind=Organisation.Kind.GROUP).select_related("parent").order_by("code")
    )
    chosen: dict[int, Organisation] = {}
    account = User.objects.filter(username="group").select_related("organisation").first()
    if account is not None and account.organisation is not None:
        chosen[account.organisation.pk] = account.organisation
    for group in groups.filter(parent=associations[0]):
        chosen.setdefault(group.pk, group)
    others = [list(groups.filter(parent=association)) for association in associations[1:]]
    while len(chosen) < count and any(others):
        for row in others:
            if row and len(chosen) < count:
                group = row.pop(0)
                chosen.setdefault(group.pk, group)
    return list(chosen.values())[:count]


@dataclass
class Habits:
    """How a group's members behave through a cycle."""

    attendance: float
    usual_shares: dict[int, int]
    wants_defaulter: bool = False  # the next loan given is never repaid
    defaulter: int | None = None  # the member who took it: she stopped coming
    write_off_after: int | None = None  # the meeting after which her loan is written off
    barred: set[int] = field(default_factory=set)  # members who may not borrow again


class Builder:
    def __init__(self, *, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.counts: Counter[str] = Counter()

    # -- a group's cycles ------------------------------------------------------------------

    def constitution(self, *, share_social_fund: bool = False) -> dict:
        rng = self.rng
        return {
            "share_price": rng.choice(words.SHARE_PRICES),
            "max_shares_per_meeting": 5,
            "social_fund_per_meeting": rng.choice(words.SOCIAL_FUND),
            "service_charge_percent": rng.choice(words.CHARGE_PERCENT),
            "service_charge_method": rng.choice(
                [ChargeMethod.FLAT, ChargeMethod.FLAT, ChargeMethod.DECLINING]
            ),
            "loan_multiple": 3,
            "max_loan_months": rng.choice(words.LONGEST_LOAN),
            "fine_absent": rng.choice(words.FINE_ABSENT),
            "fine_late": rng.choice(words.FINE_LATE),
            "share_social_fund": share_social_fund,
        }

    def group(self, group: Organisation, number: int) -> None:
        """The group's cycles: one running, or (the first COMPLETED groups) one shared out and one running."""
        members = list(Member.objects.filter(group=group, is_active=True).order_by("code"))
        if len(members) < 5:
            return
        last = self.today - datetime.timedelta(days=self.rng.randint(1, 6))
        starts_on = last - (MEETINGS - 1) * WEEK
        if number < COMPLETED:
            first_last = starts_on - WEEK
            first = self.start(group, first_last - (MEETINGS - 1) * WEEK, first_last, number == 1)
            self.meetings(first, members, Habits(*self.habits(members)), wind_down=True)
            share_out(actor=None, cycle=first, on=first_last, channel=SYSTEM)
            self.counts["share-outs"] += 1
        cycle = self.start(group, starts_on, starts_on + 51 * WEEK, number == COMPLETED + 1)
        habits = Habits(*self.habits(members))
        if number == 0:  # the demo group account's group has the overdue loan
            habits.wants_defaulter = True
        elif number == COMPLETED + 2:
            habits.wants_defaulter, habits.write_off_after = True, 15
        self.meetings(cycle, members, habits, wind_down=False)

    def start(
        self, group: Organisation, starts_on: datetime.date, ends_on: datetime.date, shares_social: bool
    ) -> Cycle:
        self.counts["cycles"] += 1
        return start_cycle(
            actor=None,
            group=group,
            channel=SYSTEM,
            starts_on=starts_on,
            planned_end_on=ends_on,
            **self.constitution(share_social_fund=shares_social),
        )

    def habits(self, members: list[Member]) -> tuple[float, dict[int, int]]:
        rng = self.rng
        usual = list(words.USUAL_SHARES)
        weights = list(words.USUAL_SHARES.values())
        return rng.uniform(*words.ATTENDANCE), {m.pk: rng.choices(usual, weights)[0] for m in members}

    # -- meetings --------------------------------------------------------------------------

    def meetings(self, cycle: Cycle, members: list[Member], habits: Habits, *, wind_down: bool) -> None:
        for n in range(MEETINGS):
            held_on = cycle.starts_on + n * WEEK
            books = group_books(cycle, held_on)
            closing = wind_down and n == MEETINGS - 1
            rows = [self.row(cycle, books, habits, m.pk, held_on, closing) for m in members]
            if n >= words.FIRST_LOAN_MEETING and not (wind_down and n >= MEETINGS - 3):
                self.lend(cycle, books, habits, rows, held_on, wind_down)
            self.grant(cycle, books, rows)
            self.record(cycle, books, rows, held_on)
            self.counts["meetings"] += 1
            if habits.write_off_after == n and habits.defaulter is not None:
                loan = Loan.objects.get(cycle=cycle, member_id=habits.defaulter, status=Loan.Status.OPEN)
                write_off_loan(
                    actor=None, loan=loan, on=held_on, reason=words.WRITE_OFF_REASON, channel=SYSTEM
                )
                self.counts["written off"] += 1
                habits.defaulter = None

    def record(self, cycle: Cycle, books: GroupBooks, rows: list[MemberLine], held_on: datetime.date) -> None:
        """Record the meeting with the cash counted in the box what the books expect after it (what
        check_meeting would give: the books before it, plus what came in, less what went out)."""
        price = cycle.share_price
        came_in = sum(r.shares * price + r.repayment + r.service_charge + r.fine for r in rows)
        record_meeting(
            actor=None,
            cycle=cycle,
            held_on=held_on,
            lines=rows,
            counted_loan_fund=books.loan_fund + came_in - sum(r.loan for r in rows),
            counted_social_fund=books.social_fund + sum(r.social_fund - r.grant for r in rows),
            channel=SYSTEM,
        )

    def row(
        self, cycle: Cycle, books: GroupBooks, habits: Habits, m: int, held_on: datetime.date, closing: bool
    ) -> MemberLine:
        """A member's row: shares and the social fund when present, and what is due on a loan."""
        rng = self.rng
        state = books.loans.get(m)
        due_soon = state is not None and held_on + WEEK > state.loan.due_on
        present = rng.random() < habits.attendance or due_soon or (closing and state is not None)
        if m == habits.defaulter:
            present = False
        line = MemberLine(member=m, present=present)
        if not present:
            return line
        usual = habits.usual_shares[m] + rng.choice([-1, 0, 0, 0, 1])
        line.shares = min(max(usual, 1), cycle.max_shares_per_meeting)
        line.social_fund = cycle.social_fund_per_meeting
        if rng.random() < words.FINE_ODDS:
            line.fine = cycle.fine_late
            self.counts["fines"] += 1
        if state is not None:
            owed = books.owed.get(m, 0)
            weeks_left = max((state.loan.due_on - held_on).days // 7, 1)
            instalment = -(-owed // weeks_left // 1000) * 1000  # rounded up to whole taka tens
            line.repayment = owed if (due_soon or closing) else min(instalment, owed)
            line.service_charge = state.charge_due
        return line

    def lend(
        self,
        cycle: Cycle,
        books: GroupBooks,
        habits: Habits,
        rows: list[MemberLine],
        held_on: datetime.date,
        wind_down: bool,
    ) -> None:
        """A few loans, each at most three times the borrower's savings, while the loan fund lasts."""
        rng = self.rng
        price = cycle.share_price
        fund = books.loan_fund + sum(r.shares * price + r.repayment + r.service_charge + r.fine for r in rows)
        wanted = rng.randint(*words.LOANS_PER_MEETING)
        if habits.wants_defaulter:
            wanted = max(wanted, 1)
        candidates = [
            r for r in rows if r.present and r.member not in books.loans and r.member not in habits.barred
        ]
        rng.shuffle(candidates)
        for line in candidates[:wanted]:
            savings = books.savings.get(line.member, 0) + line.shares * price
            most = min(cycle.loan_multiple * savings, fund) // TAKA_100
            if most < 2:
                continue
            months = rng.randint(1, cycle.max_loan_months)
            if wind_down:  # repaid by the share-out
                weeks_left = (cycle.starts_on + (MEETINGS - 1) * WEEK - held_on).days // 7
                months = min(months, weeks_left * 7 // 31)
                if months < 1:
                    continue
            if habits.wants_defaulter:
                months, habits.defaulter, habits.wants_defaulter = 1, line.member, False
                habits.barred.add(line.member)
            line.loan = rng.randint(max(most // 3, 1), most) * TAKA_100
            line.loan_months = months
            line.loan_purpose = rng.choice(words.LOAN_PURPOSES)
            fund -= line.loan
            self.counts["loans"] += 1

    def grant(self, cycle: Cycle, books: GroupBooks, rows: list[MemberLine]) -> None:
        """Now and then the social fund helps a member in need."""
        rng = self.rng
        if rng.random() >= words.GRANT_ODDS:
            return
        fund = books.social_fund + sum(r.social_fund for r in rows)
        present = [r for r in rows if r.present]
        amount = rng.choice(words.GRANTS)
        if present and amount <= fund:
            rng.choice(present).grant = amount
            self.counts["grants"] += 1


class Books:
    """An association's own books, written in the order of their days so the cash is there when
    it is spent: a membership fee and its payments, a grant, an asset rented out, running costs."""

    def __init__(self, builder: Builder, association: Organisation, number: int) -> None:
        self.rng, self.today, self.counts = builder.rng, builder.today, builder.counts
        self.association = association
        self.number = number
        self.events: list[tuple[datetime.date, int, object]] = []

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=max(days_ago, 0))

    def build(self) -> None:
        rng = self.rng
        members = list(
            Member.objects.filter(association=self.association, is_active=True)
            .select_related("association")
            .order_by("code")
        )
        if not members:
            return
        title, amount = words.GRANT
        post_transaction(
            actor=None,
            organisation=self.association,
            on=self.day(words.GRANT_MONTHS_AGO * 30),
            kind=K.GRANT,
            lines=[Line("bank", amount), Line("grants_received", -amount)],
            memo=title,
            channel=SYSTEM,
        )
        self.counts["grants received"] += 1
        self.dues(members)
        self.asset(members)
        for months_ago in range(words.GRANT_MONTHS_AGO - 1, -1, -1):
            for memo, cost in words.RUNNING_COSTS:
                if rng.random() < 0.8:
                    self.later(self.day(months_ago * 30 + rng.randint(0, 25)), self.running_cost, memo, cost)
        for _on, _n, (write, *args) in sorted(self.events, key=lambda event: event[:2]):
            write(*args)

    def later(self, on: datetime.date, write, *args) -> None:
        self.events.append((on, len(self.events), (write, on, *args)))

    def dues(self, members: list[Member]) -> None:
        """A fee from some months ago; most members pay what is due, in one lump or a period at a
        time, and a quarter fall behind."""
        rng = self.rng
        amount, frequency, months = words.FEES[self.number % len(words.FEES)]
        starts_on = add_months(self.today, -words.FEE_MONTHS_AGO)
        set_membership_fee(
            actor=None,
            association=self.association,
            amount=amount,
            frequency=frequency,
            starts_on=starts_on,
            channel=SYSTEM,
        )
        self.counts["fees"] += 1
        for member in members:
            first = max(starts_on, member.joined_on)
            due = [add_months(first, months * n) for n in range(words.FEE_MONTHS_AGO // months + 1)]
            due = [day for day in due if day <= self.today]
            if rng.random() < words.DUES_ARREARS:
                due = due[: rng.randint(0, len(due) - 1)]
            lumps = [due] if rng.random() < 0.7 else [[day] for day in due]
            for lump in lumps:
                if lump:
                    paid_on = min(lump[-1] + datetime.timedelta(days=rng.randint(0, 20)), self.today)
                    self.later(paid_on, self.pay_dues, member, len(lump) * amount)

    def pay_dues(self, on: datetime.date, member: Member, amount: int) -> None:
        mobile = self.rng.random() < words.MOBILE_MONEY
        record_dues_payment(
            actor=None,
            member=member,
            amount=amount,
            on=on,
            method="mobile_money" if mobile else "cash",
            reference=f"BK{self.rng.randrange(10**9):09d}" if mobile else "",
            channel=SYSTEM,
        )
        self.counts["dues payments"] += 1

    def asset(self, members: list[Member]) -> None:
        rng = self.rng
        kind, name, price, unit, rate, (low, high), rentals = words.ASSETS[self.number % len(words.ASSETS)]
        bought_on = self.day((words.GRANT_MONTHS_AGO - 1) * 30)
        asset = buy_asset(
            actor=None,
            association=self.association,
            name=name,
            kind=kind,
            bought_on=bought_on,
            price=price,
            unit=unit,
            rate=rate,
            paid_from="bank",
            channel=SYSTEM,
        )
        self.counts["assets"] += 1
        days = (self.today - bought_on).days
        for _n in range(rentals):
            quantity = Decimal(str(round(rng.uniform(low, high), 1 if unit == "hour" else 2)))
            renter = rng.choice(members) if rng.random() < 0.85 else rng.choice(words.NON_MEMBER_RENTERS)
            self.later(
                bought_on + datetime.timedelta(days=rng.randint(1, days)), self.rent, asset, quantity, renter
            )
        for months_ago in range(words.GRANT_MONTHS_AGO - 2, -1, -1):
            memo, low_cost, high_cost = rng.choice(words.ASSET_COSTS)
            cost = rng.randint(low_cost // 1000, high_cost // 1000) * 1000
            self.later(self.day(months_ago * 30 + rng.randint(0, 25)), self.asset_cost, asset, memo, cost)

    def rent(self, on: datetime.date, asset, quantity: Decimal, renter: Member | str) -> None:
        member = renter if isinstance(renter, Member) else None
        rent_asset(
            actor=None,
            asset=asset,
            on=on,
            quantity=quantity,
            member=member,
            renter="" if member else str(renter),
            channel=SYSTEM,
        )
        self.counts["rentals"] += 1

    def asset_cost(self, on: datetime.date, asset, memo: str, cost: int) -> None:
        record_asset_cost(
            actor=None,
            asset=asset,
            on=on,
            amount=cost,
            memo=memo,
            paid_from=self.paid_from(on, cost),
            channel=SYSTEM,
        )
        self.counts["costs"] += 1

    def running_cost(self, on: datetime.date, memo: str, cost: int) -> None:
        paid_from = self.paid_from(on, cost)
        post_transaction(
            actor=None,
            organisation=self.association,
            on=on,
            kind=K.EXPENSE,
            lines=[Line("running_costs", cost), Line(paid_from, -cost)],
            memo=memo,
            channel=SYSTEM,
        )
        self.counts["costs"] += 1

    def paid_from(self, on: datetime.date, amount: int) -> str:
        """Cash in hand when it holds enough that day, else the bank."""
        held = balances(self.association, on=on).get("cash", 0)
        return "cash" if held >= amount else "bank"


class Command(BaseCommand):
    help = "Add finance demo data: savings cycles with weekly meetings, loans, a write-off and share-outs."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED, help="seed of the random generator")
        parser.add_argument("--groups", type=int, default=GROUPS, help=f"how many groups (default {GROUPS})")
        parser.add_argument("--force", action="store_true", help="run even when DEMO_MODE is off")

    def handle(self, *args, seed: int, groups: int, force: bool, **options):
        if not settings.DEMO_MODE and not force:
            raise CommandError(
                "Demo data is for development and demonstrations, and DEMO_MODE is off. "
                "Set DEMO_MODE=1 (DEBUG=1 sets it), or pass --force to add it anyway."
            )
        if not Organisation.objects.filter(code__in=FEDERATION_CODES).exists():
            raise CommandError("The demo programme is not here: run `manage.py demo` first.")
        if groups < COMPLETED + 3:
            raise CommandError(f"The finance demo needs at least {COMPLETED + 3} groups.")
        existing = demo_cycles()
        if existing.exists():
            self.stdout.write(
                f"Finance demo data is already here ({existing.count():,} cycles): nothing to do."
            )
            return
        started = time.perf_counter()
        builder = Builder(seed=seed, today=timezone.localdate())
        with transaction.atomic():
            associations = demo_associations()
            chosen = chosen_groups(associations, groups)
            for number, group in enumerate(chosen):
                builder.group(group, number)
            for number, association in enumerate(associations[:ASSOCIATIONS]):
                Books(builder, association, number).build()
        c = builder.counts
        postings = Posting.objects.filter(
            association_id__in={g.parent_id for g in chosen} | {a.pk for a in associations[:ASSOCIATIONS]}
        ).count()
        self.stdout.write(
            f"Finance demo: {c['cycles']} savings cycles in {len(chosen)} groups, "
            f"{c['meetings']:,} meetings, "
            f"{c['loans']:,} loans ({c['written off']} written off), {c['fines']} fines, "
            f"{c['grants']} social fund grants, {c['share-outs']} share-outs; in {c['fees']} associations "
            f"{c['dues payments']:,} dues payments, {c['grants received']} grants received, "
            f"{c['assets']} assets with {c['rentals']} rentals, {c['costs']} costs; {postings:,} postings; "
            f"built in {time.perf_counter() - started:.1f} s."
        )
