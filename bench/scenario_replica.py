"""Read replicas for real: a private primary and a streaming replica made by `pg_basebackup -R`, and the router.

    .venv/bin/python -m bench.scenario_replica [--writes 20]
or through the bench runner:  .venv/bin/python -m bench replica

1. initdb a private primary in a folder under /var/tmp (wal_level=replica, max_wal_senders, a `replicator`
   role with REPLICATION and its pg_hba line; as the `postgres` OS user through `runuser` when we are root),
   migrate the project's schema into it, then `pg_basebackup -R -X stream` a copy and start it as a hot standby;
2. in a child process configured only through the environment the way production is (DATABASE_URL = the primary,
   DATABASE_REPLICA_URLS = the standby), check the router (config/db_router.py) on real connections: which alias
   each read uses and whether that server is in recovery (`pg_is_in_recovery()` on the connection used): reads
   marked `use_replica()` hit the standby; the same reads inside `transaction.atomic()`, bookings and unmarked
   reads hit the primary; a row written on the primary is then read back from the standby, timing how long it
   took to appear (the replication lag as a reader sees it) along with `pg_stat_replication`'s replay lag;
3. stops and removes both clusters.

Our own PostgreSQL (DATABASE_URL) is not touched: the clusters are throwaway, on free ports.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


# It makes its own primary and replica: DATABASE_URL need not be reachable (bench/__main__.py).
NEEDS_DATABASE = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--writes", type=int, default=20, help="rows written on the primary and awaited (default 20)")
    parser.add_argument(
        "--schema",
        choices=("full", "minimal"),
        default="full",
        help="full: the project's migrations, probed with listings (default); minimal: content types only (fast)",
    )
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)  # the child process's part


def postgres_bin() -> Path | None:
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return installed[-1].parent if installed else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamingPair:
    """A throwaway primary and its streaming replica: `with StreamingPair() as pair:` ... pair.primary_url."""

    def __init__(self) -> None:
        found = postgres_bin()
        if found is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb) not found under /usr/lib/postgresql")
        self.bin = found
        self.folder = Path(tempfile.mkdtemp(prefix="pinch-replica-", dir="/var/tmp"))
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres")
        self.primary, self.standby = self.folder / "primary", self.folder / "standby"
        self.primary_port, self.standby_port = free_port(), free_port()
        self.started: list[Path] = []

    def _run(self, *command: str) -> str:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=180)
        if done.returncode:
            raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def _start(self, data: Path, port: int) -> None:
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
        log = str(self.folder / f"{data.name}.log")
        self._run(str(self.bin / "pg_ctl"), "start", "-D", str(data), "-l", log, "-w", "-t", "60", "-o", options)
        self.started.append(data)

    def start_primary(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with (self.primary / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n")
        with (self.primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication replicator 127.0.0.1/32 trust\n")
        self._start(self.primary, self.primary_port)
        self.sql(self.primary_port, "CREATE ROLE replicator WITH REPLICATION LOGIN")

    def start_standby(self) -> None:
        self._run(
            str(self.bin / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "replicator"),
            *("-D", str(self.standby), "-R", "-X", "stream", "-c", "fast"),
        )
        self._start(self.standby, self.standby_port)

    def sql(self, port: int, statement: str, database: str = "postgres") -> str:
        return self._run(
            str(self.bin / "psql"),
            *("-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database),
            *("-XAtq", "-v", "ON_ERROR_STOP=1", "-c", statement),
        ).strip()

    def url(self, port: int, database: str = "pinch") -> str:
        return f"postgis://postgres@127.0.0.1:{port}/{database}"

    def __enter__(self) -> "StreamingPair":
        return self

    def __exit__(self, *exc_info: object) -> None:
        for data in reversed(self.started):
            try:
                self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(data), "-w", "-t", "60", "-m", "immediate")
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"warning: could not stop the cluster in {data}: {error}", file=sys.stderr)
        shutil.rmtree(self.folder, ignore_errors=True)


def child_env(**values: str) -> dict[str, str]:
    env = {**os.environ, **values}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


def set_up(pair: StreamingPair, schema: str) -> None:
    """Primary with the schema, then the standby copied from it."""
    pair.start_primary()
    pair.sql(pair.primary_port, "CREATE DATABASE pinch")
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    if schema == "minimal":
        migrate.append("contenttypes")
    done = subprocess.run(
        migrate,
        cwd=ROOT,
        env=child_env(DATABASE_URL=pair.url(pair.primary_port), DATABASE_REPLICA_URLS=""),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise RuntimeError(f"migrate on the private primary failed: {done.stderr[-2000:]}")
    pair.start_standby()


def run_probe_child(pair: StreamingPair, args: argparse.Namespace) -> subprocess.CompletedProcess:
    """`python -m bench.scenario_replica --probe` with the primary as default and the standby as replica_1."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.scenario_replica",
            "--probe",
            "--schema",
            args.schema,
            "--writes",
            str(args.writes),
        ],
        cwd=ROOT,
        env=child_env(
            DATABASE_URL=pair.url(pair.primary_port),
            DATABASE_REPLICA_URLS=pair.url(pair.standby_port),
            DATABASE_CONN_MAX_AGE="0",
            CACHE_KEY_PREFIX=f"replica-probe-{uuid.uuid4().hex[:8]}",  # not the cached pages of another database
            THROTTLE_SEARCH_IP="1000000/min",
            THROTTLE_SEARCH_USER="1000000/min",
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- the child: the router on real connections ------------------------------------------------------------------------


def _in_recovery(alias: str) -> bool:
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def _writer(schema: str):
    """(model, make one row on the primary -> pk) for the schema migrated."""
    if schema == "minimal":
        from django.contrib.contenttypes.models import ContentType

        return ContentType, lambda: ContentType.objects.create(app_label="bench", model=uuid.uuid4().hex).pk

    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import Point

    from apps.listings.models import Listing
    from apps.listings.services import create_listing

    host = get_user_model().objects.create_user(
        email=f"replica-host-{uuid.uuid4().hex[:8]}@example.com", user_type="HOST", is_email_verified=True
    )

    def write() -> int:
        return create_listing(
            host=host,
            location=Point(-97.7431, 30.2672, srid=4326),
            title="Replica probe garage",
            description="Written on the primary, read on the replica",
            spot_type="GARAGE",
            address="1 Congress Ave",
            city="Austin",
            state="TX",
            zip_code="78701",
            price_per_hour="5.00",
            price_per_day="30.00",
        ).pk

    return Listing, write


def _counter(counts: dict[str, int], alias: str):
    def count(execute, sql, params, many, context):
        counts[alias] += 1
        if 'FROM "listings"' in sql:  # the search statements, written by hand, and the ORM's listing reads
            counts[f"{alias} listings"] += 1
        return execute(sql, params, many, context)

    return count


def through_the_middleware(listing_id: int) -> list[str]:
    """Real requests through Django's stack (ReplicaReadsMiddleware): how many statements ran on each server."""
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    guest = get_user_model().objects.create_user(email=f"replica-guest-{uuid.uuid4().hex[:8]}@example.com")
    client = Client(headers={"Authorization": f"Bearer {AccessToken.for_user(guest)}"})
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    window = urlencode({"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()})
    requests = [
        ("GET search", "get", "/api/v1/listings?lat=30.2672&lng=-97.7431&radius_m=2000", True),
        ("GET search with a window", "get", f"/api/v1/listings?lat=30.2672&lng=-97.7431&radius_m=2000&{window}", True),
        ("GET listing detail", "get", f"/api/v1/listings/{listing_id}", True),
        ("GET a listing's reviews", "get", f"/api/v1/listings/{listing_id}/reviews", True),
        ("GET bookings (not lag-tolerant)", "get", "/api/v1/bookings", False),
    ]
    failures = []
    print("Requests through the middleware (statements run on each server):")
    for label, method, path, expect_replica in requests:
        counts = {"default": 0, "replica_1": 0, "default listings": 0, "replica_1 listings": 0}
        with (
            connections["default"].execute_wrapper(_counter(counts, "default")),
            connections["replica_1"].execute_wrapper(_counter(counts, "replica_1")),
        ):
            status = getattr(client, method)(path).status_code
        # A lag-tolerant request reads every listing row from the replica; the rest touch only the primary.
        ok = (
            (counts["replica_1"] > 0 and counts["default listings"] == 0) if expect_replica else not counts["replica_1"]
        )
        failures.extend([] if ok else [label])
        print(
            f"  {label:<34} {status}  primary {counts['default']:>3}  replica {counts['replica_1']:>3}  "
            f"{'ok' if ok else 'WRONG'}"
        )
    return failures


def probe(args: argparse.Namespace) -> int:
    from django.db import connections, transaction

    from config.db_router import use_replica

    model, write = _writer(args.schema)
    label = f"{model._meta.app_label}.{model.__name__}"
    failures = []

    def route(what: str, queryset, expect_replica: bool) -> None:
        alias = queryset.db
        list(queryset[:1])  # the read itself, on that alias
        recovery = _in_recovery(alias)
        ok = recovery == expect_replica
        failures.extend([] if ok else [what])
        server = "replica (in recovery)" if recovery else "primary"
        print(f"  {what:<46} -> {alias:<10} {server:<22} {'ok' if ok else 'WRONG'}")

    print(f"Routing of {label} reads (pg_is_in_recovery() on the connection each read used):")
    route("unmarked read", model.objects.all(), expect_replica=False)
    with use_replica():
        route("use_replica() read", model.objects.all(), expect_replica=True)
        with transaction.atomic():
            route("use_replica() read inside transaction.atomic()", model.objects.all(), expect_replica=False)
    if args.schema == "full":
        from apps.bookings.models import Booking

        with use_replica():
            route("use_replica() read of bookings", Booking.objects.all(), expect_replica=False)

    delays = []
    for _ in range(args.writes):
        pk = write()  # autocommit on the primary
        written = time.perf_counter()
        with use_replica():
            while not model.objects.filter(pk=pk).exists():
                if time.perf_counter() - written > 10:
                    print(f"FAILED: row {pk} not on the replica after 10 s", file=sys.stderr)
                    return 1
                time.sleep(0.0005)
        delays.append((time.perf_counter() - written) * 1000)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT application_name, state, sync_state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
            " COALESCE(EXTRACT(epoch FROM replay_lag) * 1000, 0) FROM pg_stat_replication"
        )
        senders = cursor.fetchall()
    print(
        f"Replication lag as a reader sees it ({args.writes} rows written on the primary, polled on the replica): "
        f"p50 {statistics.median(delays):.1f} ms, max {max(delays):.1f} ms"
    )
    for name, state, sync, behind, replay_ms in senders:
        print(f"pg_stat_replication: {name} {state} {sync}, {int(behind)} bytes behind, replay_lag {replay_ms:.1f} ms")
    if not senders:
        failures.append("no WAL sender on the primary")
    if args.schema == "full":
        failures.extend(through_the_middleware(pk))
    if failures:
        print(f"FAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    print("OK: lag-tolerant reads hit the replica; reads in a transaction, bookings and unmarked reads the primary")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.writes < 1:
        print("error: --writes must be at least 1", file=sys.stderr)
        return 2
    if args.probe:
        return probe(args)
    began = time.monotonic()
    try:
        pair = StreamingPair()
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with pair:
        print(
            f"Private primary on port {pair.primary_port}, replica by pg_basebackup -R on port {pair.standby_port} "
            f"({args.schema} schema)"
        )
        set_up(pair, args.schema)
        print(
            f"  ready in {time.monotonic() - began:.1f} s; the replica says pg_is_in_recovery() = "
            f"{pair.sql(pair.standby_port, 'SELECT pg_is_in_recovery()')}"
        )
        child = run_probe_child(pair, args)
        print(child.stdout, end="")
        if child.returncode:
            print(child.stderr[-3000:], file=sys.stderr, end="")
        return child.returncode


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
