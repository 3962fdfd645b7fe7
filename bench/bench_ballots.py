"""A secret poll across a million eligible members: open it, cast ballots one at a time, count.

    python bench/bench_ballots.py                                  # 1,000,000 members, 600,000 ballots
    python bench/bench_ballots.py --members 100000 --ballots 60000 --runs 3

The members are written once with plain SQL INSERTs (executemany) into a SQLite file cached in
bench/out/ (gitignored): one federation, 10 associations, 1,000 groups. Each run then

1. drafts a secret single-choice poll of the federation and opens it through
   `polls.open_poll` (the register: one INSERT ... SELECT of every active member; the box: a row
   per option), timed;
2. casts ballots one at a time through `polls.cast_vote`, each its own transaction, as they would
   arrive by SMS or USSD (the member is given by id, as a channel has it after its own lookup),
   timed as ballots per second;
3. the plain-SQL reference on a second poll of the same register: a loop committing one small
   transaction per ballot (an UPDATE of the register and an UPDATE of a count);
4. closes the poll and times `polls.results` (the count and the turnout by sex, age band,
   ethnicity and disability over the whole register).

Prints the median of the runs. Targets: at least 1,000 ballots/s on SQLite, count under 2 s.

Measured on the development machine (2 cores shared with other work), SQLite WAL,
synchronous=NORMAL, DEBUG off:

    members 1,000,000, ballots 600,000, 1 run
    open (register of 1,000,000):      5.4 s
    cast_vote:                         2,153 ballots/s
    plain SQL, one commit per ballot:  4,200 ballots/s
    ratio ours / plain:                0.51
    count (results with turnout):      0.43 s

    members 100,000, ballots 60,000, 3 runs (medians)
    open (register of 100,000):        0.82 s
    cast_vote:                         2,222 ballots/s
    plain SQL, one commit per ballot:  3,965 ballots/s
    ratio ours / plain:                0.56
    count (results with turnout):      0.05 s

Where cast_vote's time goes beyond the plain loop: Django's atomic block and cursor wrapper, and
checking the choice against the poll. A secret ballot a leader records also writes an audit row
(one plain INSERT, about a third more); a member's own ballot, as here, writes none. The register
is written in member order: unordered, the (poll, member) index was written all over and opening
took 42 s at a million.
"""

import argparse
import datetime
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--ballots", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build the cached members again")
    return parser.parse_args()


def cached_path(members: int) -> Path:
    return OUT / f"ballots-{members}.sqlite3"


def setup_django(path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    # As in production: without DEBUG's query log, which would cost more than the ballot itself.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samiti.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_members(path: Path, members: int) -> None:
    """Migrate a fresh file and write the organisations and members with plain SQL."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from samiti.registry import testing

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        district = testing.area("district", testing.area("division"))
        union = testing.area("union", testing.area("upazila", district))
        federation = testing.organisation("federation", place=union, code="BENCH-FED")
        associations = [
            testing.organisation("association", federation, code=f"BENCH-A{i}") for i in range(10)
        ]
        groups = [
            testing.organisation("group", associations[i % 10], code=f"BENCH-G{i}", place=union)
            for i in range(1000)
        ]
    rng = random.Random(7)
    today = datetime.date.today().isoformat()
    now = datetime.datetime.now(datetime.UTC).isoformat(sep=" ")
    columns = [
        "code",
        "name_bn",
        "name_en",
        "sex",
        "birth_year",
        "phone",
        "national_id",
        "ethnicity",
        "wg_walking",
        "main_crops",
        "group_id",
        "association_id",
        "area_id",
        "district_id",
        "joined_on",
        "leaving_reason",
        "consent_method",
        "name_key_bn",
        "name_key_en",
        "created_at",
        "updated_at",
    ]
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO registry_member ({', '.join(columns)}) VALUES ({marks})"
    batch = []
    with connection.cursor() as cursor:
        for n in range(members):
            group = groups[n % len(groups)]
            batch.append((
                f"BM{n:07d}", "", f"Member {n}", "F" if rng.random() < 0.55 else "M", rng.randint(1950, 2006),
                "", "", "garo" if rng.random() < 0.1 else "bengali", 3 if rng.random() < 0.05 else None, "[]",
                group.pk, group.parent_id, union.pk, district.pk, today, "", "", "", "", now, now,
            ))  # fmt: skip
            if len(batch) == 50_000:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                batch = []
                print(f"  members written: {n + 1:,}", flush=True)
        with transaction.atomic():
            cursor.executemany(sql, batch)
        cursor.execute("ANALYZE")


def plain_sql_loop(path: Path, poll_id: int, member_ids: list[int]) -> float:
    """One small transaction per ballot through sqlite3 itself: the reference for cast_vote."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for member_id in member_ids:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "UPDATE voice_voter SET voted = 1 WHERE poll_id = ? AND member_id = ? AND voted = 0",
            (poll_id, member_id),
        )
        db.execute(
            "UPDATE voice_ballotbox SET count = count + 1 WHERE poll_id = ? AND choice = ?", (poll_id, "1")
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


class Voting(NamedTuple):
    """The member as a channel hands it to cast_vote after its own lookup: only the id is read.
    (Building a full Member instance costs ~80 µs, as much as a third of the ballot.)"""

    pk: int


def run(path: Path, ballots: int, rng: random.Random) -> dict[str, float]:
    from django.db import connection

    from samiti.core.models import Channel
    from samiti.registry.models import Organisation
    from samiti.voice.models.polls import BallotBox, Option, Poll, Voter
    from samiti.voice.services import polls

    with connection.cursor() as cursor:  # a clean slate: earlier runs' polls go
        for table in (Voter, BallotBox, Option, Poll):
            cursor.execute(f"DELETE FROM {table._meta.db_table}")
    federation = Organisation.objects.get(code="BENCH-FED")
    ours = polls.create_poll(actor=None, organisation=federation, question="Which canal first?",
                             kind=Poll.Kind.SINGLE, options=["North", "South", "East"],
                             secret=True)  # fmt: skip
    started = time.perf_counter()
    polls.open_poll(actor=None, poll=ours)
    open_s = time.perf_counter() - started
    ids = list(Voter.objects.filter(poll=ours).values_list("member_id", flat=True))
    voters = rng.sample(ids, min(ballots, len(ids)))
    options = list(Option.objects.filter(poll=ours).order_by("position"))
    weights = [0.5, 0.3, 0.2]
    choices = rng.choices(options, weights, k=len(voters))

    started = time.perf_counter()
    for member_id, option in zip(voters, choices, strict=True):
        polls.cast_vote(poll=ours, member=Voting(member_id), choice=option, channel=Channel.SMS)
    cast_s = time.perf_counter() - started

    reference = polls.create_poll(actor=None, organisation=federation, question="Reference",
                                  kind=Poll.Kind.SINGLE, options=["A", "B"], secret=True)  # fmt: skip
    polls.open_poll(actor=None, poll=reference)
    connection.close()  # let the plain loop have the file's write lock
    plain_s = plain_sql_loop(path, reference.pk, voters)

    polls.close_poll(actor=None, poll=ours)
    started = time.perf_counter()
    result = polls.results(ours)
    count_s = time.perf_counter() - started
    assert result.turnout == len(voters) == sum(result.counts.values()), "every ballot counted once"
    return {
        "eligible": result.eligible,
        "open_s": open_s,
        "ours_per_s": len(voters) / cast_s,
        "plain_per_s": len(voters) / plain_s,
        "count_s": count_s,
    }


def main() -> None:
    args = parse()
    OUT.mkdir(parents=True, exist_ok=True)
    cached = cached_path(args.members)
    work = OUT / f"ballots-{args.members}-work.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    if not args.rebuild and cached.exists():
        shutil.copyfile(cached, work)
    setup_django(work)
    from django.core.management import call_command
    from django.db import connection

    if args.rebuild or not cached.exists():
        print(f"Building {args.members:,} members (once, cached in {cached})…", flush=True)
        build_members(work, args.members)
        connection.close()
        shutil.copyfile(work, cached)
    call_command("migrate", verbosity=0)  # the cache may predate newer migrations

    rng = random.Random(11)
    measured = []
    for i in range(args.runs):
        figures = run(work, args.ballots, rng)
        measured.append(figures)
        print(f"run {i + 1}: " + ", ".join(f"{k} {v:,.2f}" for k, v in figures.items()), flush=True)

    def median(key: str) -> float:
        return statistics.median(m[key] for m in measured)

    ours, plain = median("ours_per_s"), median("plain_per_s")
    ballots = min(args.ballots, int(median("eligible")))
    print(f"\nmembers {int(median('eligible')):,}, ballots {ballots:,}, {args.runs} run(s), medians")
    print(f"open (register of {int(median('eligible')):,}):  {median('open_s'):.2f} s")
    print(f"cast_vote:                         {ours:,.0f} ballots/s   (target >= 1,000)")
    print(f"plain SQL, one commit per ballot:  {plain:,.0f} ballots/s")
    print(f"ratio ours / plain:                {ours / plain:.2f}")
    print(f"count (results with turnout):      {median('count_s'):.2f} s   (target < 2)")


if __name__ == "__main__":
    main()
