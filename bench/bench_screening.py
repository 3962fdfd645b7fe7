"""Screening a million members against the twelve shipped schemes, beside plain SQL.

    python bench/bench_screening.py                           # SQLite, 1,000,000 members, 3 runs
    python bench/bench_screening.py --postgres postgres://postgres@127.0.0.1:5432/bench_screening
    python bench/bench_screening.py --members 100000 --runs 3

The members are written once with plain SQL (executemany) into a database of their own: a SQLite
file cached in bench/out/ (gitignored), or the PostgreSQL database named in --postgres (created
if missing, never the test suite's). One federation, 50 associations, 5,000 groups of 200 in
500 villages of 50 unions; one household per 1.3 members. The facts are drawn to look like a
programme's register: ages 18 to 90, 55 % women, 10 % of ethnic minorities, Washington Group
answers for 70 % (about 6 % with a disability), marital status, occupation, pregnancy of younger
women, land owned and cultivated, national ID for 85 % and a phone for 70 %; household size and
income (a long tail of very poor households) and children under 5, each missing for some members,
as on paper registers. 3 % of members already receive a scheme.

Each run screens everyone through `services.screening.screen` (the whole programme's scope, as a
programme admin would), and times:

- ours: the whole screening (delete the old findings, 12 INSERT … SELECT, counts, audit), and
  the seconds of each scheme;
- plain SQL, hand-written: the Old Age Allowance's INSERT … SELECT written by hand over the same
  tables (its rule and the work-list priority written out), against ours for that scheme;
- plain SQL, bare copy: every active member's id copied into findings for one scheme, with no
  rule at all: the cost of writing the rows, the floor for any scheme;
- the work list's first page (and its count up to 10,000) for everyone, one group, one union,
  one scheme, and "cannot tell".

Medians of the runs. Target: all 12 schemes over 1,000,000 members in under 60 s on SQLite.

Measured on the development machine (2 cores, shared with other engineers' work; load average
about 2), 1,000,000 members, 4,187,270 findings, medians of 3 runs:

                                                   SQLite (WAL)    PostgreSQL 15
    all 12 schemes, screen() over everyone         24.2 s          62.7 s
      members per second                           41,257          15,953
      CPU of this process (SQLite does the work)   23.4 s          -
    a broad scheme (saao_advice, farmer_card,
      food_friendly, vgf: 550,000 to 920,000
      findings each)                               2.6 to 3.4 s    8.8 to 11.2 s
    a narrow one (old age, widows, EGPP, mother
      and child: 30,000 to 46,000 findings)        0.8 to 0.9 s    1.3 to 1.8 s
    Old Age Allowance alone, into an emptied table:
      ours, screen()                               0.99 s          2.68 s
      plain SQL, the same INSERT … SELECT by hand  0.72 s          2.22 s
      ratio ours / plain                           1.37            1.21
      plain SQL, bare copy of 1,000,000 ids        1.72 s          7.87 s
    work list, first page of 50 and its count (capped at 10,000):
      everyone                                     46 ms           29 ms
      one group                                    9 ms            13 ms
      one union                                    83 ms           651 ms
      one scheme                                   26 ms           59 ms
      cannot tell                                  56 ms           86 ms

Writing the rows is what costs: the broad schemes take the time, and the bare copy of the ids
shows PostgreSQL writing findings (with their four indexes and its write-ahead log) at about a
quarter of SQLite's speed. Our overhead over the hand-written statement is the count of the
members, the counts by outcome, ANALYZE and the audit row. Between runs on PostgreSQL the
findings are vacuumed, as autovacuum would between two screenings of everyone.

What made it fast (each measured at a million members): the household joined once instead of a
subquery per fact; no IN (subquery) when the scope is everyone; findings without database
foreign keys, so replacing them all truncates (SQLite deletes a child table row by row otherwise:
8.9 s against 0.3 s a million rows) and no row is checked against five parents; four indexes on
findings instead of seven; a 256 MB page cache while a large screening writes (83 s against 53 s
on the busy machine); and ANALYZE of the findings afterwards, without which SQLite walked the whole
work list's order for one group's page (2.8 s, 6 ms with the statistics); and a page of the work
list read as its ids first, then their lines, without which PostgreSQL planned one group's page
over every finding (6 s, 13 ms so).
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GROUP_SIZE = 200
ASSOCIATIONS = 50
UNIONS = 50
VILLAGES_PER_UNION = 10
BATCH = 20_000


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL database")
    parser.add_argument("--rebuild", action="store_true", help="write the members again")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    return parser.parse_args()


def sqlite_path(members: int) -> Path:
    return OUT / f"screening-{'1m' if members == 1_000_000 else members}.sqlite3"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # As in production: without DEBUG's query log.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samiti.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_postgres_database(url: str, rebuild: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            admin.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


# ----- the register -------------------------------------------------------------------------------

MEMBER_COLUMNS = [
    "code", "name_bn", "name_en", "sex", "birth_date", "birth_year", "phone", "national_id",
    "ethnicity", "wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare",
    "wg_communication", "marital_status", "occupation", "pregnant", "land_owned", "land_cultivated",
    "main_crops", "group_id", "association_id", "area_id", "district_id", "household_id", "joined_on",
    "leaving_reason", "consent_method", "name_key_bn", "name_key_en", "created_at", "updated_at",
]  # fmt: skip
OCCUPATIONS = [
    ("farmer", 30), ("tenant", 12), ("agri_labourer", 15), ("day_labourer", 8), ("fisher", 3),
    ("livestock", 6), ("trader", 5), ("homemaker", 14), ("student", 2), ("other", 2), ("", 3),
]  # fmt: skip
MARITAL = [("married", 72), ("never_married", 9), ("widowed", 9), ("divorced", 2), ("separated", 1),
           ("deserted", 2), ("", 5)]  # fmt: skip
MINORITIES = ["garo", "hajong", "koch", "santal", "oraon", "munda", "barman"]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def _member(rng: random.Random, n: int, today: datetime.date) -> dict:
    """One member's facts, some of them not recorded."""
    sex = "F" if rng.random() < 0.55 else ("M" if rng.random() < 0.998 else "T")
    age = min(90, 18 + int(rng.expovariate(1 / 20)))
    born = today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
    known = rng.random()
    birth_date, birth_year = (
        (born, None) if known < 0.8 else ((None, born.year) if known < 0.96 else (None, None))
    )
    answered = rng.random() < 0.7
    wg = [None] * 6
    if answered:
        disabled = rng.random() < 0.06 + (0.15 if age >= 65 else 0)
        wg = [1] * 6
        wg[rng.randrange(6)] = rng.choice([3, 4]) if disabled else rng.choice([1, 2])
    pregnant = None
    if sex == "F" and 18 <= age <= 45:
        pregnant = None if rng.random() < 0.15 else rng.random() < 0.06
    land = (
        None
        if rng.random() < 0.1
        else int(rng.choice([0, 0, 0, 2, 5, 10, 20, 33, 50, 100, 200]) * rng.random() * 2)
    )
    return {
        "sex": sex,
        "birth_date": birth_date,
        "birth_year": birth_year,
        "phone": f"017{n:08d}" if rng.random() < 0.7 else "",
        "national_id": f"{1_000_000_000 + n}" if rng.random() < 0.85 else "",
        "ethnicity": rng.choice(MINORITIES)
        if rng.random() < 0.1
        else ("bengali" if rng.random() < 0.95 else ""),
        "wg": wg,
        "marital_status": _pick(rng, MARITAL),
        "occupation": _pick(rng, OCCUPATIONS),
        "pregnant": pregnant,
        "land_owned": land,
        "land_cultivated": None if land is None else land + int(rng.random() < 0.3) * rng.randint(0, 80),
    }


def _household(rng: random.Random) -> tuple:
    """Size, income per year in poisha (a long tail of very poor households), children under 5."""
    size = None if rng.random() < 0.08 else max(1, min(12, int(rng.gauss(4.3, 1.8))))
    income = None
    if rng.random() > 0.2:
        income = int(rng.lognormvariate(11.3, 0.9)) * 100  # median about Tk 80,000 a year
        if rng.random() < 0.04:
            income = rng.randint(0, 12_000) * 100
    children = None if rng.random() < 0.2 else rng.choice([0, 0, 0, 1, 1, 2, 3])
    return size, income, children


def build(members: int) -> None:
    """Migrate, then write the areas, organisations, households and members (once)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from samiti.registry import testing
    from samiti.registry.models import Household, Member

    call_command("migrate", verbosity=0)
    have = Member.objects.count()
    if have >= members:
        print(f"Reusing {have:,} members.", flush=True)
        return
    if have:
        raise SystemExit(f"The database holds {have:,} members, not {members:,}: use --rebuild.")
    print(f"Writing {members:,} members...", flush=True)
    started = time.perf_counter()
    rng = random.Random(2024)
    today = datetime.date.today()
    with transaction.atomic():
        district = testing.area("district", testing.area("division"), code="BENCH-DIS")
        upazila = testing.area("upazila", district, code="BENCH-UPA")
        unions = [testing.area("union", upazila, code=f"BENCH-U{u}") for u in range(UNIONS)]
        villages = [
            testing.area("village", unions[u], code=f"BENCH-V{u}-{v}")
            for u in range(UNIONS)
            for v in range(VILLAGES_PER_UNION)
        ]
        federation = testing.organisation("federation", place=unions[0], code="BENCH-FED")
        associations = [
            testing.organisation("association", federation, code=f"BENCH-A{a}", place=unions[a % UNIONS])
            for a in range(ASSOCIATIONS)
        ]
        groups = [
            testing.organisation(
                "group",
                associations[g % ASSOCIATIONS],
                code=f"BENCH-G{g}",
                place=unions[(g % ASSOCIATIONS) % UNIONS],
            )
            for g in range((members + GROUP_SIZE - 1) // GROUP_SIZE)
        ]
    now = datetime.datetime.now(datetime.UTC)
    household_sql = (
        f"INSERT INTO {Household._meta.db_table} "
        "(id, code, area_id, size, income_per_year, children_under_5) VALUES (%s, %s, %s, %s, %s, %s)"
    )
    member_sql = (
        f"INSERT INTO {Member._meta.db_table} ({', '.join(MEMBER_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(MEMBER_COLUMNS))})"
    )
    households, rows, household_id = [], [], 0
    remaining = 0  # members still to place in the current household
    with connection.cursor() as cursor:
        for n in range(members):
            group = groups[n // GROUP_SIZE]
            village = villages[(n // GROUP_SIZE) % len(villages)]
            if remaining == 0:
                household_id += 1
                remaining = 1 if rng.random() < 0.75 else 2
                households.append((household_id, f"BH{household_id:07d}", village.pk, *_household(rng)))
            remaining -= 1
            facts = _member(rng, n, today)
            rows.append((
                f"BM{n:07d}", "", f"Member {n}", facts["sex"], facts["birth_date"], facts["birth_year"],
                facts["phone"], facts["national_id"], facts["ethnicity"], *facts["wg"],
                facts["marital_status"], facts["occupation"], facts["pregnant"], facts["land_owned"],
                facts["land_cultivated"], "[]", group.pk, group.parent_id, village.pk, district.pk,
                household_id if rng.random() < 0.95 else None, today, "", "", "", "", now, now,
            ))  # fmt: skip
            if len(rows) == BATCH:
                _write(cursor, household_sql, households, member_sql, rows)
                households, rows = [], []
                if (n + 1) % 100_000 == 0:
                    print(f"  {n + 1:,} members", flush=True)
        _write(cursor, household_sql, households, member_sql, rows)
        household = Household._meta.db_table
        member = Member._meta.db_table
        with transaction.atomic():
            cursor.execute(
                f"UPDATE {household} SET representative_id = heads.id FROM "
                f"(SELECT household_id, MIN(id) AS id FROM {member} GROUP BY household_id) heads "
                f"WHERE heads.household_id = {household}.id"
            )
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{household}', 'id'), {household_id})")
    _analyze()
    print(f"Written in {time.perf_counter() - started:.0f} s.", flush=True)


def _write(cursor, household_sql: str, households: list, member_sql: str, rows: list) -> None:
    from django.db import transaction

    with transaction.atomic():
        if households:
            cursor.executemany(household_sql, households)
        if rows:
            cursor.executemany(member_sql, rows)


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # needs autocommit: Django's connection is in it here
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def schemes_and_receiving() -> None:
    """The shipped catalogue, and 3 % of members receiving a scheme (once)."""
    from django.db import transaction

    from samiti.access.models import Application, Scheme
    from samiti.access.services.catalogue import load_schemes
    from samiti.registry.models import Member

    load_schemes()
    if Application.objects.exists():
        return
    rng = random.Random(5)
    schemes = list(Scheme.objects.filter(is_active=True).exclude(code="farmer_account"))
    ids = list(Member.objects.values_list("pk", "association_id"))
    today = datetime.date.today()
    taken = rng.sample(ids, len(ids) * 3 // 100)
    with transaction.atomic():
        Application.objects.bulk_create(
            [
                Application(
                    member_id=pk,
                    association_id=association_id,
                    scheme=rng.choice(schemes),
                    status=Application.Status.RECEIVING,
                    identified_on=today,
                    updated_on=today,
                    receiving_since=today,
                )
                for pk, association_id in taken
            ],
            batch_size=5000,
        )
    _analyze()


# ----- measuring ----------------------------------------------------------------------------------


def hand_written_old_age(on: datetime.date) -> tuple[str, list]:
    """The Old Age Allowance's INSERT … SELECT, written by hand: the same rows as ours."""
    from samiti.access.models import Finding
    from samiti.access.rules.facts import ASSUMED_BIRTHDAY, latest_birth_for_age
    from samiti.access.services.screening import KNOWN_INCOME, SHARE_CAP

    def at_least(age: int) -> tuple[str, list]:
        last_year = on.year - age - ((on.month, on.day) < ASSUMED_BIRTHDAY)
        return (
            "(CASE WHEN m.birth_date IS NOT NULL THEN m.birth_date <= %s "
            "WHEN m.birth_year IS NOT NULL THEN m.birth_year <= %s END)",
            [latest_birth_for_age(age, on), last_year],
        )

    women, women_params = at_least(62)
    men, men_params = at_least(65)
    rule = (
        f"((NULLIF(m.sex, '') = 'F' AND {women} OR NULLIF(m.sex, '') = 'M' AND {men}) "
        "AND h.income_per_year < 1000000 AND m.land_owned < 50)"
    )
    rule_params = women_params + men_params
    share = "(CAST(720000 AS BIGINT) * h.size * 10000 / h.income_per_year)"
    rank = (
        "CASE WHEN h.income_per_year IS NULL OR h.size IS NULL OR h.size = 0 THEN 7200 "
        f"WHEN h.income_per_year = 0 THEN {KNOWN_INCOME + SHARE_CAP} "
        f"WHEN {share} > {SHARE_CAP} THEN {KNOWN_INCOME + SHARE_CAP} ELSE {KNOWN_INCOME} + {share} END"
    )
    sql = (
        f"INSERT INTO {Finding._meta.db_table} (member_id, association_id, scheme_id, outcome, priority, "
        "rule_version_id, screening_id, screened_on) "
        f"SELECT m.id, m.association_id, %s, CASE WHEN {rule} THEN 'eligible' ELSE 'cannot_tell' END, "
        f"{rank}, %s, %s, %s "
        "FROM registry_member m LEFT JOIN registry_household h ON h.id = m.household_id "
        f"WHERE m.left_on IS NULL AND ({rule}) IS NOT FALSE "
        "AND NOT EXISTS (SELECT 1 FROM access_application a "
        "WHERE a.member_id = m.id AND a.scheme_id = %s AND a.status = 'receiving')"
    )
    return sql, rule_params


def one_scheme(on: datetime.date) -> dict[str, float]:
    """The Old Age Allowance alone, three ways, each into an emptied findings table (the emptying
    not timed), rolled back: ours (`screen` with only that scheme active: its INSERT … SELECT,
    the counts, the audit), the same INSERT … SELECT written by hand, and a bare copy of every
    member's id."""
    from django.db import connection, transaction

    from samiti.access.models import Finding, Scheme, Screening
    from samiti.access.services.rules import rule_on
    from samiti.access.services.screening import screen
    from samiti.registry.models import Member

    scheme = Scheme.objects.get(code="old_age_allowance")
    version = rule_on(scheme, on)
    table = Finding._meta.db_table
    hand_sql, rule_params = hand_written_old_age(on)
    bare_sql = (
        f"INSERT INTO {table} (member_id, association_id, scheme_id, outcome, priority, "
        "rule_version_id, screening_id, screened_on) "
        "SELECT id, association_id, %s, 'eligible', 0, %s, %s, %s FROM registry_member WHERE left_on IS NULL"
    )
    figures = {}
    for way in ("ours", "hand", "bare"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
            Scheme.objects.exclude(pk=scheme.pk).update(is_active=False)
            reference = Screening.objects.create(on=on, scope="plain SQL")
            started = time.perf_counter()
            if way == "ours":
                ours = screen(Member.objects.all(), on, None, "benchmark, one scheme")
                rows = ours.counts[scheme.code]["eligible"] + ours.counts[scheme.code]["cannot_tell"]
            elif way == "hand":
                params = [scheme.pk, *rule_params, version.pk, reference.pk, on, *rule_params, scheme.pk]
                cursor.execute(hand_sql, params)
                rows = cursor.rowcount
            else:
                cursor.execute(bare_sql, [scheme.pk, version.pk, reference.pk, on])
                rows = cursor.rowcount
            figures[f"{way}_s"] = time.perf_counter() - started
            figures[f"{way}_rows"] = rows
            transaction.set_rollback(True)
    return figures


def worklist_pages() -> dict[str, float]:
    """Seconds of the work list's first page and bounded count, for a programme admin."""
    from samiti.access import queries
    from samiti.access.models import Finding, Scheme
    from samiti.registry.models import Area, Organisation, Role, User

    admin = User(role=Role.PROGRAMME_ADMIN)
    lists = {
        "everyone": {},
        "one group": {"group": Organisation.objects.get(code="BENCH-G7")},
        "one union": {"union": Area.objects.get(code="BENCH-U3")},
        "one scheme": {"scheme": Scheme.objects.get(code="mother_child_benefit")},
        "cannot tell": {"result": Finding.Outcome.CANNOT_TELL},
    }
    figures = {}
    for name, filters in lists.items():
        findings = queries.worklist(admin, **filters)
        started = time.perf_counter()
        items = queries.work_items(queries.page_of(findings, 0, 50))
        count = queries.bounded_count(findings)
        figures[name] = time.perf_counter() - started
        assert items or count == 0
    return figures


def vacuum_findings() -> None:
    """What autovacuum does between two screenings of everyone: the replaced findings' space is
    reused (back to back without it, three runs on PostgreSQL took 44, 62 and 70 s)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE access_finding")


def run(on: datetime.date) -> dict:
    from samiti.access.services.screening import screen
    from samiti.registry.models import Member

    started, cpu = time.perf_counter(), time.process_time()
    screening = screen(Member.objects.all(), on, None, "benchmark")
    total = time.perf_counter() - started
    # CPU seconds of this process: on a machine shared with other work the wall clock waits for
    # the processor too (on PostgreSQL the work is the server's, so only the wall clock counts).
    return {"total_s": total, "cpu_s": time.process_time() - cpu, "screening": screening}


def measure(label: str, runs: int) -> None:
    from django.db import connection

    on = datetime.date.today()
    print(f"\n{label}: the Old Age Allowance alone, three ways ({runs} runs)...", flush=True)
    # First: its rolled-back screenings would leave PostgreSQL's row estimates behind them
    # (ANALYZE writes the table's size in place, outside the transaction).
    singles = [one_scheme(on) for _ in range(runs)]
    print(f"{label}: screening ({runs} runs)...", flush=True)
    results = []
    for i in range(runs):
        if connection.vendor == "postgresql":
            vacuum_findings()
        results.append(run(on))
        print(
            f"  run {i + 1}: {results[-1]['total_s']:.1f} s, {results[-1]['cpu_s']:.1f} s of CPU", flush=True
        )
    screening = results[-1]["screening"]
    seconds = {
        code: statistics.median(r["screening"].counts[code]["seconds"] for r in results)
        for code in screening.counts
    }
    total = statistics.median(r["total_s"] for r in results)
    cpu = statistics.median(r["cpu_s"] for r in results)
    pages = worklist_pages()
    ours_one, hand, bare = (
        statistics.median(f[key] for f in singles) for key in ("ours_s", "hand_s", "bare_s")
    )
    assert singles[0]["hand_rows"] == singles[0]["ours_rows"], "the hand-written SQL disagrees with ours"

    findings = sum(c["eligible"] + c["cannot_tell"] for c in screening.counts.values())
    print(
        f"\n{label} ({connection.vendor}): {screening.members:,} active members, 12 schemes, "
        f"{findings:,} findings; medians of {runs} runs"
    )
    print(f"  {'scheme':<26} {'eligible':>9} {'cannot tell':>11} {'receiving':>9} {'seconds':>8}")
    for code, taken in seconds.items():
        c = screening.counts[code]
        print(f"  {code:<26} {c['eligible']:>9,} {c['cannot_tell']:>11,} {c['receiving']:>9,} {taken:>8.2f}")
    print(
        f"  ours, all 12 schemes:            {total:7.1f} s  ({screening.members / total:,.0f} members/s, "
        f"{screening.members * 12 / total:,.0f} member-schemes/s)"
    )
    if connection.vendor == "sqlite":  # on PostgreSQL the work is the server's
        print(f"  ours, CPU time of this process:  {cpu:7.1f} s  (load average {os.getloadavg()[0]:.1f})")
    print(f"  Old Age Allowance alone ({singles[0]['hand_rows']:,} findings), from an empty table:")
    print(f"    ours, screen():                {ours_one:7.2f} s")
    print(f"    plain SQL, written by hand:    {hand:7.2f} s  (ratio ours / plain {ours_one / hand:.2f})")
    print(f"    plain SQL, bare copy of ids:   {bare:7.2f} s  ({singles[0]['bare_rows']:,} rows, no rule)")
    for name, taken in pages.items():
        print(f"  work list, {name + ':':<22}{taken * 1000:7.0f} ms (first page of 50 and the count)")


def main() -> None:
    args = parse()
    if args.phase == "postgres":
        setup_django(args.postgres)
        create_postgres_database(args.postgres, args.rebuild)
        build(args.members)
        schemes_and_receiving()
        measure("PostgreSQL", args.runs)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = sqlite_path(args.members)
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    setup_django(f"sqlite:///{path}")
    build(args.members)
    schemes_and_receiving()
    measure("SQLite", args.runs)
    if args.postgres:
        # A process of its own: Django reads DATABASE_URL once, at setup.
        command = [sys.executable, __file__, "--phase", "postgres", *sys.argv[1:]]
        subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


if __name__ == "__main__":
    main()
