"""The measuring process of `python -m bench booking_cpu` (run by it with the production settings, not by hand).

Its argument is a JSON job: {"listings": [ids], "guests": [user ids], "bookings": n}. It prints one JSON line of
figures: the bookings measured, their answers by status, the process's and its PostgreSQL backend's CPU seconds,
the wall seconds and the statements sent.
"""

import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

WARM_UP = 20


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from apps.users.rls import SYSTEM, set_db_context
    from bench.scenario_booking import VEHICLE, access_token

    job = json.loads(sys.argv[1])
    set_db_context(context=SYSTEM)  # to read the guests' accounts for their tokens
    guests = list(get_user_model().objects.filter(pk__in=job["guests"]))
    tokens = [access_token(guest, settings.SECRET_KEY) for guest in guests]
    connection.close()  # the requests start on a new connection, as a web worker's do

    client = Client(HTTP_HOST="127.0.0.1")
    first = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    chooser = random.Random()
    statuses: Counter = Counter()

    def book() -> int:
        start = first + timedelta(hours=chooser.randrange(3 * 365 * 24))
        body = {
            "listing": chooser.choice(job["listings"]),
            "start_datetime": start.isoformat(),
            "end_datetime": (start + timedelta(hours=chooser.randint(1, 3))).isoformat(),
            "vehicle": VEHICLE,
            "payment_method": "pm_card_visa",
        }
        return client.post(
            "/api/v1/bookings",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {chooser.choice(tokens)}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        ).status_code

    for _ in range(WARM_UP):
        book()

    def backend_cpu() -> float:
        stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    backend = connection.connection.info.backend_pid
    backend_before, process_before, wall_before = backend_cpu(), time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        for _ in range(job["bookings"]):
            statuses[str(book())] += 1
    wall, process = time.perf_counter() - wall_before, time.process_time() - process_before
    if connection.connection is None or connection.connection.info.backend_pid != backend:
        print("error: the database connection was replaced during the run", file=sys.stderr)
        return 1
    figures = {
        "bookings": job["bookings"],
        "statuses": dict(statuses),
        "process_cpu": process,
        "backend_cpu": backend_cpu() - backend_before,
        "wall": wall,
        "statements": statements,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
