"""HTTP mix: a headless locust run against gunicorn with the production settings, next to the floor of the stack.

    .venv/bin/python -m bench.scenario_http [--users 32] [--duration 30] [--workers 3] [--threads 4]
or through the bench runner:  .venv/bin/python -m bench http

Against the listings already in the database of DATABASE_URL (`manage.py seed_bench`, or `seed_demo`):
1. samples up to 500 active listings and makes 8 verified guests with JWTs (for the 2 % of bookings), written to
   a fixture file bench/locustfile.py reads;
2. starts gunicorn (deploy/gunicorn.conf.py, DEBUG off, `--workers` x `--threads`, as the application role with
   row-level security, throttles raised: every locust user comes from 127.0.0.1);
3. runs locust headless as a separate process (`.venv/bin/locust -f bench/locustfile.py --headless ...`), three
   times for `--duration` seconds each: the mix (search 70 %, listing detail 20 %, quote 8 %, booking 2 %),
   listing detail alone, and the floor (/healthz, a trivial Django JSON view); prints requests/s and p50/p95 of
   each request kind from locust's CSV, and detail's requests/s as a share of the floor's;
4. prints the resident memory (RSS) of each gunicorn worker after the runs, then stops gunicorn.

Locust runs on the same 2 cores as gunicorn, PostgreSQL and Redis (and whatever else the machine is doing): the
requests/s are what this one machine does with its own load generator, a floor rather than a ceiling.
"""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.scenario_booking import Gunicorn, access_token, cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
LOCUST = Path(sys.executable).with_name("locust")
GUESTS = 8
RUNS = (("mix", "MixUser"), ("detail only", "DetailUser"), ("floor (/healthz)", "FloorUser"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=32, help="concurrent locust users (default 32)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each locust run (default 30)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3: cores + 1)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")


def check_arguments(args: argparse.Namespace) -> str | None:
    for name in ("users", "duration", "workers", "threads"):
        if getattr(args, name) < 1:
            return f"--{name} must be at least 1"
    if not LOCUST.exists():
        return f"locust is not installed ({LOCUST} is missing): pip install -r requirements.lock"
    return None


def sample_listings(limit: int = 500) -> list[list[float]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ST_X(location::geometry), ST_Y(location::geometry) FROM listings"
            " WHERE is_active AND deleted_at IS NULL ORDER BY random() LIMIT %s",
            [limit],
        )
        return [list(row) for row in cursor.fetchall()]


def make_guests(secret_key: str) -> list[str]:
    import uuid

    from django.contrib.auth import get_user_model

    from apps.users.rls import SYSTEM, set_db_context

    set_db_context(context=SYSTEM)
    run = uuid.uuid4().hex[:8]
    users = get_user_model().objects
    return [
        access_token(users.create_user(email=f"bench-http-{run}-{n}@example.com", is_email_verified=True), secret_key)
        for n in range(GUESTS)
    ]


def run_locust(url: str, user_class: str, args: argparse.Namespace, folder: Path, fixture: Path) -> list[dict]:
    """Rows of locust's stats CSV (one per request name, then Aggregated)."""
    prefix = folder / user_class
    command = [
        str(LOCUST),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.users),
        "-t",
        f"{args.duration}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "BENCH_HTTP_FIXTURE": str(fixture)},
        capture_output=True,
        text=True,
        timeout=args.duration + 120,
    )
    stats = prefix.with_name(prefix.name + "_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}): {done.stderr[-2000:]}")
    failures = prefix.with_name(prefix.name + "_failures.csv")
    if failures.exists():
        with failures.open() as rows:
            for row in csv.DictReader(rows):
                print(f"  failure: {row['Name']}: {row['Error'][:160]} (x{row['Occurrences']})")
    with stats.open() as rows:
        return list(csv.DictReader(rows))


def print_rows(label: str, rows: list[dict]) -> float:
    """Prints the rows; returns the Aggregated requests/s."""
    total = 0.0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else f"{label}: all"
        per_second = float(row["Requests/s"])
        print(
            f"  {name:<28} {int(row['Request Count']):>8} {int(row['Failure Count']):>6} "
            f"{per_second:>8.1f} {row['50%']:>7} {row['95%']:>7}"
        )
        if row["Name"] == "Aggregated":
            total = per_second
    return total


def run(args: argparse.Namespace) -> int:
    problem = check_arguments(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    listings = sample_listings()
    if not listings:
        print("the database is empty: run seed_bench first (or seed_demo): there are no active listings to load")
        return 1
    secret_key = secrets.token_urlsafe(64)
    tokens = make_guests(secret_key)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listings WHERE is_active AND deleted_at IS NULL")
        active = cursor.fetchone()[0]
    print(
        f"HTTP: locust {args.users} users x {args.duration} s per run against gunicorn {args.workers} workers x "
        f"{args.threads} threads (production settings, application role), {active} active listings "
        f"({len(listings)} sampled), {os.cpu_count()} cores shared with locust and the databases"
    )
    print(f"  {'request':<28} {'count':>8} {'fails':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    totals = {}
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder_name:
        folder = Path(folder_name)
        fixture = folder / "fixture.json"
        fixture.write_text(json.dumps({"listings": listings, "tokens": tokens, "days": 60}))
        with Gunicorn(workers=args.workers, threads=args.threads, DJANGO_SECRET_KEY=secret_key) as server:
            for label, user_class in RUNS:
                before = cpu_seconds(server)
                rows = run_locust(server.url, user_class, args, folder, fixture)
                after = cpu_seconds(server)
                totals[label] = print_rows(label, rows)
                count = sum(int(row["Request Count"]) for row in rows if row["Name"] == "Aggregated")
                if count:
                    print(
                        "  CPU per request: "
                        + ", ".join(
                            f"{part} {max(0.0, after[part] - before[part]) * 1000 / count:.1f} ms" for part in after
                        )
                    )
            rss = []
            import psutil

            for pid in server.worker_pids():
                rss.append(psutil.Process(pid).memory_info().rss / 2**20)
    floor = totals["floor (/healthz)"]
    if floor:
        print(f"listing detail: {totals['detail only'] / floor:.0%} of the floor's requests/s")
    print(
        "gunicorn worker RSS after the runs: "
        + ", ".join(f"{value:.0f} MiB" for value in sorted(rss))
        + (f" (max {max(rss):.0f} MiB)" if rss else "")
    )
    return 0


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
