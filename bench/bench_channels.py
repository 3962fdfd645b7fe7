"""USSD sessions and inbound SMS over real HTTP, against the app served by gunicorn on loopback.

    python bench/bench_channels.py                     # SQLite, 3,000 members, 20 s a run
    python bench/bench_channels.py --duration 5        # a quicker look
    python bench/bench_channels.py --postgres postgres://postgres@127.0.0.1:5432/bench_channels

A fresh database each run (a SQLite file in bench/out/, or the PostgreSQL database named, which
is dropped and made again; never the test suite's). 3,000 members with phones (+88017…) in 120
groups of 25 in 10 associations; half read Bengali, half English (their language chosen, so a
session opens on the main menu). Half the groups have a savings cycle with three meetings; every
association and a quarter of the groups have an open poll, every group two open demands and its
association one, every group a planned meeting next week.

The app is served as in production (README): `gunicorn samiti.wsgi --workers 2`, DEBUG off,
SMS_GATEWAY=console, and each request carries `X-Forwarded-Proto: https` as the TLS proxy in front
would. 50 clients (asyncio sockets in this process; gunicorn's sync workers close the connection
after each answer, its gthread workers keep it) each run whole USSD sessions one after another:
dial (text ""), then one of four paths, each keypress a POST of every input so far joined by "*":
savings and back to the next meeting; polls → the first → vote yes → confirm; demands → the
first → endorse; the next meeting. 3 s of warm-up, then 20 s measured: requests per second,
p50 and p99 latency, errors (not 200, or a reply beginning neither CON nor END).

- flat out: no pause between keypresses (the server's throughput; by Little's law the latency is
  then 50 / throughput, whatever the work of one request);
- paced: each of the 50 sessions waits 0.5 to 1.5 s (at random, starting at random) between a
  screen and its next keypress (a member reads slower still): the latency a member sees when 50
  sessions are open at once.

Beside them, the same gunicorn answering a trivial request: a bare WSGI function (the server's
floor) and a Django view that returns "END ok" through the project's settings and whole
middleware (the framework's floor), both defined here, without app code.

Inbound SMS: the 50 clients post Africa's Talking inbound callbacks to
/channels/sms/africastalking/inbound/, each with a new id, HELP, BAL or MEETING (English or
Bengali) from a member's number; each is recorded once and answered through the console gateway.
Messages per second, p50, p99; then the inbound messages kept are counted against the 200s.

Before serving, one session of each path and each SMS command goes through Django's test client
in this process: the queries and milliseconds of each keypress, which say what a request costs.

Aims (issue 6): p99 under 100 ms with 50 concurrent USSD sessions; 500 inbound SMS a second.

Inbound SMS are measured twice: replies through the console gateway, and replies through a gateway
on loopback that takes 0.2 s to accept each (`SlowGateway`, as a real one across the internet):
replies leave on the outbox's threads, so the callback does not wait for the gateway.

Measured on the development machine (2 cores, shared with other work), 3,000 members, 50
clients, medians of 3 rounds of 10 s, the load generator on the same 2 cores. The machine ran
about a quarter slower than on the day of the first figures (bare WSGI 2,108 req/s against
4,128), so compare ratios to the trivial view, not requests per second across days:

                                              SQLite (WAL)                PostgreSQL 15
                                          req/s    p50     p99       req/s    p50     p99
    gunicorn samiti.wsgi --workers 2 (sync):
      bare WSGI app (server's floor)      2,108   24 ms   40 ms      2,184   21 ms   45 ms
      trivial Django view, middleware     1,284   37 ms   63 ms      1,193   39 ms   68 ms
      USSD sessions, flat out               359  137 ms  193 ms        179  272 ms  354 ms
      USSD sessions, paced (~1 s a key)      50    6 ms   13 ms         49   10 ms   27 ms
      inbound SMS, flat out                 198  241 ms  343 ms        127  372 ms  492 ms
      the same, gateway taking 0.2 s        205  231 ms  355 ms        144  327 ms  466 ms
    --workers 2 --worker-class gthread --threads 4 (keep-alive):
      bare WSGI app                       5,337    8 ms   25 ms
      trivial Django view                 2,214   20 ms   64 ms
      USSD sessions, flat out               406  116 ms  325 ms
      USSD sessions, paced                   50    7 ms   21 ms
      inbound SMS, flat out                 182  240 ms  945 ms
      the same, gateway taking 0.2 s        231  183 ms  862 ms

No errors; every inbound id kept once (15,214 in a SQLite run). Against the trivial view, USSD
flat out is 0.28 of its requests/s on SQLite (0.20 in a run the same morning before the reads
below were made plain SQL) and 0.15 on PostgreSQL, whose server process takes its share of the
same 2 cores for each of a keypress's 5 to 13 statements. The aim, p99 under 100 ms with 50
concurrent sessions, holds for sessions of people (paced: p99 13 ms on SQLite, 27 ms on
PostgreSQL); flat out it cannot on 2 cores, since 50 clients waiting on each other make the
latency 50 / throughput (139 ms at 359 req/s). Inbound SMS reach 198 a second on SQLite, 0.15 of
the trivial view, and 40 % of the aim of 500; with a gateway that takes 0.2 s a message they still
reach 205, where before the outbox a sync worker waited for the gateway on every callback (at most
2 / 0.2 s = 10 a second).

What costs the time (the profile above, and cProfile of keypresses in the test client): a
keypress takes 5 to 13 queries and about 3 to 5 ms of CPU, of which SQLite itself is about 3 %;
the rest is Django building the queries and the rows (0.3 to 1 ms a query). The member by phone
(a row of 40 columns), its contact and the session are read by plain SQL (0.4 ms in all, 1.4 ms
through the ORM); the engine replays the whole path on each keypress, so a deep screen repeats
its parents' reads. Each screen is built on one of the engine's threads so that a slow one can be
promised by SMS: about 0.2 ms a keypress (USSD_ANSWER_SECONDS=0 builds inline). An inbound SMS
takes 9 to 13 statements in one transaction (the message, the handler's reads, the reply
written), and the outbox's claim and send after it. Reaching 500 SMS/s on 2 cores would take
about a third of the CPU per message, which the ORM's cost per statement does not leave; more
cores and PostgreSQL scale it out, as no state is held between requests.
"""

import argparse
import asyncio
import datetime
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST = "127.0.0.1"
USSD_PATH = "/channels/ussd/africastalking/"
SMS_PATH = "/channels/sms/africastalking/inbound/"
TRIVIAL_PATH = "/trivial/"
GATEWAY_SECONDS = 0.2
GROUP_SIZE = 25
ASSOCIATIONS = 10
SERVICE_CODE = "*384*1234#"


# ----- the trivial references: served by gunicorn from this module -------------------------------


def trivial(environ, start_response):
    """The server's floor: a bare WSGI app that reads the body and answers a USSD-sized reply."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    body = b"END ok"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _trivial_view(request):
    from django.http import HttpResponse

    return HttpResponse("END ok " + request.POST.get("text", ""), content_type="text/plain")


def __getattr__(name: str):
    """`django_trivial`: the project's WSGI handler, settings and middleware, routing every request
    to the trivial view above (this module is its URLconf: `urlpatterns`). Made lazily, so that
    `trivial` imports without Django."""
    if name == "urlpatterns":
        from django.urls import path
        from django.views.decorators.csrf import csrf_exempt

        return [path(TRIVIAL_PATH.strip("/") + "/", csrf_exempt(_trivial_view))]
    if name == "django_trivial":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samiti.settings")
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.wsgi import get_wsgi_application

        get_wsgi_application()  # django.setup()

        class Trivial(WSGIHandler):
            def get_response(self, request):
                request.urlconf = __name__
                return super().get_response(request)

        handler = Trivial()
        globals()["django_trivial"] = handler
        return handler
    raise AttributeError(name)


# ----- the database ------------------------------------------------------------------------------


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured a run")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between keypresses, paced")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database instead of SQLite")
    parser.add_argument("--no-gthread", action="store_true", help="only the 2 sync workers")
    parser.add_argument("--reuse", action="store_true", help="serve the SQLite database of the last run")
    return parser.parse_args()


def server_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",  # as in production: no query log
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SMS_GATEWAY": "console",
        "SMS_CALLBACK_TOKEN": "",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "samiti.settings",
        "PYTHONPATH": str(ROOT),
    }


def setup_django(database_url: str) -> None:
    os.environ.update(server_environment(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def phone_of(n: int) -> str:
    return f"+880171{n:07d}"


def build(members: int) -> list[str]:
    """The programme; returns the members' phones."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from samiti.channels.services import set_language
    from samiti.core.models import Channel
    from samiti.finance import testing as finance_testing
    from samiti.finance.services.savings import MemberLine
    from samiti.registry import testing
    from samiti.registry.models import Meeting, Member
    from samiti.registry.services import bulk_register_members, normalise_phone
    from samiti.voice.models.demands import DemandCategory
    from samiti.voice.models.polls import Poll
    from samiti.voice.services import demands, polls
    from samiti.voice.services.meetings import plan_meeting

    assert normalise_phone(phone_of(1)) == phone_of(1)
    call_command("migrate", verbosity=0)
    next_week = timezone.now() + datetime.timedelta(days=7)
    with transaction.atomic():
        place = testing.union()
        federation = testing.organisation("federation", place=place)
        associations = [
            testing.organisation("association", federation, place=place) for _ in range(ASSOCIATIONS)
        ]
        groups = []
        for n in range(members // GROUP_SIZE):
            group = testing.organisation("group", associations[n % ASSOCIATIONS], place=place)
            groups.append(group)
            bulk_register_members(
                actor=None,
                channel=Channel.SYSTEM,
                members=[
                    {
                        "code": f"{group.code}-{i:03d}",
                        "name_en": f"Member {n}-{i}",
                        "sex": "F" if i % 3 else "M",
                        "phone": phone_of(n * GROUP_SIZE + i + 1),
                        "group_id": group.pk,
                        "joined_on": datetime.date(2025, 12, 1),
                    }
                    for i in range(GROUP_SIZE)
                ],
            )
        for n, group in enumerate(groups):
            ids = list(Member.objects.filter(group=group).order_by("id").values_list("id", flat=True))
            if n % 2 == 0:
                cycle = finance_testing.cycle(group)
                for week in range(3):
                    lines = [
                        MemberLine(m, present=True, shares=1 + (m + week) % 4, social_fund=1000) for m in ids
                    ]
                    finance_testing.meeting(cycle, cycle.starts_on + datetime.timedelta(days=7 * week), lines)
            if n % 4 == 0:
                poll = polls.create_poll(
                    actor=None,
                    organisation=group,
                    question=f"Buy a shared pump for group {n}?",
                    kind=Poll.Kind.SINGLE,
                    options=["Yes, this season", "Next season", "No"],
                )
                polls.open_poll(actor=None, poll=poll)
            for title in ("Repair the tube well", "A teacher for the primary school"):
                demands.raise_demand(
                    actor=None, organisation=group, title=f"{title} ({n})", category=DemandCategory.OTHER
                )
            plan_meeting(
                actor=None,
                organisation=group,
                kind=Meeting.Kind.SAVINGS,
                starts_at=next_week + datetime.timedelta(hours=n % 48),
                place="School yard",
            )
        for a, association in enumerate(associations):
            poll = polls.create_poll(
                actor=None,
                organisation=association,
                question=f"Join the union-level federation? ({a})",
                kind=Poll.Kind.YES_NO,
            )
            polls.open_poll(actor=None, poll=poll)
            demands.raise_demand(
                actor=None,
                organisation=association,
                title=f"Road to the market before the monsoon ({a})",
                category=DemandCategory.OTHER,
            )
        everyone = list(Member.objects.order_by("id"))
        for n, member in enumerate(everyone):
            set_language(member=member, language="bn" if n % 2 else "en", channel="sms")
    return [m.phone for m in everyone]


# ----- what the clients send ---------------------------------------------------------------------

# Each path: the inputs of the session after the dial, one keypress (POST) each.
PATHS = {
    "savings": ["1", "0", "5"],
    "poll": ["2", "1", "1", "1"],
    "demand": ["3", "2", "1"],
    "meeting": ["5"],
}
SMS_TEXTS = ["HELP", "BAL", "MEETING", "bal", "সাহায্য", "ব্যালেন্স", "সভা"]


def ussd_session(rng: random.Random, phones: list[str], session_id: str) -> list[bytes]:
    """The bodies of one session's POSTs: the dial, then every input so far joined by "*"."""
    phone = rng.choice(phones)
    inputs = PATHS[rng.choice(list(PATHS))]
    texts = [""] + ["*".join(inputs[: i + 1]) for i in range(len(inputs))]
    return [
        urllib.parse.urlencode(
            {
                "sessionId": session_id,
                "serviceCode": SERVICE_CODE,
                "phoneNumber": phone,
                "networkCode": "47001",
                "text": text,
            }
        ).encode()
        for text in texts
    ]


def sms_callback(rng: random.Random, phones: list[str], message_id: str) -> list[bytes]:
    fields = {
        "id": message_id,
        "text": rng.choice(SMS_TEXTS),
        "from": rng.choice(phones),
        "to": "21345",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "linkId": "",
    }
    return [urllib.parse.urlencode(fields).encode()]


# ----- profile: one session of each path through Django's test client ----------------------------


def profile(phones: list[str]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Each screen built in this thread, so its queries are counted here too.
    settings.USSD_ANSWER_SECONDS = 0
    client = Client(headers={"X-Forwarded-Proto": "https"})
    rng = random.Random(7)
    print("one request of each kind, in this process (queries, ms):")
    for name, inputs in PATHS.items():
        for language, phone in (("en", phones[10]), ("bn", phones[11])):
            session = f"profile-{name}-{language}"
            texts = [""] + ["*".join(inputs[: i + 1]) for i in range(len(inputs))]
            steps = []
            for text in texts:
                body = {"sessionId": session, "serviceCode": SERVICE_CODE, "phoneNumber": phone, "text": text}
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.post(USSD_PATH, body)
                    ms = (time.perf_counter() - t0) * 1000
                assert response.status_code == 200, response.content
                steps.append(f"{text or '(dial)'}: {len(queries)} q {ms:.1f} ms")
            print(f"  USSD {name:8} {language}  " + "; ".join(steps))
            if name == "savings" and language == "en":
                with CaptureQueriesContext(connection) as queries:
                    client.post(USSD_PATH, {"sessionId": session + "x", "phoneNumber": phone, "text": "1"})
                print("    the queries of the savings screen:")
                for q in queries.captured_queries:
                    print(f"      {q['time']:>6}s  {q['sql'][:150]}")
    for text in ("HELP", "BAL", "MEETING"):
        body = sms_callback(rng, phones, f"profile-{text}")[0].decode()
        fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True)) | {"text": text}
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.post(SMS_PATH, fields)
            ms = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, response.content
        print(f"  SMS {text:8} {len(queries):3} queries {ms:6.1f} ms")
    connection.close()


# ----- serving and loading -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving `target` on a free loopback port, until stopped."""

    def __init__(self, target: str, workers: str, env: dict[str, str], probe: str, body: bytes):
        self.port = free_port()
        command = [str(Path(sys.executable).parent / "gunicorn"), target, "--bind", f"{HOST}:{self.port}"]
        command += ["--workers", "2", "--no-control-socket"]
        if workers == "gthread":
            command += ["--worker-class", "gthread", "--threads", "4"]
        self.log = open(OUT / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {target} stopped: see {OUT / 'gunicorn.log'}")
            try:
                status, _reply = asyncio.run(_request_once(self.port, probe, body))
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn {target} did not answer: see {OUT / 'gunicorn.log'}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:  # still handing replies to the slow gateway: not ours to wait for
            self.process.kill()
            self.process.wait(10)
        self.log.close()


class SlowGateway:
    """An SMS gateway on loopback that takes GATEWAY_SECONDS to accept each message, as a real
    one across the internet does; the app is pointed at it as its generic JSON gateway."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(GATEWAY_SECONDS)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "slow"}')

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _request_bytes(path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


class Connection:
    """One keep-alive connection while the server keeps it, a new one when it closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(_request_bytes(path, body))
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip() for k, _s, v in (line.partition(":") for line in lines[1:] if line)
        }
        if "content-length" in headers:
            reply = await self.reader.readexactly(int(headers["content-length"]))
        else:
            reply = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, reply

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _request_once(port: int, path: str, body: bytes) -> tuple[int, bytes]:
    connection = Connection(port)
    try:
        return await connection.post(path, body)
    finally:
        connection.close()


class Result:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.latencies: list[float] = []
        self.errors = 0
        self.answered = 0  # 200s, warm-up and overrun included
        self.first_error = ""
        self.fixed: tuple[float, float, float] | None = None  # rate, p50, p99 of a median

    @property
    def rate(self) -> float:
        if self.fixed:
            return self.fixed[0]
        return (len(self.latencies) + self.errors) / self.seconds

    @classmethod
    def median(cls, runs: list["Result"]) -> "Result":
        """A result whose figures are the medians of the runs' (errors summed)."""
        merged = cls(1.0)
        merged.errors = sum(r.errors for r in runs)
        merged.answered = sum(r.answered for r in runs)
        merged.first_error = next((r.first_error for r in runs if r.first_error), "")
        merged.fixed = (
            statistics.median(r.rate for r in runs),
            statistics.median(r.percentile(50) for r in runs),
            statistics.median(r.percentile(99) for r in runs),
        )
        return merged

    def percentile(self, p: float) -> float:
        if self.fixed:
            return self.fixed[1 if p == 50 else 2]
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")


def load(
    port: int,
    path: str,
    make,
    check,
    *,
    clients: int,
    warmup: float,
    duration: float,
    think: float = 0.0,
    label: str,
) -> Result:
    """`clients` clients, each sending `make`'s bodies in turn (a session, or one message), for
    `warmup` + `duration` seconds; the latencies of requests begun after the warm-up."""
    result = Result(duration)

    async def client(n: int, start: float) -> None:
        rng = random.Random(f"{label}-{n}")
        connection = Connection(port)
        measure_from, stop_at = start + warmup, start + warmup + duration
        count = 0
        if think:  # members do not press their keys in step: start at random, pause 0.5 to 1.5 x think
            await asyncio.sleep(rng.uniform(0, think))
        while time.perf_counter() < stop_at:
            count += 1
            for body in make(rng, f"{label}-{n}-{count}"):
                t0 = time.perf_counter()
                try:
                    status, reply = await connection.post(path, body)
                except (OSError, asyncio.IncompleteReadError) as error:
                    status, reply = 0, repr(error).encode()
                    connection.close()
                t1 = time.perf_counter()
                result.answered += status == 200
                if measure_from <= t0 and t1 <= stop_at:
                    if status == 200 and check(reply):
                        result.latencies.append(t1 - t0)
                    else:
                        result.errors += 1
                        result.first_error = result.first_error or f"{status} {reply[:200]!r}"
                if t1 > stop_at or (status != 200 and status != 0 and not check(reply)):
                    break
                if think:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
        connection.close()

    async def run() -> None:
        start = time.perf_counter()
        await asyncio.gather(*(client(n, start) for n in range(clients)))

    asyncio.run(run())
    return result


def is_ussd(reply: bytes) -> bool:
    return reply.startswith((b"CON ", b"END "))


def is_json(reply: bytes) -> bool:
    return reply.startswith(b"{")


def show(label: str, result: Result, reference: Result | None = None) -> None:
    line = (
        f"  {label:44} {result.rate:8,.0f} req/s   p50 {result.percentile(50):7.1f} ms   "
        f"p99 {result.percentile(99):7.1f} ms   errors {result.errors}"
    )
    if reference is not None:
        line += (
            f"   ({result.rate / reference.rate:.2f} of its req/s, "
            f"p99 x{result.percentile(99) / reference.percentile(99):.1f})"
        )
    print(line, flush=True)
    if result.first_error:
        print(f"      first error: {result.first_error}")


def main() -> None:
    # Imported here: gunicorn imports this module as bench.bench_channels, where bench/ is not on the path.
    from _database import fresh_database

    args = parse()
    database = "channels.sqlite3"
    database_url = f"sqlite:///{OUT / database}" if args.reuse else fresh_database(args.postgres, database)
    setup_django(database_url)
    from django.db import connection

    from samiti.registry.models import Member

    started = time.perf_counter()
    if args.reuse:
        phones = list(Member.objects.order_by("id").values_list("phone", flat=True))
    else:
        phones = build(args.members)
    print(
        f"{connection.vendor}: {len(phones):,} members in {len(phones) // GROUP_SIZE} groups "
        f"(built in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    profile(phones)
    connection.close()
    env = server_environment(database_url)
    slow = SlowGateway()
    slow_env = env | {"SMS_GATEWAY": "generic_json", "GENERIC_SMS_URL": slow.url}
    times = {"clients": args.clients, "warmup": args.warmup, "duration": args.duration}
    dial = ussd_session(random.Random(1), phones, "probe")[0]

    def ussd(rng: random.Random, session_id: str) -> list[bytes]:
        return ussd_session(rng, phones, session_id)

    def sms(rng: random.Random, message_id: str) -> list[bytes]:
        return sms_callback(rng, phones, message_id)

    def trivial_body(rng: random.Random, session_id: str) -> list[bytes]:
        return ussd_session(rng, phones, session_id)[:1]

    from samiti.channels.models import Message

    stamp = int(time.time())  # fresh session and message ids in every run, --reuse too
    print(
        f"\n{args.clients} clients, {args.warmup:g} s warm-up, {args.duration:g} s measured, "
        f"medians of {args.runs} rounds (the kinds in turn, so a busy moment of the machine falls on all):",
        flush=True,
    )
    kinds = [
        # label, server, path, bodies, check, think
        ("bare WSGI app (server's floor)", "bare", TRIVIAL_PATH, trivial_body, is_ussd, 0.0),
        ("trivial Django view, whole middleware", "django", TRIVIAL_PATH, trivial_body, is_ussd, 0.0),
        ("USSD sessions, flat out", "app", USSD_PATH, ussd, is_ussd, 0.0),
        (f"USSD sessions, paced (~{args.think:g} s a keypress)", "app", USSD_PATH, ussd, is_ussd, args.think),
        ("inbound SMS (AT callback), flat out", "app", SMS_PATH, sms, is_json, 0.0),
        (f"  the same, gateway taking {GATEWAY_SECONDS:g} s a reply", "slow", SMS_PATH, sms, is_json, 0.0),
    ]
    targets = {
        "bare": ("bench.bench_channels:trivial", TRIVIAL_PATH, env),
        "django": ("bench.bench_channels:django_trivial", TRIVIAL_PATH, env),
        "app": ("samiti.wsgi", USSD_PATH, env),
        "slow": ("samiti.wsgi", USSD_PATH, slow_env),
    }
    for workers in ["sync"] + ([] if args.no_gthread else ["gthread"]):
        title = "2 sync workers" if workers == "sync" else "2 gthread workers x 4 threads"
        print(f" gunicorn, {title}:", flush=True)
        # All three served at once (idle workers cost nothing), loaded one after another.
        servers = {
            name: Server(target, workers, environment, probe, dial)
            for name, (target, probe, environment) in targets.items()
        }
        results: dict[str, list[Result]] = {label: [] for label, *_rest in kinds}
        before = Message.objects.filter(direction=Message.Direction.IN).count()
        connection.close()
        try:
            for run in range(args.runs):
                for label, name, path, bodies, check, think in kinds:
                    results[label].append(
                        load(
                            servers[name].port,
                            path,
                            bodies,
                            check,
                            label=f"{name}-{workers}-{stamp}-{run}-{think}",
                            think=think,
                            **times,
                        )
                    )
        finally:
            for server in servers.values():
                server.stop()
        floor = Result.median(results[kinds[1][0]])
        for label, *_rest in kinds:
            show(
                label,
                Result.median(results[label]),
                floor if "Django" not in label and "bare" not in label else None,
            )
        kept = Message.objects.filter(direction=Message.Direction.IN).count() - before
        connection.close()
        sms_kinds = [label for label, _name, path, *_rest in kinds if path == SMS_PATH]
        answered = sum(r.answered for label in sms_kinds for r in results[label])
        print(
            f"      inbound messages kept {kept:,}, callbacks answered 200 {answered:,} "
            "(warm-up included): " + ("each once" if kept == answered else "MISMATCH"),
            flush=True,
        )
    slow.stop()


if __name__ == "__main__":
    main()
