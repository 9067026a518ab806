"""`manage.py check_integrity` finds each kind of broken data.

The database refuses most of these states outright, so the tests that plant one first drop the constraint that
would stop it. DDL is transactional in PostgreSQL: the test's transaction is rolled back and the constraint with it.
"""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from apps.bookings.models import Booking
from apps.bookings.pricing import Rates, quote
from apps.listings.models import Listing, ListingSpace
from apps.listings.services import create_listing
from apps.listings.tests.factories import AvailabilityRuleFactory
from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction
from apps.reviews.models import Review
from apps.users.models import User

# Planting violations means dropping constraints: only the tables' owner may.
pytestmark = [pytest.mark.django_db, pytest.mark.owner_role]

START = datetime(2026, 12, 1, 15, tzinfo=UTC)
CONFIRMED, COMPLETED = Booking.Status.CONFIRMED, Booking.Status.COMPLETED
SUCCEEDED = Booking.PaymentStatus.SUCCEEDED


# --- Helpers ------------------------------------------------------------------------------------------------------


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def drop_constraint(table: str, name: str) -> None:
    # Deferred foreign-key checks still pending on the table would block ALTER TABLE: run them first.
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    sql("SET CONSTRAINTS ALL DEFERRED")


def make_user(email: str, user_type: str = User.UserType.SEEKER) -> User:
    return User.objects.create_user(email=email, user_type=user_type, is_email_verified=True)


def make_listing(host: User, *, spaces: int = 1, title: str = "Covered garage spot near downtown") -> Listing:
    return create_listing(
        host=host,
        location=Point(-97.7426, 30.2713, srid=4326),
        title=title,
        description="A private garage spot.",
        spot_type=Listing.SpotType.GARAGE,
        address="100 Congress Ave",
        city="Austin",
        state="TX",
        zip_code="78701",
        price_per_hour=Decimal("4.00"),
        price_per_day=Decimal("30.00"),
        spaces_available=spaces,
    )


def book(
    listing: Listing,
    guest: User,
    *,
    start: datetime = START,
    hours: int = 3,
    status: str = CONFIRMED,
    payment_status: str = SUCCEEDED,
    space: ListingSpace | None = None,
    captured: bool = True,
) -> Booking:
    """A booking with money from the pricing module and, when `captured`, its completed payment in the ledger."""
    end = start + timedelta(hours=hours)
    price = quote(rates=Rates.of(listing), start=start, end=end)
    booking = Booking.objects.create(
        guest=guest,
        listing=listing,
        space=space or listing.spaces.filter(is_active=True).order_by("id").first(),
        start_datetime=start,
        end_datetime=end,
        duration_hours=price.duration_hours,
        vehicle_make="Honda",
        vehicle_model="Civic",
        vehicle_color="Blue",
        vehicle_license_plate="ABC1234",
        vehicle_state="TX",
        subtotal=price.subtotal,
        service_fee=price.service_fee,
        host_fee=price.host_fee,
        host_payout=price.host_payout,
        total_amount=price.total_amount,
        status=status,
        payment_status=payment_status,
    )
    if captured:
        Transaction.objects.create(
            booking=booking,
            user=guest,
            transaction_type=Transaction.TransactionType.BOOKING_PAYMENT,
            amount=booking.total_amount,
            status=Transaction.Status.COMPLETED,
            description="Payment",
        )
    return booking


def review(booking: Booking, rating: int) -> Review:
    return Review.objects.create(
        booking=booking,
        reviewer=booking.guest,
        reviewee=booking.listing.host,
        listing=booking.listing,
        review_type=Review.ReviewType.GUEST_TO_HOST,
        overall_rating=rating,
        comment="Great spot.",
        is_published=True,
    )


def check_integrity(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("check_integrity", *args, stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def violations(output: str, check: str) -> int:
    match = re.search(rf"^{check}\s+(\d+)\s+(OK|FAIL)$", output, re.MULTILINE)
    assert match, f"{check} is not in the report:\n{output}"
    return int(match.group(1))


@pytest.fixture
def host() -> User:
    return make_user("host@example.com", User.UserType.HOST)


@pytest.fixture
def guest() -> User:
    return make_user("guest@example.com")


@pytest.fixture
def listing(host) -> Listing:
    return make_listing(host)


# --- Clean data ---------------------------------------------------------------------------------------------------


def test_consistent_data_passes_every_check(listing, guest):
    completed = book(listing, guest, start=START - timedelta(days=30), status=COMPLETED)
    book(listing, guest, start=START)
    review(completed, 4)
    Listing.objects.filter(pk=listing.pk).update(rating_average=Decimal("4.00"), rating_count=1)
    User.objects.filter(pk=listing.host_id).update(rating_average=Decimal("4.00"), rating_count=1)
    PaymentMethod.objects.create(
        user=guest, stripe_payment_method_id="pm_1", brand="visa", last4="4242", exp_month=1, exp_year=2030
    )

    output, error = check_integrity()

    assert error is None, output
    assert "FAIL" not in output
    assert "All 23 integrity checks passed." in output


# --- Planted violations -------------------------------------------------------------------------------------------


def plant_overlapping_bookings(listing, guest):
    drop_constraint("bookings", "booking_space_no_overlap")
    book(listing, guest, start=START, hours=3)
    book(listing, guest, start=START + timedelta(hours=1), hours=3)


def plant_two_default_payment_methods(listing, guest):
    sql("DROP INDEX payment_methods_one_default_per_user")
    for number in (1, 2):
        PaymentMethod.objects.create(
            user=guest,
            stripe_payment_method_id=f"pm_{number}",
            brand="visa",
            last4="4242",
            exp_month=1,
            exp_year=2030,
            is_default=True,
        )


def plant_booking_ending_before_start(listing, guest):
    drop_constraint("bookings", "booking_end_after_start")
    booking = book(listing, guest, start=START - timedelta(days=3), status=COMPLETED)
    Booking.objects.filter(pk=booking.pk).update(end_datetime=booking.start_datetime - timedelta(hours=1))


def plant_ledger_that_does_not_reconcile(listing, guest):
    booking = book(listing, guest)
    Transaction.objects.filter(booking=booking).update(amount=booking.total_amount - Decimal("1.00"))


def plant_capture_of_a_failed_payment(listing, guest):
    book(listing, guest, status=Booking.Status.CANCELLED, payment_status=Booking.PaymentStatus.FAILED)


def plant_refund_beyond_the_capture(listing, guest):
    booking = book(listing, guest, status=Booking.Status.CANCELLED, captured=False)
    Booking.objects.filter(pk=booking.pk).update(
        refund_amount=booking.total_amount, payment_status=Booking.PaymentStatus.REFUNDED
    )


def plant_wrong_rating_average(listing, guest):
    review(book(listing, guest, start=START - timedelta(days=3), status=COMPLETED), 4)
    Listing.objects.filter(pk=listing.pk).update(rating_average=Decimal("4.50"), rating_count=1)


def plant_listing_that_missed_its_host_leaving(listing, guest):
    sql("ALTER TABLE users DISABLE TRIGGER users_listings_host_standing")
    User.objects.filter(pk=listing.host_id).update(is_active=False)
    sql("ALTER TABLE users ENABLE TRIGGER users_listings_host_standing")


def plant_wrong_rating_count(listing, guest):
    Listing.objects.filter(pk=listing.pk).update(rating_count=3)


def plant_listing_over_capacity(listing, guest):
    two_spaces = make_listing(listing.host, spaces=2, title="Gated lot")
    first, second = two_spaces.spaces.order_by("id")
    book(two_spaces, guest, space=first)
    book(two_spaces, guest, space=second, start=START + timedelta(hours=1))
    Listing.objects.filter(pk=two_spaces.pk).update(spaces_available=1)


def plant_space_of_another_listing(listing, guest):
    drop_constraint("bookings", "bookings_space_of_its_listing")
    other = make_listing(listing.host, title="Driveway near the Domain")
    booking = book(listing, guest)
    Booking.objects.filter(pk=booking.pk).update(space=other.spaces.get())


def plant_total_that_is_not_the_sum(listing, guest):
    drop_constraint("bookings", "booking_total_is_subtotal_plus_fee")
    booking = book(listing, guest)
    Booking.objects.filter(pk=booking.pk).update(total_amount=booking.total_amount + 1)


def plant_payout_that_is_not_the_difference(listing, guest):
    drop_constraint("bookings", "booking_payout_is_subtotal_minus_host_fee")
    booking = book(listing, guest)
    Booking.objects.filter(pk=booking.pk).update(host_payout=booking.subtotal)


def plant_two_reviews_by_one_reviewer(listing, guest):
    drop_constraint("reviews", "unique_review_per_booking_reviewer")
    drop_constraint("reviews", "unique_review_per_booking_side")
    booking = book(listing, guest, start=START - timedelta(days=3), status=COMPLETED)
    review(booking, 5)
    review(booking, 5)
    Listing.objects.filter(pk=listing.pk).update(rating_average=Decimal("5.00"), rating_count=2)


def plant_deleted_listing_without_timestamp(listing, guest):
    drop_constraint("listings", "listings_deleted_has_timestamp")
    Listing.objects.filter(pk=listing.pk).update(is_deleted=True, deleted_at=None)


def plant_deleted_user_without_timestamp(listing, guest):
    drop_constraint("users", "users_deleted_has_timestamp")
    User.objects.filter(pk=guest.pk).update(is_deleted=True, deleted_at=None)


def plant_missing_space(listing, guest):
    ListingSpace.objects.filter(listing=listing).update(is_active=False)


def plant_booking_in_two_payouts(listing, guest):
    booking = book(listing, guest, start=START - timedelta(days=40), status=COMPLETED)
    first, second = (
        Payout.objects.create(
            host=listing.host, amount=booking.host_payout, period_start=START.date(), period_end=START.date()
        )
        for _ in range(2)
    )
    PayoutItem.objects.create(payout=first, booking=booking, amount=booking.host_payout)
    Transaction.objects.create(
        booking=booking,
        user=listing.host,
        payout=second,
        transaction_type=Transaction.TransactionType.PAYOUT,
        amount=booking.host_payout,
        status=Transaction.Status.COMPLETED,
        description="Payout",
    )


def plant_orphaned_booking(listing, guest):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype = 'f' "
            "AND confrelid = 'listings'::regclass"
        )
        (foreign_key,) = cursor.fetchone()
    drop_constraint("bookings", foreign_key)
    drop_constraint("bookings", "bookings_space_of_its_listing")
    booking = book(listing, guest)
    sql("UPDATE bookings SET listing_id = listing_id + 1000000 WHERE id = %s", [booking.pk])


def plant_booking_missing_from_booked_times(listing, guest):
    # A booking loaded with the triggers off (a restore, a bulk load with session_replication_role = replica).
    sql("SET LOCAL session_replication_role = replica")
    book(listing, guest, start=timezone.now() + timedelta(days=2))
    sql("SET LOCAL session_replication_role = origin")


def plant_listing_without_space_marked_free(listing, guest):
    sql("SET LOCAL session_replication_role = replica")
    ListingSpace.objects.filter(listing=listing).update(is_active=False)
    sql("SET LOCAL session_replication_role = origin")


def plant_rule_missing_from_calendar_mark(listing, guest):
    sql("SET LOCAL session_replication_role = replica")
    AvailabilityRuleFactory(listing=listing)
    sql("SET LOCAL session_replication_role = origin")


@pytest.mark.parametrize(
    ("plant", "check", "count"),
    [
        (plant_overlapping_bookings, "overlapping_active_bookings", 2),
        (plant_two_default_payment_methods, "several_default_payment_methods", 1),
        (plant_booking_ending_before_start, "booking_ends_before_start", 1),
        (plant_ledger_that_does_not_reconcile, "ledger_does_not_reconcile", 1),
        (plant_capture_of_a_failed_payment, "completed_payment_on_uncaptured_booking", 1),
        (plant_refund_beyond_the_capture, "refund_exceeds_captured", 1),
        (plant_wrong_rating_average, "listing_rating_mismatch", 1),
        (plant_wrong_rating_count, "listing_rating_mismatch", 1),
        (plant_listing_that_missed_its_host_leaving, "listing_host_standing_mismatch", 1),
        (plant_listing_over_capacity, "listing_over_capacity", 1),
        (plant_space_of_another_listing, "booking_space_of_other_listing", 1),
        (plant_total_that_is_not_the_sum, "total_is_not_subtotal_plus_fee", 1),
        (plant_payout_that_is_not_the_difference, "payout_is_not_subtotal_minus_host_fee", 1),
        (plant_two_reviews_by_one_reviewer, "several_reviews_per_booking_reviewer", 1),
        (plant_deleted_listing_without_timestamp, "deleted_listing_without_timestamp", 1),
        (plant_deleted_user_without_timestamp, "deleted_user_without_timestamp", 1),
        (plant_missing_space, "active_spaces_differ_from_spaces_available", 1),
        (plant_booking_in_two_payouts, "booking_in_several_payouts", 1),
        (plant_orphaned_booking, "orphaned_bookings", 1),
        (plant_booking_missing_from_booked_times, "listing_booked_misses_a_booking", 1),
        (plant_listing_without_space_marked_free, "listing_booked_misses_a_booking", 1),
        (plant_rule_missing_from_calendar_mark, "listing_calendar_mark_mismatch", 1),
    ],
    ids=lambda value: value.__name__.removeprefix("plant_") if callable(value) else None,
)
def test_a_planted_violation_is_counted_and_fails_the_command(listing, guest, plant, check, count):
    plant(listing, guest)

    output, error = check_integrity()

    assert violations(output, check) == count, output
    assert re.search(rf"^{check}\s+{count}\s+FAIL$", output, re.MULTILINE)
    assert error is not None, "the command must exit non-zero"
    assert check in str(error)


def test_verbose_lists_the_offending_ids(listing, guest):
    drop_constraint("bookings", "booking_space_no_overlap")
    first = book(listing, guest, start=START, hours=3)
    second = book(listing, guest, start=START + timedelta(hours=2), hours=3)

    output, error = check_integrity("--verbose")

    assert error is not None
    assert f"{first.pk}, {second.pk}" in output


def test_a_cancelled_booking_does_not_overlap_anything(listing, guest):
    book(listing, guest, start=START, hours=3)
    cancelled = book(listing, guest, start=START + timedelta(hours=1), hours=3, status=Booking.Status.CANCELLED)
    Booking.objects.filter(pk=cancelled.pk).update(refund_amount=cancelled.total_amount, payment_status="refunded")
    Transaction.objects.create(
        booking=cancelled,
        user=guest,
        transaction_type=Transaction.TransactionType.REFUND,
        amount=cancelled.total_amount,
        status=Transaction.Status.COMPLETED,
        description="Refund",
    )

    output, error = check_integrity()

    assert error is None, output


def test_one_check_can_be_run_alone(listing, guest):
    plant_wrong_rating_count(listing, guest)

    output, error = check_integrity("--check", "booking_ends_before_start")

    assert error is None
    assert "listing_rating_mismatch" not in output
    assert violations(output, "booking_ends_before_start") == 0
