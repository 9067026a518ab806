"""How long the web pages take to render on the server, and how many SQL queries each runs, with the demo data.

    make run (once, for the demo data) then:  .venv/bin/python -m bench.scenario_pages [--repeat 20]
or through the bench runner:                  .venv/bin/python -m bench pages

Each page is rendered in-process with Django's test client (no network, no browser), as the visitor who would see
it (anonymous, the demo seeker or the demo host), `--repeat` times after one warm-up; the median and p95 of the
wall time and the query count are printed. The issue's bar: well under 200 ms each.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

DEMO_SEEKER = "seeker@example.com"
DEMO_HOST = "host@example.com"
BAR_MS = 200.0


class QueryCounter:
    """A database execute wrapper that counts the statements it lets through."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=20, help="timed renders of each page (default 20)")


def _pages(seeker, host):
    """(label, who, url) for each main page, built from the demo data."""
    from django.urls import reverse
    from django.utils import timezone

    from apps.bookings.models import Booking
    from apps.listings.models import Listing
    from apps.messaging.models import Conversation

    listing = Listing.objects.filter(is_active=True, host=host).order_by("id").first()
    if listing is None:
        return []
    start = (timezone.localtime(timezone.now()) + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    window = f"start={start:%Y-%m-%dT%H:%M}&end={start + timedelta(hours=3):%Y-%m-%dT%H:%M}"
    pages = [
        ("home", None, reverse("home")),
        ("search (ZIP, window)", None, f"{reverse('search')}?where={listing.zip_code}&{window}"),
        ("search (ZIP)", None, f"{reverse('search')}?where={listing.zip_code}"),
        ("listing page", None, reverse("listing_detail", args=[listing.pk])),
        ("book", seeker, f"{reverse('booking_new')}?listing={listing.pk}&{window}"),
        ("my bookings", seeker, reverse("my_bookings")),
        ("inbox", seeker, reverse("inbox")),
        ("notifications", seeker, reverse("notifications")),
        ("host requests", host, reverse("host_requests")),
        ("host dashboard", host, reverse("host_dashboard")),
        ("host earnings", host, reverse("host_earnings")),
        ("host listings", host, reverse("my_listings")),
        ("listing editor", host, reverse("listing_edit", args=[listing.pk])),
    ]
    booking = Booking.objects.filter(guest=seeker).order_by("-start_datetime").first()
    if booking is not None:
        pages.append(("booking pass", seeker, reverse("booking_detail", args=[booking.booking_code])))
    conversation = Conversation.objects.filter(participants=seeker).first()
    if conversation is not None:
        pages.append(("thread", seeker, reverse("conversation", args=[conversation.pk])))
    return pages


def run(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    if args.repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    users = get_user_model().objects
    seeker, host = users.filter(email=DEMO_SEEKER).first(), users.filter(email=DEMO_HOST).first()
    pages = _pages(seeker, host) if seeker and host else []
    if not pages:
        print("The database has no demo data: run `make run` once (or `manage.py seed_demo`) first.")
        return 1
    clients = {None: Client()}
    for person in (seeker, host):
        clients[person] = Client()
        clients[person].force_login(person)

    print(f"Server-side render time of the web pages ({args.repeat} renders each after a warm-up)")
    print(f"{'page':<24} {'status':>6} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}")
    over = 0
    for label, who, url in pages:
        client = clients[who]
        response = client.get(url)  # warm-up: caches, template loading
        # Counted by an execute wrapper: Django empties its own query log when each request starts.
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            client.get(url)
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        over += p95 >= BAR_MS
        print(f"{label:<24} {response.status_code:>6} {counter.count:>8} {p50:>8.1f} {p95:>8.1f}")
    print(f"Summary: {len(pages)} pages, {over} with p95 at or over {BAR_MS:.0f} ms.")
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
