"""SQL queries per request of the main API endpoints at page sizes 1 and 100: they must be equal (no N+1).

    python manage.py seed_bench --listings 20000     (once) then
    python -m bench query_counts

Each endpoint is requested through Django's in-process test client as the person who would call it (anonymous for
search and listing pages, the guest with the most bookings for their bookings, conversations and notifications, a
host for their listings), once to warm caches and then counted with an execute wrapper (every statement, the
session's and the user's included; throttles are lifted). The conversations and notifications the benchmark data
lacks are made inside a transaction that is rolled back at the end, so the database is left as it was. An endpoint
without pages (a listing, a quote) is counted twice alike. Exit status 1 when any endpoint's counts differ.
"""

import argparse
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from bench import EMPTY_DATABASE

SIZES = (1, 100)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--conversations", type=int, default=3, help="conversations and notifications made for the guest (default 3)"
    )


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _window() -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)
    return {
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _count(client, url: str) -> tuple[int, int, str]:
    """(queries, status, rows on the page or '-' for an answer without pages)."""
    from django.db import connection

    client.get(url, secure=True)  # warm-up
    counter = _Counter()
    with connection.execute_wrapper(counter):
        response = client.get(url, secure=True)
    body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    rows = str(len(body["results"])) if isinstance(body, dict) and isinstance(body.get("results"), list) else "-"
    return counter.count, response.status_code, rows


def _fixtures(guest, threads: int) -> None:
    """Conversations with hosts and notifications for `guest` (inside the caller's rolled-back transaction)."""
    from apps.listings.models import Listing
    from apps.messaging.services import post_message, start_conversation
    from apps.notifications.services import notify

    listings = Listing.objects.filter(is_active=True).exclude(host=guest).order_by("id").distinct("id")[:threads]
    for number, listing in enumerate(listings, start=1):
        conversation, _, _ = start_conversation(sender=guest, listing=listing, message=f"Is the spot free? ({number})")
        post_message(conversation=conversation, sender=listing.host, content="Yes, it is.")
        notify(recipient=guest, notification_type="MESSAGE_RECEIVED", context={}, dedupe_key=f"bench-{number}")


def run(args: argparse.Namespace) -> int:
    import sys

    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings

    from apps.bookings.models import Booking
    from apps.listings.models import Listing

    if not 1 <= args.conversations <= 50:
        print("error: --conversations must be between 1 and 50", file=sys.stderr)
        return 2
    if not Listing.objects.exists():
        print(EMPTY_DATABASE)
        return 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT zip_code, ST_Y(ST_Centroid(ST_Collect(location))), ST_X(ST_Centroid(ST_Collect(location))) "
            "FROM listings WHERE is_active AND NOT is_deleted "
            "GROUP BY zip_code ORDER BY count(*) DESC, zip_code LIMIT 1"
        )
        _, lat, lng = cursor.fetchone()
    top_guest = Booking.objects.values("guest").annotate(n=Count("id")).order_by("-n", "guest").first()
    listing = Listing.objects.filter(is_active=True, is_deleted=False).order_by("id").first()
    if top_guest is None or listing is None:
        print(EMPTY_DATABASE)
        return 1

    from django.contrib.auth import get_user_model

    guest = get_user_model().objects.get(pk=top_guest["guest"])
    host = listing.host
    window = urlencode(_window())
    near = f"lat={lat:.6f}&lng={lng:.6f}&radius_m=20000"
    endpoints = [
        ("search (radius)", None, f"/api/v1/listings?{near}", True),
        ("search (radius + window)", None, f"/api/v1/listings?{near}&{window}", True),
        ("search (full text)", None, f"/api/v1/listings?{near}&q=stadium", True),
        ("listing detail", None, f"/api/v1/listings/{listing.pk}", False),
        ("quote", guest, f"/api/v1/listings/{listing.pk}/quote?{window}", False),
        ("availability", None, f"/api/v1/listings/{listing.pk}/availability?{window}", False),
        ("booking list (guest)", guest, "/api/v1/bookings", True),
        ("booking list (host)", host, "/api/v1/bookings?role=host", True),
        ("host listings", host, "/api/v1/host/listings", True),
        ("conversations", guest, "/api/v1/conversations", True),
        ("notifications", guest, "/api/v1/notifications", True),
    ]
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min")
    clients = {None: Client()}
    differ = 0
    print(f"{'':<26} {'':>6} {'SQL queries':>17}  {'rows shown':>10}")
    print(f"{'endpoint':<26} {'status':>6} {'size 1':>7} {'size 100':>9}  {'1/100':>10}")
    unthrottled = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login otherwise
    with override_settings(REST_FRAMEWORK=unthrottled), transaction.atomic():
        _fixtures(guest, args.conversations)
        for person in (guest, host):
            clients[person] = Client()
            clients[person].force_login(person)
        for label, who, url, paged in endpoints:
            counts, rows, status = [], [], 0
            for size in SIZES:
                joiner = "&" if "?" in url else "?"
                count, status, shown = _count(clients[who], f"{url}{joiner}page_size={size}" if paged else url)
                counts.append(count)
                rows.append(shown)
            flag = "" if counts[0] == counts[1] else "  <-- DIFFERS"
            differ += bool(flag)
            print(f"{label:<26} {status:>6} {counts[0]:>7} {counts[1]:>9}  {'/'.join(rows):>10}{flag}")
        transaction.set_rollback(True)
    print(f"Summary: {len(endpoints)} endpoints, {differ} whose query count depends on the page size.")
    return 1 if differ else 0
