"""Booking under contention: N concurrent clients book overlapping windows on a few listings through gunicorn.

    .venv/bin/python -m bench.scenario_booking [--clients 32] [--duration 20] [--listings 4] [--spaces 2]
or through the bench runner:  .venv/bin/python -m bench booking

What it does, against the database of DATABASE_URL (migrated; nothing else needed, it makes its own data):
1. creates a host with `--listings` instant-book listings of `--spaces` spaces each (central Austin, open around
   the clock) and `--clients` verified guests, each with a JWT access token;
2. starts gunicorn with the production settings (deploy/gunicorn.conf.py, DEBUG off, a fresh secret key,
   `--workers` x `--threads`) on a free port, connected as the application role (`DATABASE_APP_ROLE`, row-level
   security on) like production; the booking throttles are raised for the run (32 clients are one address);
3. runs `--clients` threads for `--duration` seconds, each POSTing /api/v1/bookings (pm_card_visa, a fresh
   Idempotency-Key) for a random listing and a random 1-3 hour window starting on the hour within `--days` days:
   windows overlap, so many requests race for the same space and some must be refused with 409;
4. prints bookings/s, conflicts, errors and the p50/p95 latency, stops gunicorn (SIGTERM, then waits), and
   checks with SQL that no two active bookings of one space overlap (a tstzrange && self-join).

A booking's notifications are written by a Celery task, not in the request: the scenario starts a Celery worker
(`--celery-concurrency`, default 1; 0 starts none) on the same cores, counts its CPU with the rest, and after the
load waits for it to write and deliver the run's notifications, so the work moved out of the request is still paid
for and shown. Tasks waiting in the broker from earlier runs are discarded first (use a Redis of its own). The
load generator runs on the same 2 cores as gunicorn, the worker and PostgreSQL: the figures are
a floor, not a ceiling.
"""

import argparse
import contextlib
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VEHICLE = {"make": "Toyota", "model": "Corolla", "color": "Silver", "license_plate": "BEN 0001", "state": "TX"}
ACTIVE_STATUSES = ("PENDING", "CONFIRMED", "IN_PROGRESS")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients, each a guest (default 32)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load (default 20)")
    parser.add_argument("--listings", type=int, default=4, help="listings booked (default 4)")
    parser.add_argument("--spaces", type=int, default=2, help="spaces per listing (default 2)")
    parser.add_argument("--days", type=int, default=30, help="windows start within this many days (default 30)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3: cores + 1)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument(
        "--celery-concurrency",
        type=int,
        default=1,
        help="processes of the Celery worker that writes and delivers notifications (default 1; 0: no worker)",
    )


def check_arguments(args: argparse.Namespace) -> str | None:
    """A clear message for arguments that cannot make a run, else None."""
    for name in ("clients", "listings", "spaces", "days", "workers", "threads"):
        if getattr(args, name) < 1:
            return f"--{name} must be at least 1"
    if args.duration <= 0:
        return "--duration must be more than 0 seconds"
    if args.celery_concurrency < 0:
        return "--celery-concurrency must be 0 (no worker) or more"
    return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


# --- gunicorn with the production settings (shared by the other gunicorn scenarios) -------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_role_url() -> str:
    """The bench database's URL as the application role (row-level security applies), like production."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    role, password = settings.DATABASE_APP_ROLE, settings.DATABASE_APP_PASSWORD
    credentials = f"{role}:{password}" if password else role
    return f"postgis://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


def production_env(port: int, workers: int, threads: int, **overrides: str) -> dict[str, str]:
    from django.conf import settings

    keys = ",".join(settings.FIELD_ENCRYPTION_KEYS) if getattr(settings, "FIELD_ENCRYPTION_KEYS", None) else ""
    if not keys:
        from cryptography.fernet import Fernet

        keys = Fernet.generate_key().decode()
    unlimited = "1000000/min"
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "FIELD_ENCRYPTION_KEYS": keys,
        "PAYMENT_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": app_role_url(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_MAX_REQUESTS": "0",  # no recycling in the middle of a measurement
        "THROTTLE_BOOKINGS_USER": unlimited,
        "THROTTLE_BOOKINGS_IP": unlimited,
        "THROTTLE_SEARCH_USER": unlimited,
        "THROTTLE_SEARCH_IP": unlimited,
        **overrides,
    }


def stop(process: subprocess.Popen | None, log: Path, *, timeout: float, failed: bool) -> None:
    """SIGTERM a server we started, SIGKILL its group if it is not gone within `timeout` seconds; its log is kept
    when something went wrong (the run failed, or the server had to be killed)."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return
    if not failed:
        log.unlink(missing_ok=True)


class Gunicorn:
    """`with Gunicorn(workers=3, threads=4) as server:` gunicorn -c deploy/gunicorn.conf.py on a free port."""

    def __init__(self, *, workers: int, threads: int, log: Path | None = None, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = production_env(self.port, workers, threads, **env)
        self.log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        import requests

        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.__exit__(RuntimeError)  # keeps the log the error points to
                raise RuntimeError(f"gunicorn exited at start; its log: {self.log}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        self.__exit__(RuntimeError)  # keeps the log the error points to
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; its log: {self.log}")

    def worker_pids(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()] if self.process else []

    def __exit__(self, exc_type: type | None = None, *exc_info: object) -> None:
        stop(self.process, self.log, timeout=30, failed=exc_type is not None)


class CeleryWorker:
    """`with CeleryWorker(concurrency=1, env=server.env) as worker:` a Celery worker with the web's settings, as the
    Procfile runs it; `concurrency=0` starts nothing (tasks wait in the broker)."""

    def __init__(self, *, concurrency: int, env: dict[str, str], log: Path | None = None) -> None:
        self.concurrency = concurrency
        self.env = env
        self.log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-celery-{os.getpid()}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "CeleryWorker":
        if not self.concurrency:
            return self
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning"),
                *("--concurrency", str(self.concurrency), "--without-gossip", "--without-mingle"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        """Until the worker answers a ping: its start-up is not part of the measurement."""
        from config.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.__exit__(RuntimeError)  # keeps the log the error points to
                raise RuntimeError(f"the Celery worker exited at start; its log: {self.log}")
            if app.control.ping(timeout=0.5):
                return
        self.__exit__(RuntimeError)  # keeps the log the error points to
        raise RuntimeError(f"the Celery worker did not answer a ping within {timeout:.0f} s; its log: {self.log}")

    def pids(self) -> list[int]:
        import psutil

        if self.process is None or self.process.poll() is not None:
            return []
        main = psutil.Process(self.process.pid)
        return [main.pid, *(child.pid for child in main.children(recursive=True))]

    def __exit__(self, exc_type: type | None = None, *exc_info: object) -> None:
        stop(self.process, self.log, timeout=60, failed=exc_type is not None)  # SIGTERM: a warm shutdown


# --- data ------------------------------------------------------------------------------------------------------------


def access_token(user, secret_key: str) -> str:
    """A JWT access token for `user` signed with `secret_key`: the key of the gunicorn we start, not ours."""
    from rest_framework_simplejwt.backends import TokenBackend
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import AccessToken

    return TokenBackend(api_settings.ALGORITHM, signing_key=secret_key).encode(AccessToken.for_user(user).payload)


def make_people_and_places(
    *, clients: int, listings: int, spaces: int, secret_key: str
) -> tuple[list[int], list[str], list[int]]:
    """(listing ids, guests' access tokens, the ids of the host and guests) made for this run, tagged with a run id."""
    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import Point

    from apps.listings.services import create_listing
    from apps.users.rls import SYSTEM, set_db_context

    set_db_context(context=SYSTEM)
    run = uuid.uuid4().hex[:8]
    users = get_user_model().objects
    host = users.create_user(
        email=f"bench-host-{run}@example.com", user_type="HOST", is_email_verified=True, first_name="Bench"
    )
    listing_ids = []
    for number in range(listings):
        listing = create_listing(
            host=host,
            location=Point(-97.7431 + 0.002 * number, 30.2672, srid=4326),
            title=f"Bench garage {run}-{number}",
            description="A covered garage for the contention benchmark",
            spot_type="GARAGE",
            address=f"{100 + number} Congress Ave",
            city="Austin",
            state="TX",
            zip_code="78701",
            price_per_hour=Decimal("5.00"),
            price_per_day=Decimal("30.00"),
            spaces_available=spaces,
            instant_booking=True,
        )
        listing_ids.append(listing.pk)
    tokens, people = [], [host.pk]
    for number in range(clients):
        guest = users.create_user(email=f"bench-guest-{run}-{number}@example.com", is_email_verified=True)
        tokens.append(access_token(guest, secret_key))
        people.append(guest.pk)
    analyze_booking_tables()
    return listing_ids, tokens, people


# What a booking reads and writes. Runs add to them, and where autovacuum is off (or between its naps) their
# statistics went stale: the same commit's PostgreSQL CPU a booking request rose from 2.4 to 4.8 ms over a session's
# runs and fell back to 2.7 after an ANALYZE (bench/RESULTS.md, tenth round).
BOOKING_TABLES = (
    "listings",
    "listing_spaces",
    "users",
    "bookings",
    "transactions",
    "payment_methods",
    "idempotency_keys",
)


def analyze_booking_tables() -> None:
    """Fresh planner statistics of the tables a booking uses, so that one run's figures do not depend on how many
    runs came before it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(BOOKING_TABLES)}")


def overlapping_pairs(listing_ids: list[int]) -> int:
    """Pairs of active bookings of one space whose periods overlap (the exclusion constraint says: none)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*)
              FROM bookings a
              JOIN bookings b ON a.space_id = b.space_id AND a.id < b.id
                             AND tstzrange(a.start_datetime, a.end_datetime, '[)')
                              && tstzrange(b.start_datetime, b.end_datetime, '[)')
             WHERE a.listing_id = ANY(%s) AND b.listing_id = ANY(%s)
               AND a.status = ANY(%s) AND b.status = ANY(%s)
            """,
            [listing_ids, listing_ids, list(ACTIVE_STATUSES), list(ACTIVE_STATUSES)],
        )
        return cursor.fetchone()[0]


def active_bookings(listing_ids: list[int]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM bookings WHERE listing_id = ANY(%s) AND status = ANY(%s)",
            [listing_ids, list(ACTIVE_STATUSES)],
        )
        return cursor.fetchone()[0]


def notifications_of(people: list[int]) -> tuple[int, int]:
    """(notifications of these users, how many of them are not yet delivered)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'PENDING') FROM notifications"
            " WHERE recipient_id = ANY(%s)",
            [people],
        )
        return cursor.fetchone()


def wait_for_notifications(people: list[int], bookings: int, timeout: float = 180.0) -> tuple[int, int, float]:
    """Wait until the worker has written at least one notification per booking and delivered them all (the count
    still for a second). Returns (written, undelivered, seconds waited)."""
    began = time.monotonic()
    last = None
    while True:
        written, undelivered = notifications_of(people)
        waited = time.monotonic() - began
        if (written, undelivered) == last and written >= bookings and not undelivered:
            return written, undelivered, waited
        if waited > timeout:
            return written, undelivered, waited
        last = (written, undelivered)
        time.sleep(1.0)


def cpu_seconds(server: Gunicorn, worker: CeleryWorker | None = None) -> dict[str, float]:
    """CPU seconds (user + system) used so far by gunicorn's workers, the Celery worker, the PostgreSQL backends
    serving the bench database, and the load generator (this process and the children it has waited for, e.g.
    locust): where the time of a request goes."""
    import psutil
    from django.db import connection

    def used(pids) -> float:
        total = 0.0
        for pid in pids:
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:  # gone, or another user's process we may not read
                continue
            total += times.user + times.system
        return total

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return {
        "gunicorn": used(server.worker_pids()),
        **({"celery": used(worker.pids())} if worker is not None and worker.concurrency else {}),
        "postgres": used(backends),
        "load generator": sum(os.times()[:4]),
    }


def worker_cpu(server: Gunicorn) -> dict[int, float]:
    """CPU seconds used so far by each gunicorn worker, by pid."""
    import psutil

    used = {}
    for pid in server.worker_pids():
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            used[pid] = times.user + times.system
    return used


def worker_shares(before: dict[int, float], after: dict[int, float]) -> list[float]:
    """Each worker's share of the CPU the workers used between two readings, largest first: kept-alive connections
    stay with the worker that accepted them, so one worker may serve most of the load (docs/SCALING.md)."""
    spent = [max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items()]
    total = sum(spent)
    return sorted((part / total for part in spent), reverse=True) if total else []


# --- load ------------------------------------------------------------------------------------------------------------


def hammer(url: str, token: str, listing_ids: list[int], args: argparse.Namespace, stop_at: float, results: list):
    """One client: book random overlapping windows until `stop_at`; appends (status, seconds, token) to `results`."""
    import requests
    from django.utils import timezone

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    first = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    chooser = random.Random()
    while time.monotonic() < stop_at:
        start = first + timedelta(hours=chooser.randrange(args.days * 24))
        body = {
            "listing": chooser.choice(listing_ids),
            "start_datetime": start.isoformat(),
            "end_datetime": (start + timedelta(hours=chooser.randint(1, 3))).isoformat(),
            "vehicle": VEHICLE,
            "payment_method": "pm_card_visa",
        }
        began = time.perf_counter()
        try:
            status = session.post(
                f"{url}/api/v1/bookings", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30
            ).status_code
        except requests.RequestException:
            status = 0
        results.append((status, time.perf_counter() - began, token))


def run(args: argparse.Namespace) -> int:
    problem = check_arguments(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    secret_key = secrets.token_urlsafe(64)
    listing_ids, tokens, people = make_people_and_places(
        clients=args.clients, listings=args.listings, spaces=args.spaces, secret_key=secret_key
    )
    print(
        f"Booking under contention: {args.clients} clients, {args.listings} listings x {args.spaces} spaces, "
        f"1-3 h windows on the hour within {args.days} days, {args.duration:.0f} s, "
        f"gunicorn {args.workers} workers x {args.threads} threads (production settings, role "
        f"{app_role_url().split('://')[1].split('@')[0].split(':')[0]}), "
        + (f"Celery worker x {args.celery_concurrency}" if args.celery_concurrency else "no Celery worker")
    )
    from config.celery import app as celery_app

    discarded = celery_app.control.purge()  # a run's own backlog only: leftovers would be counted against it
    if discarded:
        print(f"discarded {discarded} tasks left in the broker by earlier runs (use a benchmark Redis)")
    results: list[tuple[int, float, str]] = []
    drained: tuple[int, int, float] | None = None
    with (
        Gunicorn(workers=args.workers, threads=args.threads, DJANGO_SECRET_KEY=secret_key) as server,
        CeleryWorker(concurrency=args.celery_concurrency, env=server.env) as worker,
    ):
        cpu_before = cpu_seconds(server, worker)
        workers_before = worker_cpu(server)
        stop_at = time.monotonic() + args.duration
        began = time.monotonic()
        clients = [
            threading.Thread(target=hammer, args=(server.url, token, listing_ids, args, stop_at, results))
            for token in tokens
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - began
        shares = worker_shares(workers_before, worker_cpu(server))
        if args.celery_concurrency:
            booked_so_far = sum(1 for status, _, _ in results if status == 201)
            drained = wait_for_notifications(people, booked_so_far)
        cpu_after = cpu_seconds(server, worker)
    statuses = Counter(status for status, _, _ in results)
    booked = statuses[201]
    conflicts = statuses[409]
    errors = sum(count for status, count in statuses.items() if status not in (201, 409))
    all_ms = [seconds * 1000 for _, seconds, _ in results]
    booked_ms = [seconds * 1000 for status, seconds, _ in results if status == 201]
    per_client = Counter(token for _, _, token in results)
    answered = [per_client[token] for token in tokens]
    print(f"requests           {len(results):>8}  ({len(results) / elapsed:.1f}/s)")
    print(f"bookings (201)     {booked:>8}  ({booked / elapsed:.1f}/s)")
    print(f"conflicts (409)    {conflicts:>8}")
    print(f"errors (other)     {errors:>8}  {dict(sorted((s, c) for s, c in statuses.items() if s not in (201, 409)))}")
    if all_ms:
        print(
            f"latency, all       p50 {statistics.median(all_ms):7.1f} ms  p95 {percentile(all_ms, 0.95):7.1f} ms"
            f"  p99 {percentile(all_ms, 0.99):7.1f} ms  max {max(all_ms):7.1f} ms"
            f"  mean {statistics.fmean(all_ms):7.1f} ms"
        )
    if booked_ms:
        print(
            f"latency, booked    p50 {statistics.median(booked_ms):7.1f} ms  p95 {percentile(booked_ms, 0.95):7.1f} ms"
        )
    if results:
        # A client the server never accepts shows here (0), and in the max latency, not in the p95.
        print(f"answers per client min {min(answered)}  median {statistics.median(answered):.0f}  max {max(answered)}")
        spent = {part: max(0.0, cpu_after[part] - cpu_before.get(part, 0.0)) for part in cpu_after}
        print(
            "CPU per request      "
            + "  ".join(f"{part} {seconds * 1000 / len(results):.1f} ms" for part, seconds in spent.items())
            + f"  (of {os.cpu_count()} cores x {elapsed:.0f} s = {os.cpu_count() * elapsed:.0f} CPU-s; "
            f"this run used {sum(spent.values()):.0f})"
        )
    if shares:
        print(
            "gunicorn workers     share of their CPU "
            + " / ".join(f"{share:.0%}" for share in shares)
            + " (kept-alive connections stay with the worker that accepted them)"
        )
    if drained is not None:
        written, undelivered, waited = drained
        print(
            f"notifications      {written:>8}  written by the worker, {undelivered} undelivered; it finished "
            f"{waited:.1f} s after the load ({booked / (elapsed + waited):.1f} bookings/s counting that time)"
        )
    overlaps = overlapping_pairs(listing_ids)
    stored = active_bookings(listing_ids)
    print(f"active bookings stored {stored} (answered 201: {booked})")
    print(f"overlapping active bookings of one space (SQL tstzrange && self-join): {overlaps}")
    if not booked:
        print("FAILED: nothing was booked (see the errors above and the gunicorn log)", file=sys.stderr)
        return 1
    if overlaps or stored != booked:
        print("FAILED: double bookings or lost bookings", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
