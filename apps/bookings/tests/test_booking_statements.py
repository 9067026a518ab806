"""What a booking reads: the rules and exceptions only of a listing that has some (its `has_calendar_entries`,
read with the listing under its lock), and of an earlier booking with the same idempotency key only its id."""

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


def _orm_read(listing_id):
    """The queryset that `services._lock_listing` writes out by hand."""
    from apps.bookings import selectors
    from apps.bookings.services import LISTING_FIELDS_READ
    from apps.listings.models import Listing

    found = (
        selectors.with_calendar_flag(Listing.objects.select_for_update(of=("self",)))
        .select_related("host")
        .only(*LISTING_FIELDS_READ, "host__first_name")
        .filter(pk=listing_id, is_active=True, is_deleted=False, host_active=True)[:1]
    )
    return found[0] if found else None


@pytest.mark.parametrize("calendar", [False, True])
def test_the_listing_a_booking_locks_is_read_as_the_orm_reads_it(make_listing, calendar):
    from django.db import transaction

    from apps.bookings.services import LISTING_FIELDS_READ, _lock_listing

    listing = make_listing(
        instant_booking=False,
        minimum_hours=2,
        maximum_days=3,
        cancellation_policy="STRICT",
        available_start_time="07:30",
        available_end_time="19:00",
        available_days=[0, 2, 4],
        price_per_week="150.00",
        gate_code="1357",
    )
    if calendar:
        AvailabilityExceptionFactory(listing=listing)
    with transaction.atomic():
        by_hand, by_orm = _lock_listing(listing.pk), _orm_read(listing.pk)
    assert by_hand is not None and by_orm is not None
    for name in ("id", *LISTING_FIELDS_READ):
        field = by_orm._meta.get_field(name)
        assert getattr(by_hand, field.attname) == getattr(by_orm, field.attname), name
        assert type(getattr(by_hand, field.attname)) is type(getattr(by_orm, field.attname)), name
    assert by_hand.has_calendar_entries is by_orm.has_calendar_entries is calendar
    assert by_hand.host.first_name == by_orm.host.first_name and by_hand.host.pk == listing.host_id
    assert by_hand.get_deferred_fields() == by_orm.get_deferred_fields()


@pytest.mark.parametrize("change", ["inactive", "deleted", "host_inactive", "missing", "beyond_any_id"])
def test_a_listing_that_cannot_be_booked_is_not_read_for_a_booking(make_listing, change):
    from apps.bookings.services import _lock_listing
    from apps.listings.models import Listing

    listing = make_listing()
    listing_id = {"missing": listing.pk + 1000, "beyond_any_id": 2**70}.get(change, listing.pk)
    changes = {
        "inactive": {"is_active": False},
        "deleted": {"is_deleted": True, "deleted_at": timezone.now()},
        "host_inactive": {"host_active": False},
    }.get(change)
    if changes:
        Listing.objects.filter(pk=listing.pk).update(**changes)
    assert _lock_listing(listing_id) is None
    if change != "beyond_any_id":
        assert _orm_read(listing_id) is None
