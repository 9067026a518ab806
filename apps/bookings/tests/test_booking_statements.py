"""What a booking reads: the rules and exceptions only of a listing that has some (its `has_calendar_entries`,
read with the listing under its lock), and of an earlier booking with the same idempotency key only its id."""

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.bookings.errors import WindowUnavailable
from apps.bookings.tests.conftest import window
from apps.bookings.tests.test_booking_services import create
from apps.listings.tests.factories import AvailabilityExceptionFactory

pytestmark = pytest.mark.django_db


def _calendar_reads(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if '"availability_rules"' in q["sql"] or '"availability_exceptions"' in q["sql"]
    ]


def test_a_listing_without_calendar_entries_is_booked_without_reading_rules_or_exceptions(guest, make_listing):
    listing = make_listing()
    start, end = window(days=10)

    with CaptureQueriesContext(connection) as queries:
        booking = create(guest, listing, start, end)

    assert booking.status == "CONFIRMED"
    assert _calendar_reads(queries) == []


def test_an_exception_added_after_the_listing_was_read_still_closes_it_to_bookings(guest, make_listing):
    listing = make_listing()  # read here with no calendar entries; the service reads the listing again
    start, end = window(days=10)
    zone = ZoneInfo(listing.time_zone)
    for day in {start.astimezone(zone).date(), end.astimezone(zone).date()}:
        AvailabilityExceptionFactory(listing=listing, exception_date=day)

    with CaptureQueriesContext(connection) as queries, pytest.raises(WindowUnavailable):
        create(guest, listing, start, end)

    assert len(_calendar_reads(queries)) == 2


def test_a_key_seen_before_is_looked_up_by_id_only_and_its_booking_returned(guest, make_listing):
    listing = make_listing()
    start, end = window(days=10)

    with CaptureQueriesContext(connection) as queries:
        booking = create(guest, listing, start, end, idempotency_key="key-1")
    lookups = [q["sql"] for q in queries.captured_queries if '"idempotency_key" =' in q["sql"]]

    assert len(lookups) == 1 and lookups[0].startswith('SELECT "id" FROM "bookings"')
    assert create(guest, listing, start, end, idempotency_key="key-1").pk == booking.pk
