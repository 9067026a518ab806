"""The CPU of one booking, in-process: bookings one after another through Django's test client, no contention.

    .venv/bin/python -m bench booking_cpu [--bookings 400]

What it does, against the database of DATABASE_URL (migrated; it makes its own data):
1. creates a host with 4 instant-book listings of 2 spaces and 32 verified guests, as the booking scenario does;
2. starts a child process with the production settings (DEBUG off, a fresh secret key, row-level security on as the
   application role), which POSTs /api/v1/bookings through `django.test.Client` 20 times to warm up and then
   `--bookings` times, each for a random guest (a JWT bearer token), listing and 1-3 hour window within three
   years (so that few conflict) and with a fresh Idempotency-Key;
3. prints, per booking: the child's CPU (middleware, DRF, the ORM, psycopg: everything but the HTTP server), the
   CPU of its PostgreSQL backend (read from /proc: the database must run on this machine), the wall time and the
   SQL statements sent.

One client, no network and no gunicorn: the figures follow what the code costs, not how 32 clients are scheduled
over 2 cores, so they compare two commits better than the booking scenario does (alternate the runs: the machine's
speed drifts). The notifications' Celery task is only queued (no worker runs).
"""

import argparse
import json
import secrets
import subprocess
import sys

from bench.scenario_booking import ROOT, make_people_and_places, production_env

WARM_UP = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bookings", type=int, default=400, help="bookings measured, after 20 to warm up (400)")


def check_arguments(args: argparse.Namespace) -> str | None:
    if args.bookings < 1:
        return "--bookings must be at least 1"
    return None


def run(args: argparse.Namespace) -> int:
    problem = check_arguments(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    secret_key = secrets.token_urlsafe(64)
    listing_ids, _, people = make_people_and_places(clients=32, listings=4, spaces=2, secret_key=secret_key)
    print(
        f"The CPU of one booking: {args.bookings} bookings one after another (after {WARM_UP} to warm up) through "
        "Django's test client in one process with the production settings, as the application role, 4 listings"
    )
    env = production_env(
        0,
        1,
        1,
        DJANGO_SECRET_KEY=secret_key,
        DATABASE_RLS_DEFAULT_CONTEXT="anonymous",  # as in gunicorn
        DATABASE_CONN_MAX_AGE="86400",  # one connection, one backend to read the CPU of, for the whole run
    )
    job = json.dumps({"listings": listing_ids, "guests": people[1:], "bookings": args.bookings})
    child = subprocess.run(
        [sys.executable, "-m", "bench.booking_cpu_child", job],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        print(f"error: the child process failed ({child.returncode}):\n{child.stderr[-3000:]}", file=sys.stderr)
        return 1
    figures = json.loads(lines[-1])
    n = figures["bookings"]
    print(f"answers               {figures['statuses']}")
    print(
        f"per booking           process CPU {1000 * figures['process_cpu'] / n:.2f} ms  "
        f"PostgreSQL backend CPU {1000 * figures['backend_cpu'] / n:.2f} ms  wall {1000 * figures['wall'] / n:.2f} ms"
    )
    print(f"SQL statements        {figures['statements'] / n:.1f} a booking")
    if figures["statuses"].get("201", 0) == 0:
        print("error: no booking was made", file=sys.stderr)
        return 1
    return 0
