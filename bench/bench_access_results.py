"""The results of access to services and the services home page over a million members.

    python bench/bench_access_results.py                      # SQLite, 1,000,000 members, 3 runs
    python bench/bench_access_results.py --postgres postgres://postgres@127.0.0.1:5432/bench_access
    python bench/bench_access_results.py --members 100000

The register is bench_screening's (same builder, a database of its own: bench/out/access-*.sqlite3
or the PostgreSQL database named). On it: 100,000 applications (one member in ten) spread over
the twelve shipped schemes and every status, identified through 2026 and receiving some weeks
later; 500,000 findings (one member in four, two schemes each, 80 % likely eligible); 5,000
grievances and 20,000 referrals. Each run times `reports.results` for the year and
`reports.overview`, for the programme admin (no scope filter), an association leader (one of 50
associations) and a facilitator of the district (the whole register through the area filter);
and, beside them, the newly-receiving GROUP BY written by hand in plain SQL. Medians of the runs.

Measured on the development machine (2 cores shared with other engineers' tests, load about 4,
so figures vary by half between runs; the plain-SQL line shows the machine's state), 1,000,000
members all in one district (so the district's facilitator sees every one), medians of 3:

                                             SQLite    PostgreSQL
    plain SQL: newly receiving GROUP BY      0.14 s    0.18-0.41 s
    results, programme admin                 0.55 s    0.49-1.06 s
    home, programme admin                    0.29 s    0.26-0.54 s
    results, association leader              0.20 s    0.25-0.53 s
    home, association leader                 0.18 s    0.17-0.32 s
    results, district facilitator            1.65 s    1.32-2.41 s
    home, district facilitator               1.24 s    1.16-1.72 s

On PostgreSQL, run ANALYZE on a new database before the register's household update, or its
planner walks the member index once per household.
"""

import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_screening as register

ROOT = register.ROOT
YEAR = 2026


def populate() -> None:
    """Applications, findings, grievances and referrals, written once with executemany."""
    from django.db import connection, transaction

    from samiti.access.models import (
        Application,
        Finding,
        Grievance,
        GrievanceCategory,
        Referral,
        RuleVersion,
        Scheme,
        Screening,
    )
    from samiti.access.services.catalogue import load_schemes
    from samiti.registry.models import Member

    load_schemes()
    if Application.objects.exists():
        print("Reusing the applications.", flush=True)
        return
    started = time.perf_counter()
    rng = random.Random(7)
    schemes = list(Scheme.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    versions = {
        pk: RuleVersion.objects.get_or_create(scheme_id=pk, valid_from=datetime.date(2026, 1, 1),
                                              defaults={"text": "age >= 18"})[0].pk
        for pk in schemes
    }  # fmt: skip
    screening = Screening.objects.create(on=datetime.date(2026, 6, 1), scope="bench")
    category = GrievanceCategory.objects.first() or GrievanceCategory.objects.create(
        code="delay", name_en="Delay", resolution_days=30
    )
    members = list(Member.objects.order_by("pk").values_list("pk", "association_id"))
    statuses = ["receiving"] * 3 + ["rejected", "identified", "documents_ready", "submitted", "stopped"]
    reasons = ["not_eligible", "documents", "quota_full", "not_listed", "age_proof"]
    applications, findings, referrals = [], [], []
    start = datetime.date(YEAR, 1, 1)
    for n, (pk, association) in enumerate(members):
        if n % 10 == 0:
            status = rng.choice(statuses)
            identified = start + datetime.timedelta(days=rng.randint(0, 300))
            since = identified + datetime.timedelta(days=int(rng.expovariate(1 / 60)))
            received = status in ("receiving", "stopped")
            applications.append((
                pk, schemes[n // 10 % len(schemes)], association, status, identified,
                since if received else None, identified if status == "rejected" else None,
                rng.choice(reasons) if status == "rejected" else "", identified, "", "", "",
                datetime.datetime.now(datetime.UTC),
            ))  # fmt: skip
        if n % 4 == 1:
            for scheme in rng.sample(schemes, 2):
                outcome = "eligible" if rng.random() < 0.8 else "cannot_tell"
                findings.append(
                    (pk, scheme, association, outcome, versions[scheme], screening.pk, screening.on, 0)
                )
        if n % 50 == 3:
            status = rng.choice(["referred", "received", "not_received"])
            referrals.append((pk, rng.choice(schemes), association, start, status, "", "", ""))
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(Application._meta.db_table)} (member_id, scheme_id, association_id, status, "
            "identified_on, receiving_since, decided_on, rejection_reason, updated_on, submitted_where, "
            f"submitted_to, rejection_note, created_at) VALUES ({', '.join(['%s'] * 13)})",
            applications,
        )
        cursor.executemany(
            f"INSERT INTO {quote(Finding._meta.db_table)} (member_id, scheme_id, association_id, outcome, "
            "rule_version_id, screening_id, screened_on, priority) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            findings,
        )
        cursor.executemany(
            f"INSERT INTO {quote(Referral._meta.db_table)} (member_id, service_id, association_id, "
            "referred_on, status, referred_to, reason, outcome_note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            referrals,
        )
    rejected = list(Application.objects.filter(status="rejected").values_list("pk", "association_id")[:5000])
    Grievance.objects.bulk_create(
        [
            Grievance(application_id=pk, association_id=association, category=category, description="bench",
                      opened_on=start, due_on=start + datetime.timedelta(days=rng.randint(0, 400)))
            for pk, association in rejected
        ],
        batch_size=5000,
    )  # fmt: skip
    register._analyze()
    print(
        f"Wrote {len(applications):,} applications, {len(findings):,} findings, {len(referrals):,} referrals "
        f"and {len(rejected):,} grievances in {time.perf_counter() - started:.0f} s.",
        flush=True,
    )


def users() -> dict:
    from samiti.registry.models import Area, Organisation, Role, User

    def user(name: str, role: str, **scope) -> User:
        found, _created = User.objects.get_or_create(username=name, defaults={"role": role, **scope})
        return found

    return {
        "programme admin": user("bench-admin", Role.PROGRAMME_ADMIN),
        "association leader": user(
            "bench-leader", Role.ASSOCIATION_LEADER, organisation=Organisation.objects.get(code="BENCH-A0")
        ),
        "district facilitator": user(
            "bench-facilitator", Role.FACILITATOR, area=Area.objects.get(code="BENCH-DIS")
        ),
    }


def plain_newly_receiving(start: datetime.date, end: datetime.date) -> int:
    """The newly-receiving split written by hand: one GROUP BY over applications and members."""
    from django.db import connection

    sql = (
        "SELECT a.scheme_id, m.sex, m.ethnicity, m.district_id, m.has_disability, "
        "COUNT(DISTINCT a.member_id) "
        "FROM access_application a JOIN registry_member m ON m.id = a.member_id "
        "WHERE a.receiving_since BETWEEN %s AND %s GROUP BY 1, 2, 3, 4, 5"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end])
        return len(cursor.fetchall())


def measure(database: str, runs: int) -> None:
    from samiti.access import reports

    within = reports.period(kind="year", year=YEAR)
    timings: dict[str, list[float]] = {}

    def clock(label: str, call) -> None:
        started = time.perf_counter()
        call()
        timings.setdefault(label, []).append(time.perf_counter() - started)

    people = users()
    for _run in range(runs):
        clock("plain SQL: newly receiving GROUP BY", lambda: plain_newly_receiving(within.start, within.end))
        for name, user in people.items():
            clock(f"results, {name}", lambda user=user: reports.results(user, within))
            clock(f"home, {name}", lambda user=user: reports.overview(user))
    print(f"{database}, medians of {runs} runs:")
    for label, seconds in timings.items():
        print(f"  {label:<40} {statistics.median(seconds):7.3f} s")


def main() -> None:
    args = register.parse()
    if args.phase == "postgres":
        register.setup_django(args.postgres)
        register.create_postgres_database(args.postgres, args.rebuild)
        register.build(args.members)
        populate()
        measure("PostgreSQL", args.runs)
        return
    register.OUT.mkdir(parents=True, exist_ok=True)
    path = register.OUT / f"access-{'1m' if args.members == 1_000_000 else args.members}.sqlite3"
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    register.setup_django(f"sqlite:///{path}")
    register.build(args.members)
    populate()
    measure("SQLite", args.runs)
    if args.postgres:
        command = [sys.executable, __file__, "--phase", "postgres", *sys.argv[1:]]
        subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


if __name__ == "__main__":
    main()
