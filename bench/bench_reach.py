"""Reach at a million members: results.queries.reach() against a hand-written GROUP BY.

    python bench/bench_reach.py                 # SQLite, 1,000,000 members, 5 runs
    python bench/bench_reach.py --postgres      # and the same data on PostgreSQL
    python bench/bench_reach.py --members 100000 --runs 3

The SQLite database is built once with the demo command (all writes through
services.bulk_register_members) and cached in bench/out/ (gitignored); building a million
members takes a quarter of an hour on two cores. For PostgreSQL the same rows are copied from
that file with COPY into a database of its own (`bench_reach` by default, created if missing,
never the one the test suite uses), then VACUUM ANALYZE lets the planner use index-only scans.

Prints the median of each measurement and the ratio ours / plain SQL (target: at most 1.5).
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# Two ways to write the counts by hand; the ratio is taken against the faster.
PLAIN_SQL = {
    "COUNT(*) FILTER": """
        SELECT district_id, association_id, COUNT(*),
               COUNT(*) FILTER (WHERE sex = 'F'),
               COUNT(*) FILTER (WHERE is_ethnic_minority),
               COUNT(*) FILTER (WHERE has_disability)
        FROM registry_member
        WHERE is_active = {true}
        GROUP BY district_id, association_id
    """,
    "SUM(CASE WHEN)": """
        SELECT district_id, association_id, COUNT(*),
               SUM(CASE WHEN sex = 'F' THEN 1 ELSE 0 END),
               SUM(CASE WHEN is_ethnic_minority THEN 1 ELSE 0 END),
               SUM(CASE WHEN has_disability THEN 1 ELSE 0 END)
        FROM registry_member
        WHERE is_active = {true}
        GROUP BY district_id, association_id
    """,
}
# Tables the reach page reads, parents first; the rest of the demo (audit rows, offices) is not
# needed to measure it.
COPIED = ["registry_area", "registry_organisation", "registry_household", "registry_member", "results_target"]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="also measure on PostgreSQL")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/bench_reach")
    parser.add_argument("--rebuild", action="store_true", help="build the cached databases again")
    parser.add_argument("--phase", choices=["sqlite", "postgres"], default="sqlite", help=argparse.SUPPRESS)
    return parser.parse_args()


def sqlite_path(members: int) -> Path:
    label = "1m" if members == 1_000_000 else str(members)
    return OUT / f"reach-{label}.sqlite3"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samiti.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def medians(functions: dict[str, Callable[[], Any]], runs: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Run each function `runs` times, taking turns so a busy machine slows all alike."""
    results = {name: function() for name, function in functions.items()}  # warm the caches
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            started = time.perf_counter()
            results[name] = function()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(t) for name, t in times.items()}, results


def build_sqlite(path: Path, members: int, rebuild: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    if rebuild and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_member")
        have = cursor.fetchone()[0]
    if have >= members:
        print(f"Reusing {path.relative_to(ROOT)} ({have:,} members).")
        return
    print(f"Building {members:,} members in {path.relative_to(ROOT)} with the demo command...")
    started = time.perf_counter()
    call_command("demo", members=members, force=True)
    print(f"Built in {time.perf_counter() - started:.0f} s.")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def measure(label: str, runs: int, plain: dict[str, Callable[[], list[tuple]]]) -> None:
    from samiti.registry.models import Role, User
    from samiti.results import queries

    admin = User.objects.filter(role=Role.PROGRAMME_ADMIN).first() or User(role=Role.PROGRAMME_ADMIN)
    times, results = medians(
        {
            **{f"plain SQL, {name}": function for name, function in plain.items()},
            "ours: reach_counts(), the ORM query": lambda: queries.reach_counts(admin),
            "ours: reach(), + names, targets, rows": lambda: queries.reach(admin),
        },
        runs,
    )
    counts = results["ours: reach_counts(), the ORM query"]
    ours = sorted((d, a, *vars(c).values()) for d, a, c in counts)
    for name in plain:
        theirs = sorted(tuple(int(v) for v in row) for row in results[f"plain SQL, {name}"])
        assert ours == theirs, f"ours and plain SQL ({name}) disagree"
    total = results["ours: reach(), + names, targets, rows"].total
    assert total.members == sum(r[2] for r in ours)

    print(f"\n{label}: {total.members:,} active members in {len(ours):,} district × association rows")
    print(f"  medians of {runs} runs:")
    for name, seconds in times.items():
        print(f"  {name:<40} {seconds * 1000:8.1f} ms")
    best_plain = min(times[f"plain SQL, {name}"] for name in plain)
    ratio = times["ours: reach(), + names, targets, rows"] / best_plain
    print(f"  ratio reach() / fastest plain SQL: {ratio:.2f} (target ≤ 1.5)")


def explain(connection_cursor: Any, sql: str, vendor: str) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN (COSTS OFF) "
    connection_cursor.execute(prefix + sql)
    return [str(row[-1]) for row in connection_cursor.fetchall()]


def print_plans(vendor: str, plain_cursor: Any, plain_sql: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samiti.registry.models import Role, User
    from samiti.results import queries

    admin = User.objects.filter(role=Role.PROGRAMME_ADMIN).first() or User(role=Role.PROGRAMME_ADMIN)
    with CaptureQueriesContext(connection) as captured:
        queries.reach_counts(admin)
    with connection.cursor() as cursor:
        ours_sql = captured[0]["sql"]
        print(f"  plan, ours:  {' | '.join(explain(cursor, ours_sql, vendor))}")
    print(f"  plan, plain: {' | '.join(explain(plain_cursor, plain_sql, vendor))}")


def _runners(connection: Any, queries: dict[str, str]) -> dict[str, Callable[[], list[tuple]]]:
    return {name: (lambda sql=sql: connection.execute(sql).fetchall()) for name, sql in queries.items()}


def run_sqlite(args: argparse.Namespace) -> None:
    path = sqlite_path(args.members)
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(f"sqlite:///{path}")
    build_sqlite(path, args.members, args.rebuild)
    plain_connection = sqlite3.connect(path)
    plain = {name: sql.format(true="1") for name, sql in PLAIN_SQL.items()}
    measure("SQLite", args.runs, _runners(plain_connection, plain))
    print_plans("sqlite", plain_connection.cursor(), plain["COUNT(*) FILTER"])
    plain_connection.close()


def copy_to_postgres(sqlite_file: Path, url: str, rebuild: bool) -> None:
    """Create the PostgreSQL database if needed and fill it from the SQLite file with COPY."""
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            admin.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_member")
        have = cursor.fetchone()[0]
    source = sqlite3.connect(sqlite_file)
    wanted = source.execute("SELECT COUNT(*) FROM registry_member").fetchone()[0]
    if have == wanted:
        print(f"Reusing PostgreSQL database {name} ({have:,} members).")
        return
    print(f"Copying {wanted:,} members from {sqlite_file.name} to PostgreSQL database {name}...")
    started = time.perf_counter()
    from django.apps import apps

    models = {m._meta.db_table: m for m in apps.get_models()}
    with psycopg.connect(url) as target:
        target.execute(f"TRUNCATE {', '.join(COPIED)} CASCADE")
        for table in COPIED:
            model = models[table]
            fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
            columns = [f.column for f in fields]
            booleans = {i for i, f in enumerate(fields) if f.get_internal_type() == "BooleanField"}
            quoted = ", ".join(f'"{c}"' for c in columns)
            with target.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {quoted} FROM {table}"):
                    if booleans:
                        row = tuple(
                            bool(v) if i in booleans and v is not None else v for i, v in enumerate(row)
                        )
                    copy.write_row(row)
            target.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}"
            )
        target.commit()
    with psycopg.connect(url, autocommit=True) as target:
        target.execute("VACUUM ANALYZE")
    print(f"Copied in {time.perf_counter() - started:.0f} s.")


def run_postgres(args: argparse.Namespace) -> None:
    import psycopg

    setup_django(args.postgres_url)
    try:
        copy_to_postgres(sqlite_path(args.members), args.postgres_url, args.rebuild)
    except psycopg.OperationalError as error:
        print(f"\nPostgreSQL not reachable at {args.postgres_url}: {error}")
        return
    from samiti.registry.models import Role, User

    if not User.objects.filter(role=Role.PROGRAMME_ADMIN).exists():
        User.objects.create(username="bench-admin", role=Role.PROGRAMME_ADMIN)
    plain_connection = psycopg.connect(args.postgres_url)
    plain = {name: sql.format(true="true") for name, sql in PLAIN_SQL.items()}
    measure("PostgreSQL", args.runs, _runners(plain_connection, plain))
    print_plans("postgresql", plain_connection.cursor(), plain["COUNT(*) FILTER"])
    plain_connection.close()


def main() -> None:
    args = parse()
    if args.phase == "postgres":
        run_postgres(args)
        return
    run_sqlite(args)
    if args.postgres:
        # A process of its own: Django reads DATABASE_URL once, at setup.
        command = [sys.executable, __file__, "--phase", "postgres", *sys.argv[1:]]
        subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


if __name__ == "__main__":
    main()
