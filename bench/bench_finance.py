"""A year of weekly savings meetings for 1,000 groups of 25, then every group's share-out.

    python bench/bench_finance.py                      # SQLite, 1,000 groups, 52 weeks
    python bench/bench_finance.py --groups 100         # a quicker look
    python bench/bench_finance.py --postgres postgres://postgres@127.0.0.1:5432/bench_finance

A fresh database each run (a SQLite file in bench/out/, or the PostgreSQL database named, which
is dropped and made again; never the test suite's). 1,000 groups of 25 members in 50
associations, each with a cycle (share price Tk 50, social fund Tk 10 a meeting, 5 % a month
flat). Every week each group meets: about 90 % attend and buy 1 to 5 shares and pay the social
fund; a few members take loans (within 3 times their savings, 1 to 3 months) and repay them in
full with the service charge when due; now and then a fine or a social-fund grant. The meetings
are made up before the clock starts; the clock runs only around `record_meeting`, the service a
treasurer's page and the API call for one meeting, with the counted cash equal to the books.

Then, timed: `share_out` for every group (all loans are repaid by the last meeting).

Beside it, plain SQL: the same postings (read back from our run) and their transaction headers
inserted with executemany (SQLite) or COPY (PostgreSQL) into copies of the two tables with the
same indexes and no triggers, one commit per meeting as ours makes, and then all in one commit.

Reports postings per second (ours and plain), the ratio, meetings per second, the median time of
one meeting, and the share-out time. Aim: 10,000 postings/s through the service, all 1,000
share-outs in under 10 s on SQLite.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from _database import fresh_database

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--members", type=int, default=25, help="members per group")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database instead of SQLite")
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samiti.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(groups: int, size: int) -> list:
    """The programme: 50 associations, `groups` groups of `size` members, a cycle each."""
    from django.core.management import call_command
    from django.db import transaction

    from samiti.core.models import Channel
    from samiti.finance import testing as finance_testing
    from samiti.registry import testing
    from samiti.registry.services import bulk_register_members

    call_command("migrate", verbosity=0)
    place = testing.union()
    federation = testing.organisation("federation", place=place)
    associations = [testing.organisation("association", federation, place=place) for _ in range(50)]
    cycles = []
    with transaction.atomic():
        for n in range(groups):
            group = testing.organisation("group", associations[n % 50], place=place)
            bulk_register_members(
                actor=None,
                channel=Channel.SYSTEM,
                members=[
                    {
                        "code": f"{group.code}-{i:03d}",
                        "name_en": f"Member {n}-{i}",
                        "sex": "F" if i % 2 else "M",
                        "group_id": group.pk,
                        "joined_on": datetime.date(2025, 12, 1),
                    }
                    for i in range(size)
                ],
            )
            cycles.append(
                finance_testing.cycle(
                    group,
                    share_price=5000,
                    social_fund_per_meeting=1000,
                    fine_late=500,
                    service_charge_percent=Decimal(5),
                )
            )
    return cycles


class Box:
    """What a generator needs to know of one group to make its next meeting valid."""

    def __init__(self, member_ids: list[int]):
        self.members = member_ids
        self.savings = dict.fromkeys(member_ids, 0)
        self.loans: dict[int, tuple[int, datetime.date, int]] = {}  # member -> principal, issued, due week
        self.loan_fund = 0
        self.social_fund = 0


def make_meeting(rng: random.Random, cycle, box: Box, week: int, weeks: int, day: datetime.date):
    """One meeting's rows and the cash the box will hold after it."""
    from samiti.finance.models import Loan
    from samiti.finance.services.savings import MemberLine, service_charge_accrued

    price = cycle.share_price
    rows, loans_out, new_loans = [], 0, []
    for m in box.members:
        present = rng.random() < 0.9
        row = MemberLine(m, present=present)
        if present:
            row.shares = rng.randint(1, 5)
            row.social_fund = cycle.social_fund_per_meeting
            if rng.random() < 0.02:
                row.fine = cycle.fine_late
        loan = box.loans.get(m)
        if loan and (loan[2] <= week or week == weeks - 1):
            principal, issued, _due = loan
            unsaved = Loan(
                principal=principal,
                issued_on=issued,
                service_charge_percent=cycle.service_charge_percent,
                service_charge_method=cycle.service_charge_method,
            )
            row.repayment, row.service_charge = principal, service_charge_accrued(unsaved, [], day)
            del box.loans[m]
        elif not loan and present and week < weeks - 14 and rng.random() < 0.04:
            new_loans.append((row, m))
        box.savings[m] += row.shares * price
        box.loan_fund += row.shares * price + row.repayment + row.service_charge + row.fine
        box.social_fund += row.social_fund
        rows.append(row)
    for row, m in new_loans:
        amount = min(box.savings[m] * 3, rng.choice([50_000, 100_000, 200_000, 300_000]))
        if amount and loans_out + amount <= box.loan_fund:
            months = rng.randint(1, 3)
            row.loan, row.loan_months = amount, months
            loans_out += amount
            box.loans[m] = (amount, day, week + rng.randint(3, months * 4))
    if week % 10 == 5 and box.social_fund >= 50_000:
        rows[rng.randrange(len(rows))].grant = 50_000
        box.social_fund -= 50_000
    box.loan_fund -= loans_out
    return rows, box.loan_fund, box.social_fund


def plain_sql(meetings: list[list[int]]) -> tuple[float, float, int]:
    """Insert our postings and headers again by hand: one commit per meeting, then in one commit."""
    from django.db import connection, transaction

    from samiti.core import bulk
    from samiti.finance.models import Posting, Transaction

    with connection.cursor() as cursor:
        for table in ("finance_posting", "finance_transaction"):
            cursor.execute(f"DROP TABLE IF EXISTS plain_{table[8:]}")
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE plain_transaction (LIKE finance_transaction INCLUDING ALL)")
            cursor.execute("CREATE TABLE plain_posting (LIKE finance_posting INCLUDING ALL)")
        else:
            for table, model in (("plain_transaction", Transaction), ("plain_posting", Posting)):
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [model._meta.db_table]
                )
                cursor.execute(cursor.fetchone()[0].replace(f'"{model._meta.db_table}"', table, 1))
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL",
                    [model._meta.db_table],
                )
                for (sql,) in cursor.fetchall():
                    cursor.execute(
                        sql.replace('INDEX "', f'INDEX "{table}_', 1).replace(
                            f'ON "{model._meta.db_table}"', f'ON "{table}"'
                        )
                    )
        quote = connection.ops.quote_name
        header_columns = [f.column for f in Transaction._meta.concrete_fields]
        cursor.execute(f"SELECT {', '.join(map(quote, header_columns))} FROM finance_transaction ORDER BY id")
        headers = {row[0]: row for row in cursor.fetchall()}
        posting_columns = [f.column for f in Posting._meta.concrete_fields if f.column != "id"]
        cursor.execute(f"SELECT {', '.join(map(quote, posting_columns))} FROM finance_posting ORDER BY id")
        postings: dict[int, list] = {}
        for row in cursor.fetchall():
            postings.setdefault(row[0], []).append(row)
    batches = [([headers[t] for t in ids], [p for t in ids for p in postings[t]]) for ids in meetings]
    count = sum(len(p) for _h, p in batches)

    def insert(batch_list) -> None:
        for hs, ps in batch_list:
            bulk.insert_rows("plain_posting", posting_columns, ps)
            bulk.insert_rows("plain_transaction", header_columns, hs)

    started = time.perf_counter()
    for batch in batches:
        with transaction.atomic():
            insert([batch])
    per_meeting = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM plain_posting")
        cursor.execute("DELETE FROM plain_transaction")
    started = time.perf_counter()
    with transaction.atomic():
        insert(batches)
    at_once = time.perf_counter() - started
    return per_meeting, at_once, count


def main() -> None:
    args = parse()
    setup_django(fresh_database(args.postgres, "finance.sqlite3"))
    from django.db import connection

    from samiti.finance.models import Posting, Transaction
    from samiti.finance.services.savings import record_meeting
    from samiti.finance.services.shareout import share_out
    from samiti.registry.models import Member

    started = time.perf_counter()
    cycles = build(args.groups, args.members)
    print(
        f"{connection.vendor}: {args.groups:,} groups of {args.members}, {args.weeks} weekly meetings "
        f"(built in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    rng = random.Random(2026)
    boxes = {}
    for cycle in cycles:
        boxes[cycle.pk] = Box(
            list(Member.objects.filter(group=cycle.group_id).order_by("id").values_list("id", flat=True))
        )
    times: list[float] = []
    cpu = 0.0
    meeting_transactions: list[list[int]] = []
    for week in range(args.weeks):
        day = cycles[0].starts_on + datetime.timedelta(days=7 * week)
        for cycle in cycles:
            rows, loan_fund, social_fund = make_meeting(rng, cycle, boxes[cycle.pk], week, args.weeks, day)
            t0, c0 = time.perf_counter(), time.process_time()
            saved = record_meeting(
                actor=None,
                cycle=cycle,
                held_on=day,
                lines=rows,
                counted_loan_fund=loan_fund,
                counted_social_fund=social_fund,
            )
            times.append(time.perf_counter() - t0)
            cpu += time.process_time() - c0
            meeting_transactions.append(
                list(Transaction.objects.filter(meeting_id=saved.meeting_id).values_list("id", flat=True))
            )
        print(f"  week {week + 1}: {sum(times):.1f} s so far", flush=True)
    ours = sum(times)
    postings = Posting.objects.count()
    t0 = time.perf_counter()
    end = cycles[0].starts_on + datetime.timedelta(days=7 * args.weeks)
    for cycle in cycles:
        sheet = share_out(actor=None, cycle=cycle, on=end)
        assert sheet.total_payout + sheet.remainder == sheet.fund
    share_out_seconds = time.perf_counter() - t0
    plain_each, plain_once, plain_count = plain_sql(meeting_transactions)
    assert plain_count == postings
    meetings = len(times)
    print()
    print(f"meetings recorded                     {meetings:,}")
    print(f"postings written by the meetings      {plain_count:,}")
    print(
        f"ours: record_meeting                  {ours:.1f} s, {plain_count / ours:,.0f} postings/s, "
        f"{meetings / ours:,.0f} meetings/s, median {statistics.median(times) * 1000:.2f} ms a meeting"
    )
    print(
        f"  the same in CPU time of this process {cpu:.1f} s, {plain_count / cpu:,.0f} postings/s "
        "(SQLite works inside the process; on a busy machine this is the steadier figure)"
    )
    for label, seconds in (("one commit per meeting", plain_each), ("all in one commit     ", plain_once)):
        print(f"plain SQL, {label}     {seconds:.1f} s, {plain_count / seconds:,.0f} postings/s")
    print(f"ratio ours / plain (commit a meeting) {(plain_count / ours) / (plain_count / plain_each):.2f}")
    print(
        f"share-out of {len(cycles):,} groups             {share_out_seconds:.2f} s "
        f"({share_out_seconds / len(cycles) * 1000:.1f} ms each)"
    )


if __name__ == "__main__":
    main()
