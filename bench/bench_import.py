"""Benchmark the member import (preview + write) against the plain-SQL insert rate.

Generates member files like a field team's (Bengali and Latin names, phones, ~30% with national
IDs, villages, households, some Bengali digits) across 300 groups in 100 unions, imports them
into a fresh database as `manage.py import_members` does, and prints rows per second and memory
for each size, so one can see that memory does not grow with the file. Each size runs in its own
process, so its peak resident memory (ru_maxrss) is its own.

    .venv/bin/python bench/bench_import.py                 # 10,000 and 100,000 rows, SQLite
    .venv/bin/python bench/bench_import.py --sizes 20000   # other sizes
    .venv/bin/python bench/bench_import.py --postgres postgres://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/bench_import.py --profile       # cProfile of one 10,000-row import
    .venv/bin/python bench/bench_import.py --sqlite-share  # also: the import's SQL alone, replayed

PostgreSQL runs in its own database (samiti_bench_import) on the server of the URL given.

Columns: preview/s = the preview pass alone (nothing written); write/s = the import pass (what
`import_members` does: check and write, all rows new); both/s = the web page's preview followed
by the import; again/s = the same file imported a second time (all unchanged, nothing written);
update/s = a file in which every member's land changed (all updated, audited); rss Δ = growth of
the process's peak resident memory during preview + import; heap = tracemalloc's peak of Python
allocations for the same; plain SQL/s = one executemany INSERT of the same rows into the member
table; ORM/s = the same rows as Member objects through bulk_create (batches of 1,000). The ratios
to both are printed under each row: this machine's speed changes by a factor of two from hour to
hour, the ratios much less.

Measured 2026-11-30 on the 2-core development machine (SQLite, WAL) in a quiet hour, when plain
SQL ran at the reference machine's speed (DESIGN.md: ~115,000/s); medians of three runs, and the
code as it was before the import's hot paths were reworked, measured the same hour (at 100,000
rows one run):

       rows  preview/s  write/s  both/s  again/s  update/s  rss Δ MB  heap MB  plain SQL/s  ORM/s  write/plain
    before
     10,000     15,879    7,395   5,120   11,208     5,718      21.0     12.9      110,205  9,384        0.068
    100,000     16,660    6,160   4,497    8,727     4,699      34.6     14.3       55,923  8,198        0.110
    after
     10,000     28,485   12,497   8,686   17,909     7,527      23.6     14.7      108,513  8,756        0.114
    100,000     26,327    9,664   7,187   12,059     5,817      39.3     16.7       60,047  8,111        0.169

(The 2026-11-29 figures, in a slow hour: write 2,002/s against plain SQL 49,405/s, 0.041.)

Then each SQLite connection was given a 64 MB page cache (settings.py; SQLite's default is
2 MB), so the member table's eleven indexes stay in memory while 100,000 rows go in. Same quiet
hour, 2026-11-30, medians of three runs at 100,000 rows and two at 10,000 (one run of the code
just before: write 10,258/s at 100,000 rows):

       rows  preview/s  write/s  both/s  again/s  update/s  rss Δ MB  heap MB  plain SQL/s  ORM/s  write/plain
     10,000     31,175   13,550   9,441   20,755     8,843      34.0     14.7      114,482  9,670        0.119
    100,000     30,923   11,454   8,358   14,457     6,628     105.0     16.7       93,600  9,041        0.122

Issue #2 asks for 10,000 rows/s importing 100,000 rows on SQLite: 11,454/s when this machine
runs at the reference machine's speed. The resident memory grows by the page cache (bounded at
64 MB), the Python heap stays flat.

The import pass now writes 1.4 times as many rows a second as a bare bulk_create of the same
rows, while it also reads and checks every cell, matches rows to existing members, looks for
duplicates, adds households and villages and writes an audit row per member. Its ratio to plain
SQL, 0.114 at 10,000 rows, is ~5,600 rows/s in this machine's slow hours (plain SQL ~49,000/s)
and ~13,000 rows/s on the reference machine. Issue #2's 10,000 rows/s, set when plain SQL ran at
49,000/s, is a ratio of 0.20: not reached, and out of reach while the import writes what it
writes, as the next figures show.

The SQL alone (--sqlite-share: every statement of the import pass replayed on a fresh copy, and
the temporary file timed apart), 10,000 rows, medians: 30 µs/row for the statements (member rows,
36 columns under 11 indexes: 14 µs, where plain SQL's 21-column row takes 9; the audit row of each
member: 7.6; households, lookups by key, the commit: the rest) and 6 µs/row for the temporary
file, 36 of the 85 µs a row takes (42%). With no Python at all the import would write ~28,000
rows/s, 0.26 of plain SQL; at 100,000 rows 0.33.

Where the other ~49 µs/row go (import pass, 10,000 new rows, wall clock by stage): reading the
file and its 21 cells ~12.5 (each distinct cell of a column read once); matching, villages,
households, duplicate checks and numbering ~14; the member rows, their derived fields and the
audit rows' changes and JSON ~12; the entries of the temporary file ~2; groups and villages read
once ~2.5; the garbage collector, paused during an import, no longer ~6.

Memory: the Python heap peak stays flat (15 MB for 10,000 rows, 17 MB for 100,000: up to 4,096
distinct cells of a column are remembered); what the file says row by row lives in a temporary
SQLite file, not in memory.
"""

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UNIONS = 100  # 5 districts x 4 upazilas x 5 unions
GROUPS_PER_UNION = 3
VILLAGES_PER_UNION = 8
HEADERS = [
    "group_code", "name_bn", "name_en", "লিঙ্গ", "birth_date", "birth_year", "age", "মোবাইল", "nid",
    "ethnicity", "wg_seeing", "wg_walking", "land_owned", "land_cultivated", "main_crops", "village",
    "household_code", "household_size", "joined_on", "consent_on", "consent_method",
]  # fmt: skip


def _django(database_url: str) -> None:
    os.environ["DEBUG"] = "0"  # with DEBUG on, Django keeps every query's SQL: memory would grow
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "samiti.settings"
    import django

    django.setup()


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(part.strip() for part in pair.split("=")) for pair in text.strip().split(";")]


# Names as people in the programme districts write them, in Latin and in Bengali script.
FEMALE = _pairs("""Rahima = রহিমা; Amena = আমেনা; Fatema = ফাতেমা; Jorina = জরিনা; Shefali = শেফালী; Salma = সালমা;
    Kulsum = কুলসুম; Rokeya = রোকেয়া; Morjina = মর্জিনা; Nasima = নাসিমা; Rina = রিনা; Shahana = শাহানা;
    Hasina = হাসিনা; Parul = পারুল; Anowara = আনোয়ারা; Khadija = খাদিজা; Sufia = সুফিয়া; Rabeya = রাবেয়া;
    Laily = লাইলী; Bilkis = বিলকিস; Asma = আসমা; Nurjahan = নুরজাহান; Lipi = লিপি; Moni = মনি;
    Shilpi = শিল্পী; Anjali = অঞ্জলি; Kalpana = কল্পনা; Sabita = সবিতা; Minati = মিনতি; Dipali = দিপালী;
    Sandhya = সন্ধ্যা; Mita = মিতা; Sumi = সুমি; Jharna = ঝর্ণা; Putul = পুতুল""")
MALE = _pairs("""Abdul Karim = আব্দুল করিম; Rafiqul = রফিকুল; Shafiqul = শফিকুল; Aminul = আমিনুল; Jamal = জামাল;
    Kamal = কামাল; Shahidul = শহিদুল; Jahangir = জাহাঙ্গীর; Alamgir = আলমগীর; Anwar = আনোয়ার; Babul = বাবুল;
    Motaleb = মোতালেব; Nurul Islam = নুরুল ইসলাম; Habibur = হাবিবুর; Mizanur = মিজানুর; Sirajul = সিরাজুল;
    Abul Kalam = আবুল কালাম; Harun = হারুন; Sukumar = সুকুমার; Nitai = নিতাই; Gopal = গোপাল; Haridas = হরিদাস;
    Shyamal = শ্যামল; Bimal = বিমল; Ratan = রতন; Subol = সুবল; Ramesh = রমেশ; Dilip = দিলীপ""")
SURNAMES = _pairs("""Begum = বেগম; Khatun = খাতুন; Akter = আক্তার; Bibi = বিবি; Nesa = নেসা; Islam = ইসলাম;
    Uddin = উদ্দিন; Mia = মিয়া; Hossain = হোসেন; Rahman = রহমান; Ali = আলী; Sheikh = শেখ; Mondol = মন্ডল;
    Sarkar = সরকার; Pramanik = প্রামানিক; Roy = রায়; Das = দাস; Barman = বর্মন; Sarker = সরকার;
    Marak = মারাক; Sangma = সাংমা; Hembrom = হেমব্রম; Murmu = মুর্মু; Hajong = হাজং; Tudu = টুডু""")
ROOTS = _pairs("""Ram = রাম; Shib = শিব; Hari = হরি; Gopal = গোপাল; Kamal = কমল; Fakir = ফকির; Kazi = কাজী;
    Sultan = সুলতান; Hamid = হামিদ; Karim = করিম; Sona = সোনা; Ghosh = ঘোষ; Kadam = কদম; Shimul = শিমুল""")
SUFFIXES = _pairs("pur = পুর; nagar = নগর; ganj = গঞ্জ; para = পাড়া; danga = ডাঙ্গা; kandi = কান্দি")


def village_name(union: int, n: int) -> tuple[str, str]:
    root = ROOTS[(union * 7 + n) % len(ROOTS)]
    suffix = SUFFIXES[(union + n) % len(SUFFIXES)]
    return f"{root[0]}{suffix[0]} {n + 1}", f"{root[1]}{suffix[1]} {n + 1}"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write a member file of `rows` rows, as a field team's spreadsheet might be."""
    rng = random.Random(seed)
    female, male, surnames = FEMALE, MALE, SURNAMES
    bengali_digits = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
    phones: set[str] = set()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADERS)
        household = None  # (code, size, union, group number) of the household being listed
        phone = ""
        for i in range(rows):
            # The members of one household live in one union and belong to one of its groups.
            if household is None or rng.random() < 0.4:
                union, group_number = rng.randrange(UNIONS), rng.randrange(GROUPS_PER_UNION)
                household = None
                if rng.random() < 0.6:
                    household = (f"HH{union:03d}-{i:06d}", str(rng.randrange(2, 9)), union, group_number)
                phone = ""
            else:
                union, group_number = household[2], household[3]
            group = f"BG{union:03d}{group_number}"
            sex = rng.choices("FMT", weights=(55, 44, 1))[0]
            first = rng.choice(female if sex == "F" else male)
            last = rng.choice(surnames)
            title = ("Mst.", "মোছাঃ") if sex == "F" and rng.random() < 0.4 else ("", "")
            name_en = " ".join(p for p in (title[0], first[0], last[0]) if p)
            name_bn = " ".join(p for p in (title[1], first[1], last[1]) if p)
            script = rng.random()
            if script < 0.25:
                name_en = ""
            elif script < 0.5:
                name_bn = ""
            year = rng.randrange(1950, 2006)
            birth = rng.random()
            birth_date = (
                f"{rng.randrange(1, 29):02d}/{rng.randrange(1, 13):02d}/{year}" if birth < 0.4 else ""
            )
            birth_year = str(year) if 0.4 <= birth < 0.8 else ""
            age = str(2025 - year) if birth >= 0.8 else ""
            if not phone or rng.random() > 0.1:  # a few in a household share one phone
                while True:
                    phone = f"01{rng.choice('3456789')}{rng.randrange(10**8):08d}"
                    if phone not in phones:
                        phones.add(phone)
                        break
            shown_phone = phone if rng.random() < 0.9 else ""
            nid = ""
            if rng.random() < 0.3:
                digits = rng.choice((10, 13, 17))
                nid = str(rng.randrange(10 ** (digits - 1), 10**digits))
            village = village_name(union, rng.randrange(VILLAGES_PER_UNION))
            village_text = village[0] if rng.random() < 0.5 else village[1]
            if rng.random() < 0.005:
                village_text = f"Notun Para {rng.randrange(3)}"
            crops = "; ".join(
                rng.sample(["rice", "jute", "potato", "vegetables", "ধান", "পাট"], rng.randrange(0, 3))
            )
            row = [
                group, name_bn, name_en, rng.choice(("F", "female", "মহিলা")) if sex == "F" else
                rng.choice(("M", "male", "পুরুষ")) if sex == "M" else "হিজড়া",
                birth_date, birth_year, age, shown_phone, nid,
                rng.choice(("", "", "", "bengali", "garo", "সাঁওতাল")),
                rng.choice(("", "", "1", "2", "3")), rng.choice(("", "", "1", "4")),
                str(rng.randrange(0, 300)), str(rng.randrange(0, 400)), crops, village_text,
                household[0] if household else "", household[1] if household else "",
                f"{rng.randrange(2023, 2026)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                "", rng.choice(("", "signed", "thumbprint", "টিপসই")),
            ]  # fmt: skip
            if rng.random() < 0.1:  # typed with a Bengali keyboard
                row = [cell.translate(bengali_digits) for cell in row]
            out.writerow(row)


def setup_database() -> None:
    """Migrate, then add the area tree, 300 groups and an admin account."""
    from django.core.management import call_command

    from samiti.registry import services
    from samiti.registry.models import Area, Organisation, Role, User

    call_command("migrate", verbosity=0)
    division = services.save_area(Area(level="division", code="BD", name_en="Division"))
    for d in range(5):
        district = services.save_area(
            Area(level="district", code=f"BD{d}", name_en=f"District {d}", parent=division)
        )
        federation = Organisation.objects.create(
            kind="federation", code=f"BF{d}", name_en=f"Fed {d}", area=district
        )
        for u in range(4):
            upazila = services.save_area(
                Area(level="upazila", code=f"BD{d}{u}", name_en=f"Upazila {d}{u}", parent=district)
            )
            association = Organisation.objects.create(
                kind="association", code=f"BA{d}{u}", name_en=f"Assoc {d}{u}", area=upazila, parent=federation
            )
            for n in range(5):
                number = (d * 4 + u) * 5 + n
                union = services.save_area(
                    Area(level="union", code=f"BU{number:03d}", name_en=f"Union {number}", parent=upazila)
                )
                for v in range(VILLAGES_PER_UNION):
                    name_en, name_bn = village_name(number, v)
                    services.save_area(
                        Area(
                            level="village",
                            code=f"BU{number:03d}V{v}",
                            name_en=name_en,
                            name_bn=name_bn,
                            parent=union,
                        )
                    )
                for g in range(GROUPS_PER_UNION):
                    Organisation.objects.create(
                        kind="group", code=f"BG{number:03d}{g}", name_en=f"Group {number}-{g}", area=union,
                        parent=association,
                    )  # fmt: skip
    User.objects.create(username="bench", role=Role.PROGRAMME_ADMIN)


def child(args: argparse.Namespace) -> None:
    """One measured run in a fresh process: print a JSON line of figures."""
    _django(args.database)
    if args.setup:
        setup_database()
        return
    import tracemalloc

    from django.db import connection

    from samiti.core.bengali import to_latin_digits
    from samiti.core.models import AuditEvent
    from samiti.registry import importing
    from samiti.registry.models import Member, User

    user = User.objects.get(username="bench")
    path = Path(args.file)
    with importing.open_table(path) as table:
        mapping = importing.guess_mapping(table.headers)
    figures: dict = {"rows": args.rows}
    if args.plain_sql:
        figures["plain_sql"] = plain_sql_rate(path, connection)
        print(json.dumps(figures))
        return
    if args.orm:
        figures["orm"] = plain_sql_rate(path, connection, orm=True)
        print(json.dumps(figures))
        return
    if args.replay:
        figures.update(sqlite_share(path, mapping, user, Path(args.replay)))
        print(json.dumps(figures))
        return
    if args.tracemalloc:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    preview = importing.run_import(path=path, mapping=mapping, user=user)
    previewed = time.perf_counter()
    if args.profile:  # the import pass only: the preview runs the same code but writes nothing
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    result = importing.run_import(path=path, mapping=mapping, user=user, apply=True, good_rows_only=True)
    applied = time.perf_counter()
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            40
        )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.tracemalloc:
        figures["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    audits = AuditEvent.objects.count()
    again_started = time.perf_counter()
    again = importing.run_import(path=path, mapping=mapping, user=user, apply=True, good_rows_only=True)
    again_done = time.perf_counter()
    again_wrote_audit = AuditEvent.objects.count() - audits
    changed = path.with_name(f"changed-{path.name}")
    with (
        open(path, encoding="utf-8", newline="") as source,
        open(changed, "w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.reader(source), csv.writer(out)
        header = next(reader)
        writer.writerow(header)
        land = header.index("land_owned")
        for row in reader:  # every member's land changes: every row is an update
            row[land] = str(int(to_latin_digits(row[land]) or 0) + 1)
            writer.writerow(row)
    update_started = time.perf_counter()
    updated = importing.run_import(path=changed, mapping=mapping, user=user, apply=True, good_rows_only=True)
    update_done = time.perf_counter()
    figures.update(
        update_s=update_done - update_started,
        updated=[updated.new, updated.updated, updated.unchanged, updated.bad],
        preview_s=previewed - started,
        apply_s=applied - previewed,
        reimport_s=again_done - again_started,
        rss_delta_mb=(rss_after - rss_before) / 1024,
        preview=[preview.new, preview.updated, preview.unchanged, preview.bad, preview.duplicates],
        applied=[result.new, result.updated, result.unchanged, result.bad, result.duplicates],
        again=[again.new, again.updated, again.unchanged, again.bad],
        again_wrote_audit=again_wrote_audit,
        members=Member.objects.count(),
    )
    print(json.dumps(figures))


def plain_sql_rate(path: Path, connection, orm: bool = False) -> float:
    """Insert the same rows into the member table with one executemany (or, with `orm`, bulk_create)."""
    from django.db import transaction
    from django.utils import timezone

    from samiti.core.bengali import to_latin_digits
    from samiti.registry import importing
    from samiti.registry.models import Member, Organisation

    groups = {g.code: g for g in Organisation.objects.filter(kind="group")}
    columns = [
        "code", "name_bn", "name_en", "sex", "phone", "national_id", "group_id", "association_id", "area_id",
        "district_id", "joined_on", "main_crops", "name_key_bn", "name_key_en", "created_at", "updated_at",
        "leaving_reason", "consent_method", "ethnicity", "marital_status", "occupation",
    ]  # fmt: skip
    rows = []
    with importing.open_table(path) as table:
        for n, (_line, cells) in enumerate(table.rows):
            group = groups[to_latin_digits(cells[0])]
            when = "2024-01-01"
            rows.append(
                (f"P{n}", cells[1], cells[2] or "x", "F", cells[7], "", group.pk, group.parent_id,
                 group.area_id, group.area_id, when, "[]", "", "", when, when, "", "", "", "", "")
            )  # fmt: skip
    if orm:  # the same rows as the ORM writes them: Member objects, bulk_create in batches of 1,000
        started = time.perf_counter()
        with transaction.atomic():
            now, today = timezone.now(), timezone.localdate()
            typed = {"joined_on": today, "created_at": now, "updated_at": now, "main_crops": []}
            members = [Member(**(dict(zip(columns, row, strict=True)) | typed)) for row in rows]
            Member.objects.bulk_create(members, batch_size=1000)
        return len(rows) / (time.perf_counter() - started)
    table_name = Member._meta.db_table
    sql = f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows) / (time.perf_counter() - started)


def sqlite_share(path: Path, mapping: list[str], user, base: Path) -> dict:
    """Time the import pass, then every statement it sent to the database run alone on a fresh copy.

    What is left of the import's time is Python's (its temporary file of what earlier rows
    claimed, itself SQLite, is timed apart).
    """
    from django.db import connection, transaction

    from samiti.registry import importing
    from samiti.registry.importing.rows import Seen

    importing.run_import(path=path, mapping=mapping, user=user)  # as the timed run: caches warm
    statements = []

    def capture(execute, sql, params, many, context):
        if not sql.startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")):
            statements.append((sql, [list(p) for p in params] if many else params, many))
        return execute(sql, params, many, context)

    seen = {"s": 0.0}

    def timed(method):
        def run(self, kind, values):
            values = list(values)  # the entries are made by the pipeline (Python), not timed here
            started = time.perf_counter()
            try:
                return method(self, kind, values)
            finally:
                seen["s"] += time.perf_counter() - started

        return run

    Seen.add, Seen.find = timed(Seen.add), timed(Seen.find)
    with connection.execute_wrapper(capture):
        started = time.perf_counter()
        importing.run_import(path=path, mapping=mapping, user=user, apply=True, good_rows_only=True)
        import_s = time.perf_counter() - started
    connection.close()
    fresh = base.with_name("replay.sqlite3")
    shutil.copy(base, fresh)
    connection.settings_dict["NAME"] = str(fresh)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params, many in statements:
            (cursor.executemany if many else cursor.execute)(sql, params)
    return {"import_s": import_s, "replay_s": time.perf_counter() - started, "seen_s": seen["s"]}


def _run(database: str, *extra: str) -> dict:
    command = [sys.executable, __file__, "--child", "--database", database, *extra]
    output = subprocess.run(command, check=False, capture_output=True, text=True, cwd=ROOT)
    if output.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{output.stderr}")
    if output.stderr.strip():
        print(output.stderr, file=sys.stderr)
    lines = [line for line in output.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def _postgres_database(url: str) -> str:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS samiti_bench_import")
        admin.execute("CREATE DATABASE samiti_bench_import")
    return f"{base}/samiti_bench_import"


def _fresh(work: Path, base: Path, url: str | None) -> str:
    """A fresh database with the areas and groups only: a copy of the SQLite base, or a new PostgreSQL one."""
    if url is None:
        database = work / "run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copy(base, database)
        return f"sqlite:///{database}"
    database = _postgres_database(url)
    _run(database, "--setup")
    return database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--postgres", help="also run on this PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--profile", action="store_true", help="profile one import of the first size")
    parser.add_argument(
        "--sqlite-share",
        action="store_true",
        help="also time the import's SQL alone, replayed on a fresh copy",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plain-sql", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--orm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--replay", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    work = Path(tempfile.mkdtemp(prefix="bench_import_"))
    try:
        files = {}
        for size in args.sizes:
            files[size] = work / f"members-{size}.csv"
            generate(files[size], size)
        base = work / "base.sqlite3"
        _run(f"sqlite:///{base}", "--setup")
        targets = [("SQLite", None)]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for label, url in targets:
            print(f"\n{label}")
            print(f"{'rows':>8} {'preview/s':>10} {'write/s':>9} {'both/s':>8} {'again/s':>8} "
                  f"{'update/s':>9} {'rss Δ MB':>9} {'heap MB':>8} "
                  f"{'plain SQL/s':>12} {'ORM/s':>7}")  # fmt: skip
            for size in args.sizes:
                common = ["--file", str(files[size]), "--rows", str(size)]
                if args.profile:
                    _run(_fresh(work, base, url), *common, "--profile")
                    return
                timed = _run(_fresh(work, base, url), *common)
                heap = _run(_fresh(work, base, url), *common, "--tracemalloc")
                plain = _run(_fresh(work, base, url), *common, "--plain-sql")
                orm = _run(_fresh(work, base, url), *common, "--orm")
                both = size / (timed["preview_s"] + timed["apply_s"])
                print(
                    f"{size:>8,} {size / timed['preview_s']:>10,.0f} {size / timed['apply_s']:>9,.0f} "
                    f"{both:>8,.0f} {size / timed['reimport_s']:>8,.0f} {size / timed['update_s']:>9,.0f} "
                    f"{timed['rss_delta_mb']:>9.1f} "
                    f"{heap['tracemalloc_peak_mb']:>8.1f} {plain['plain_sql']:>12,.0f} {orm['orm']:>7,.0f}"
                )
                print(
                    f"{'':>8} write/ORM {size / timed['apply_s'] / orm['orm']:.2f}, "
                    f"write/plain SQL {size / timed['apply_s'] / plain['plain_sql']:.3f}"
                )
                if args.sqlite_share and url is None:
                    share = _run(_fresh(work, base, url), *common, "--replay", str(base))
                    sql, seen, total = share["replay_s"], share["seen_s"], share["import_s"]
                    alone = size / (sql + seen)  # rows/s if Python took no time at all
                    print(
                        f"{'':>8} SQLite alone: the import's statements {sql * 1e6 / size:.1f} µs/row + its "
                        f"temporary file {seen * 1e6 / size:.1f} µs/row of {total * 1e6 / size:.1f} "
                        f"({(sql + seen) / total:.0%}); with no Python at all: {alone:,.0f} rows/s, "
                        f"{alone / plain['plain_sql']:.2f} of plain SQL"
                    )
                print(
                    f"{'':>8} preview new/updated/unchanged/bad/duplicates {timed['preview']}; "
                    f"import {timed['applied']}; again {timed['again']}; changed file {timed['updated']} "
                    f"(audit rows written again: {timed['again_wrote_audit']})"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
