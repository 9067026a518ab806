"""Search, timed two ways in one run: through the API and as the raw SQL the API sends.

    python manage.py seed_bench --listings 20000     (once) then
    python -m bench search [--repeat 15] [--page-size 20] [--explain]

A fixed mix of searches (radius 1 and 5 km in the densest and in sparse ZIP areas, with and without a bookable
window, with filters, a polygon, a route, full text) is sent to GET /api/v1/listings through Django's in-process
test client (anonymous, throttles lifted; everything else as in production: DRF, serializers, the search signal,
connections resting in the anonymous row-level security context as gunicorn's are).
Each search's SQL is captured once (an execute wrapper: statement and parameters) and replayed with psycopg on the
same connection, statement by statement, fetching every row; the API and the replay alternate, `--repeat` times
each. Printed per kind and overall: p50/p95/p99 in ms of both and the ratio API/raw SQL at p50. The overall row's
ratio divides the median of every API time by the median of every replay, which may be the times of different
searches (the mix's API median can fall on a 5 km search while its SQL median falls on a 1 km one), so a last line
gives the median of each request's own ratio (its API time over its replay's) and how many kinds are at or under
2.0. `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of each kind.
"""

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from bench import EMPTY_DATABASE, percentile

WRITES = ("INSERT", "UPDATE", "DELETE")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each search, both ways (default 15)")
    parser.add_argument("--page-size", type=int, default=20, help="results per page, 1 to 100 (default 20)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) the slowest statements")
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="first load the search tables and their indexes into shared buffers (pg_prewarm)",
    )


# What a search reads: the listings and what they join, and the indexes of the tables a search probes.
PREWARM_RELATIONS = """
SELECT c.oid, c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')
   AND (c.relname ~ '^(listings|users|listing_spaces|listing_photos|bookings|availability_)'
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (
            'listings'::regclass, 'users'::regclass, 'listing_spaces'::regclass, 'bookings'::regclass)))
 ORDER BY pg_relation_size(c.oid)
"""


def _prewarm(connection) -> None:
    """Load what a search reads into shared buffers, so that the figures do not depend on what the machine's page
    cache happened to keep (this VM drops it within minutes: searches right after seeding read from disk)."""
    from django.db import DatabaseError

    began = time.perf_counter()
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except DatabaseError as error:
            print(f"--prewarm skipped: the pg_prewarm extension is not available here ({str(error).strip()})")
            return
        cursor.execute(PREWARM_RELATIONS)
        relations = cursor.fetchall()
        loaded = 0
        for number, (oid, name, size) in enumerate(relations, start=1):
            cursor.execute("SELECT pg_prewarm(%s)", [oid])
            loaded += size
            if number % 10 == 0 or number == len(relations):
                print(f"prewarm: {number}/{len(relations)} relations, {loaded / 2**20:,.0f} MiB (last: {name})")
    print(f"prewarmed {len(relations)} relations, {loaded / 2**20:,.0f} MiB in {time.perf_counter() - began:.1f} s")


@dataclass
class Area:
    zip_code: str
    lat: float
    lng: float
    listings: int


@dataclass
class Kind:
    label: str
    api_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    queries: int = 0
    results: list[int] = field(default_factory=list)
    slowest: tuple[float, str, object] = (0.0, "", None)


def _areas() -> tuple[list[Area], list[Area]]:
    """The three ZIP areas with the most listings and three with one or two."""
    from django.db import connection

    sql = """
        SELECT zip_code, ST_Y(ST_Centroid(ST_Collect(location))), ST_X(ST_Centroid(ST_Collect(location))), count(*) AS n
        FROM listings WHERE is_active AND NOT is_deleted GROUP BY zip_code
    """
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY n DESC, zip_code LIMIT 3")
        dense = [Area(*row) for row in cursor.fetchall()]
        cursor.execute(f"SELECT * FROM ({sql}) AS areas WHERE n <= 2 ORDER BY zip_code LIMIT 3")
        sparse = [Area(*row) for row in cursor.fetchall()]
    return dense, sparse or dense


def _window() -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    return {
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _square(area: Area, half: float) -> str:
    ring = [
        [area.lng - half, area.lat - half],
        [area.lng + half, area.lat - half],
        [area.lng + half, area.lat + half],
        [area.lng - half, area.lat + half],
        [area.lng - half, area.lat - half],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _route(area: Area) -> str:
    line = [[area.lng - 0.04, area.lat - 0.02], [area.lng, area.lat], [area.lng + 0.04, area.lat + 0.02]]
    return json.dumps({"type": "LineString", "coordinates": line})


def _mix(dense: list[Area], sparse: list[Area]) -> list[tuple[str, list[dict]]]:
    """(kind, the query strings of that kind, one per area)."""
    window = _window()

    def near(area: Area, radius: int, **extra) -> dict:
        return {"lat": f"{area.lat:.6f}", "lng": f"{area.lng:.6f}", "radius_m": radius, **extra}

    filters = {"spot_type": "GARAGE", "features": "covered", "vehicle_size": "SUV", "price_max": "40"}
    return [
        ("radius 1 km dense", [near(a, 1000) for a in dense]),
        ("radius 5 km dense", [near(a, 5000) for a in dense]),
        ("radius 5 km sparse", [near(a, 5000) for a in sparse]),
        ("radius 1 km dense + window", [near(a, 1000, **window) for a in dense]),
        ("radius 5 km dense + window", [near(a, 5000, **window) for a in dense]),
        ("radius 5 km sparse + window", [near(a, 5000, **window) for a in sparse]),
        ("radius 3 km dense + filters", [near(a, 3000, **filters) for a in dense]),
        ("polygon 3 km dense", [{"within": _square(a, 0.015)} for a in dense]),
        ("route 8 km dense", [{"route": _route(a), "route_buffer_m": 300} for a in dense]),
        ("full text 5 km dense", [near(a, 5000, q="stadium", sort="relevance") for a in dense]),
    ]


class _Recorder:
    """Each statement with its parameters and how it was sent: bound on the server (and so prepared, the cursors of
    `apps.core.prepared`) or on the client (Django's own cursors)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, object, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        import psycopg

        server_bound = not isinstance(context["cursor"].cursor, psycopg.ClientCursor)
        self.statements.append((sql, params, server_bound))
        return execute(sql, params, many, context)


def _replay(raw, statements) -> tuple[float, float, str, object]:
    """Run the captured reads with psycopg as the API sent them, on the same connection (so a statement the API
    prepared is executed as prepared); (total ms, slowest ms, its SQL, its parameters)."""
    import psycopg

    slowest = (0.0, "", None)
    total = time.perf_counter()
    with raw.cursor() as client_bound, psycopg.Cursor(raw) as server_bound:
        for sql, params, on_server in statements:
            cursor = server_bound if on_server else client_bound
            began = time.perf_counter()
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()
            took = (time.perf_counter() - began) * 1000
            if took > slowest[0]:
                slowest = (took, sql, params)
    return (time.perf_counter() - total) * 1000, *slowest


def paired_ratio_median(api: list[float], raw: list[float]) -> float:
    """The median of each request's API time over the time of its own SQL (the lists are in request order)."""
    return percentile(sorted(a / r for a, r in zip(api, raw, strict=True) if r), 0.5)


def _row(label: str, api: list[float], raw: list[float], queries: str, results: str) -> str:
    api, raw = sorted(api), sorted(raw)
    a50, r50 = percentile(api, 0.5), percentile(raw, 0.5)
    ratio = a50 / r50 if r50 else 0.0
    return (
        f"{label:<30} {results:>7} {queries:>4} "
        f"{a50:>7.1f} {percentile(api, 0.95):>7.1f} {percentile(api, 0.99):>7.1f}  "
        f"{r50:>7.1f} {percentile(raw, 0.95):>7.1f} {percentile(raw, 0.99):>7.1f}  {ratio:>5.2f}"
    )


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from apps.core.memory import freeze_startup_objects
    from apps.listings.models import Listing

    if args.repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    if not 1 <= args.page_size <= 100:
        print("error: --page-size must be between 1 and 100", file=sys.stderr)
        return 2
    if not Listing.objects.exists():
        print(EMPTY_DATABASE)
        return 1

    if args.prewarm:
        _prewarm(connection)
    dense, sparse = _areas()
    print("dense areas:  " + ", ".join(f"{a.zip_code} ({a.listings} listings)" for a in dense))
    print("sparse areas: " + ", ".join(f"{a.zip_code} ({a.listings})" for a in sparse))
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min")
    unthrottled = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = Client()
    kinds: list[Kind] = []
    # Without DEBUG WhiteNoise serves only collected static files and warns that there are none: a search needs none.
    warnings.filterwarnings("ignore", message="No directory at")
    # A web process's connections rest in the anonymous context between requests (deploy/gunicorn.conf.py), so an
    # anonymous search sends no context statement: the same here. DEBUG is off as in production: with it on, Django
    # records every statement, WhiteNoise looks for a static file at every path and templates keep debug data, none
    # of which a production request pays (the client's first request, below, builds the middleware under these
    # settings).
    # As in a gunicorn worker (deploy/gunicorn.conf.py, post_worker_init): what start-up made is frozen out of the
    # garbage collector's way, so a full collection does not add ~70 ms to the search that meets it.
    freeze_startup_objects()
    with override_settings(
        REST_FRAMEWORK=unthrottled,
        DATABASE_RLS_DEFAULT_CONTEXT="anonymous",
        DEBUG=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
    ):
        connection.ensure_connection()
        for label, searches in _mix(dense, sparse):
            kind = Kind(label)
            for query in searches:
                url = f"/api/v1/listings?{urlencode({**query, 'page_size': args.page_size})}"
                response = client.get(url, secure=True)  # warm-up
                if response.status_code != 200:
                    print(f"error: {label}: {url} answered {response.status_code}: {response.content[:300]!r}")
                    return 1
                kind.results.append(response.json()["count"])
                recorder = _Recorder()
                with connection.execute_wrapper(recorder):
                    client.get(url, secure=True)
                reads = [
                    statement
                    for statement in recorder.statements
                    if not statement[0].lstrip().upper().startswith(WRITES)
                ]
                kind.queries = max(kind.queries, len(recorder.statements))
                for _ in range(args.repeat):
                    began = time.perf_counter()
                    client.get(url, secure=True)
                    kind.api_ms.append((time.perf_counter() - began) * 1000)
                    total, slow_ms, slow_sql, slow_params = _replay(connection.connection, reads)
                    kind.raw_ms.append(total)
                    if slow_ms > kind.slowest[0]:
                        kind.slowest = (slow_ms, slow_sql, slow_params)
            kinds.append(kind)

    print(f"\n{len(kinds)} kinds x {len(dense)} areas x {args.repeat} runs; page size {args.page_size}; ms")
    print(f"{'':<30} {'':>7} {'':>4} {'API (test client)':^25}  {'raw SQL (psycopg)':^25}  {'API/':>5}")
    columns = f"{'p50':>7} {'p95':>7} {'p99':>7}"
    print(f"{'kind':<30} {'results':>7} {'SQL':>4} {columns}  {columns}  {'raw':>5}")
    for kind in kinds:
        median_results = sorted(kind.results)[len(kind.results) // 2]
        print(_row(kind.label, kind.api_ms, kind.raw_ms, str(kind.queries), str(median_results)))
    every_api = [value for kind in kinds for value in kind.api_ms]
    every_raw = [value for kind in kinds for value in kind.raw_ms]
    print(_row("overall", every_api, every_raw, "", ""))
    at_most_two = sum(percentile(sorted(k.api_ms), 0.5) <= 2 * percentile(sorted(k.raw_ms), 0.5) for k in kinds)
    print(
        f"API/raw of each request, median: {paired_ratio_median(every_api, every_raw):.2f}; "
        f"kinds with API/raw <= 2.0 at p50: {at_most_two} of {len(kinds)}"
    )
    print(
        "Targets at 1M listings: API p50 <= 20 ms, p95 <= 50 ms; API/raw <= 2.0 at p50; raw radius+window p50 <= 8 ms."
    )

    if args.explain:
        with connection.connection.cursor() as cursor:
            for kind in kinds:
                took, sql, params = kind.slowest
                if not sql:
                    continue
                print(
                    f"\n# {kind.label}: slowest statement {took:.1f} ms\n{sql[:400]}{'...' if len(sql) > 400 else ''}"
                )
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                print("\n".join(row[0] for row in cursor.fetchall()))
    return 0
