"""`listings.booked` and `listings.has_calendar_entries`, kept by triggers (migration listings 0006) for window search:
what each write leaves in them, and that a search answers from them only where they are sure (the free-space probe
decides the rest)."""

import importlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from psycopg.types.range import Range

from apps.bookings.models import Booking
from apps.bookings.tests.factories import BookingFactory
from apps.listings.models import AvailabilityException, AvailabilityRule, ListingSpace
from apps.listings.tests.factories import (
    AUSTIN,
    AvailabilityExceptionFactory,
    AvailabilityRuleFactory,
    ListingFactory,
    ListingSpaceFactory,
    point,
)
from apps.search.selectors import SearchParams, search_listings

pytestmark = pytest.mark.django_db

UNBOUNDED = [Range(None, None, "()")]


def booked(listing) -> list[Range]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT booked FROM listings WHERE id = %s", [listing.pk])
        (value,) = cursor.fetchone()
    return list(value)


def has_calendar_entries(listing) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_calendar_entries FROM listings WHERE id = %s", [listing.pk])
        return cursor.fetchone()[0]


def covers(ranges: list[Range], start: datetime, end: datetime) -> bool:
    return any(
        (r.lower is None or r.lower <= start) and (r.upper is None or end <= r.upper) for r in ranges if not r.isempty
    )


def window(days: int = 3, hours: int = 3) -> tuple[datetime, datetime]:
    start = (timezone.now() + timedelta(days=days)).astimezone(UTC).replace(hour=16, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def found(listing, start: datetime, end: datetime) -> bool:
    params = SearchParams(point=point(*AUSTIN), radius_m=20_000, start=start, end=end)
    return listing.pk in {hit.listing.pk for hit in search_listings(params, offset=0, limit=100).hits}


# --- What the triggers keep -----------------------------------------------------------------------------------------


def test_a_new_listing_with_a_space_has_nothing_booked():
    assert booked(ListingFactory()) == []


def test_a_booking_that_holds_a_space_adds_its_period():
    listing = ListingFactory()
    booking = BookingFactory(listing=listing)

    assert covers(booked(listing), booking.start_datetime, booking.end_datetime)


@pytest.mark.parametrize("status", [status.value for status in Booking.ACTIVE_STATUSES])
def test_every_status_that_holds_a_space_is_added(status):
    # The trigger names the statuses in SQL: it must name the model's list.
    listing = ListingFactory()
    booking = BookingFactory(listing=listing, status=status)

    assert covers(booked(listing), booking.start_datetime, booking.end_datetime)


@pytest.mark.parametrize("status", [Booking.Status.CANCELLED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW])
def test_a_booking_that_holds_no_space_adds_nothing(status):
    listing = ListingFactory()
    BookingFactory(listing=listing, status=status)

    assert booked(listing) == []


def test_a_cancelled_booking_stays_in_the_superset_until_recomputed():
    listing = ListingFactory()
    booking = BookingFactory(listing=listing)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)

    assert covers(booked(listing), booking.start_datetime, booking.end_datetime)
    with connection.cursor() as cursor:
        cursor.execute("SELECT listing_refresh_search_marks(%s)", [listing.pk])
    assert booked(listing) == []


def test_a_moved_booking_adds_its_new_period():
    listing = ListingFactory()
    booking = BookingFactory(listing=listing)
    later = booking.start_datetime + timedelta(days=5)
    Booking.objects.filter(pk=booking.pk).update(start_datetime=later, end_datetime=later + timedelta(hours=2))

    assert covers(booked(listing), later, later + timedelta(hours=2))


def test_periods_before_now_are_trimmed_when_a_booking_is_added():
    listing = ListingFactory()
    now = timezone.now()
    BookingFactory(listing=listing, in_progress=True, start_datetime=now - timedelta(hours=1), hours=3)
    later = BookingFactory(listing=listing)

    ranges = booked(listing)
    assert all(r.lower is not None and r.lower >= now - timedelta(seconds=5) for r in ranges), ranges
    assert covers(ranges, later.start_datetime, later.end_datetime)


def test_a_listing_without_an_active_space_is_unbounded_and_regains_its_bookings():
    listing = ListingFactory()
    booking = BookingFactory(listing=listing)
    space = ListingSpace.objects.get(listing=listing)

    ListingSpace.objects.filter(pk=space.pk).update(is_active=False)
    assert booked(listing) == UNBOUNDED

    ListingSpace.objects.filter(pk=space.pk).update(is_active=True)
    assert covers(booked(listing), booking.start_datetime, booking.end_datetime)
    assert not covers(booked(listing), booking.end_datetime, booking.end_datetime + timedelta(hours=1))


def test_adding_a_space_to_a_listing_without_one_recomputes():
    listing = ListingFactory()
    ListingSpace.objects.filter(listing=listing).update(is_active=False)
    ListingSpaceFactory(listing=listing)

    assert booked(listing) == []


def test_rules_and_exceptions_mark_their_listing_until_the_last_is_removed():
    listing = ListingFactory()
    assert not has_calendar_entries(listing)

    rule = AvailabilityRuleFactory(listing=listing)
    exception = AvailabilityExceptionFactory(listing=listing)
    assert has_calendar_entries(listing)

    AvailabilityRule.objects.filter(pk=rule.pk).delete()
    assert has_calendar_entries(listing), "the exception still applies"
    AvailabilityException.objects.filter(pk=exception.pk).delete()
    assert not has_calendar_entries(listing)


def test_a_rule_moved_to_another_listing_moves_the_mark():
    first, second = ListingFactory(), ListingFactory()
    rule = AvailabilityRuleFactory(listing=first)
    AvailabilityRule.objects.filter(pk=rule.pk).update(listing=second)

    assert not has_calendar_entries(first)
    assert has_calendar_entries(second)


def test_a_listing_saved_from_a_stale_instance_keeps_its_booked_times():
    # Not model fields: saving a listing read before a booking was made cannot write the old value back.
    listing = ListingFactory()
    stale = type(listing).objects.get(pk=listing.pk)
    booking = BookingFactory(listing=listing)
    stale.title = "Renamed"
    stale.save()

    assert covers(booked(listing), booking.start_datetime, booking.end_datetime)


# --- What a search makes of them -------------------------------------------------------------------------------------


def test_a_listing_booked_over_the_window_on_its_only_space_is_not_found():
    listing = ListingFactory(location=point(*AUSTIN))
    start, end = window()
    BookingFactory(listing=listing, start_datetime=start - timedelta(hours=1), end_datetime=end - timedelta(hours=1))

    assert not found(listing, start, end)
    assert found(listing, end, end + timedelta(hours=1))


def test_a_lot_with_one_space_taken_is_still_found_by_its_free_space():
    # `booked` overlaps the window (a space is taken), so the search looks space by space and finds the free one.
    listing = ListingFactory(location=point(*AUSTIN), spaces_available=2)
    start, end = window()
    BookingFactory(listing=listing, start_datetime=start, end_datetime=end)

    assert found(listing, start, end)

    other = ListingSpace.objects.filter(listing=listing).order_by("-id").first()
    BookingFactory(listing=listing, space=other, start_datetime=start, end_datetime=end)
    assert not found(listing, start, end)


def test_a_freed_period_is_found_again_although_still_in_the_superset():
    listing = ListingFactory(location=point(*AUSTIN))
    start, end = window()
    booking = BookingFactory(listing=listing, start_datetime=start, end_datetime=end)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)

    assert covers(booked(listing), start, end)
    assert found(listing, start, end)


def test_a_listing_whose_spaces_are_all_inactive_is_not_found():
    listing = ListingFactory(location=point(*AUSTIN))
    ListingSpace.objects.filter(listing=listing).update(is_active=False)
    start, end = window()

    assert not found(listing, start, end)


def test_a_window_before_now_is_decided_space_by_space():
    # Periods before the last write are trimmed from `booked`, so a window in the past is never answered from it.
    listing = ListingFactory(location=point(*AUSTIN))
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    BookingFactory(listing=listing, in_progress=True, start_datetime=start, end_datetime=start + timedelta(hours=6))
    BookingFactory(listing=listing)  # a later write trims the periods before now

    assert not found(listing, start, start + timedelta(hours=1))


def test_listings_leave_room_on_their_pages_for_the_update_a_booking_makes():
    # The booking's update of `booked` then stays on the page and touches none of the listing's GiST, GIN and btree
    # indexes (a heap-only update).
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'listings'")
        assert "fillfactor=90" in cursor.fetchone()[0]


@pytest.mark.owner_role  # the fill-in sets the column's default: the table's owner
def test_the_migration_fills_in_the_listings_there_are():
    fill_in = importlib.import_module("apps.listings.migrations.0006_listing_booked_times").fill_in
    booked_listing, ruled_listing, plain = ListingFactory(), ListingFactory(), ListingFactory()
    booking = BookingFactory(listing=booked_listing)
    AvailabilityRuleFactory(listing=ruled_listing)
    with connection.cursor() as cursor:
        # As the migration leaves them before filling in: unbounded, and marked as having calendar entries. (The
        # test's deferred foreign-key checks first, which ALTER TABLE would otherwise wait for.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE listings ALTER COLUMN has_calendar_entries SET DEFAULT true")
        cursor.execute("UPDATE listings SET booked = '{(,)}', has_calendar_entries = true")

    fill_in(None, SimpleNamespace(connection=connection))

    assert covers(booked(booked_listing), booking.start_datetime, booking.end_datetime)
    assert booked(ruled_listing) == booked(plain) == []
    assert [has_calendar_entries(listing) for listing in (booked_listing, ruled_listing, plain)] == [False, True, False]
    assert not has_calendar_entries(ListingFactory()), "a new listing has no calendar entries by default again"


# --- The nightly refresh -------------------------------------------------------------------------------------------


def test_the_nightly_refresh_drops_freed_periods_and_begun_ones_and_keeps_the_rest(django_assert_max_num_queries):
    from apps.bookings import services as booking_services
    from apps.bookings.tasks import refresh_search_marks

    freed, stale, untouched = ListingFactory(), ListingFactory(), ListingFactory()
    cancelled = BookingFactory(listing=freed)
    kept = BookingFactory(listing=freed)
    Booking.objects.filter(pk=cancelled.pk).update(status=Booking.Status.CANCELLED, updated_at=timezone.now())
    with connection.cursor() as cursor:  # as a booking two days ago left it, written three days ago
        cursor.execute(
            "UPDATE listings SET booked = tstzmultirange(tstzrange(now() - interval '3 days',"
            " now() - interval '2 days')) WHERE id = %s",
            [stale.pk],
        )
    later = BookingFactory(listing=untouched)
    untouched_before = booked(untouched)

    with django_assert_max_num_queries(4):  # the listings to look at, then one statement a batch in a transaction
        looked_at = booking_services.refresh_search_marks(since=timezone.now() - timedelta(days=1))

    assert not covers(booked(freed), cancelled.start_datetime, cancelled.end_datetime)
    assert covers(booked(freed), kept.start_datetime, kept.end_datetime)
    assert booked(stale) == []
    assert booked(untouched) == untouched_before and covers(booked(untouched), later.start_datetime, later.end_datetime)
    assert looked_at == 2, "the freed listing and the stale one; not the untouched one"
    freed_after = booked(freed)
    assert refresh_search_marks() == 1, "the task looks back two days: the cancellation again, the stale one not"
    assert booked(freed) == freed_after


def test_the_nightly_refresh_is_scheduled():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["refresh-search-marks"]["task"] == "apps.bookings.tasks.refresh_search_marks"
