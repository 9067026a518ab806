"""The database itself refuses double bookings and bookings whose times or money do not add up.

Bookings are written directly (factories, queryset `update()`), past every check in the booking service, so
what is refused here is refused by PostgreSQL: the last line of defence against races and bugs.
"""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from apps.bookings.models import Booking
from apps.bookings.tests.factories import BookingFactory
from apps.core.tests.factories import rejected_by
from apps.listings.tests.factories import ListingFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Booking.Status
ACTIVE = [Status.PENDING, Status.CONFIRMED, Status.IN_PROGRESS]
INACTIVE = [Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW]


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2031, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def listing():
    return ListingFactory(spaces_available=2)


@pytest.fixture
def spaces(listing):
    return list(listing.spaces.order_by("id"))


def book(listing, space, start, end, **fields):
    return BookingFactory(listing=listing, space=space, start_datetime=start, end_datetime=end, **fields)


def update(booking, **values):
    Booking.objects.filter(pk=booking.pk).update(**values)


# --- No double booking --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first_status", ACTIVE)
@pytest.mark.parametrize("second_status", ACTIVE)
def test_second_active_booking_of_the_same_space_overlapping_is_rejected(listing, spaces, first_status, second_status):
    book(listing, spaces[0], at(10), at(12), status=first_status)
    with rejected_by("booking_space_no_overlap"):
        book(listing, spaces[0], at(11), at(13), status=second_status)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (at(10), at(12)),  # the same window
        (at(9), at(13)),  # around it
        (at(10, 30), at(11, 30)),  # inside it
        (at(9), at(10, 1)),  # one minute into it
        (at(11, 59), at(15)),  # one minute before its end
        (at(20, day=9), at(10, day=11)),  # a multi-day stay across it
    ],
)
def test_any_overlap_with_an_active_booking_of_the_space_is_rejected(listing, spaces, start, end):
    book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_space_no_overlap"):
        book(listing, spaces[0], start, end)


def test_the_same_window_on_two_different_spaces_is_accepted(listing, spaces):
    book(listing, spaces[0], at(10), at(12))
    book(listing, spaces[1], at(10), at(12))
    assert Booking.objects.filter(listing=listing, start_datetime=at(10)).count() == 2


@pytest.mark.parametrize("inactive_status", INACTIVE)
def test_overlapping_a_cancelled_or_finished_booking_of_the_space_is_accepted(listing, spaces, inactive_status):
    book(listing, spaces[0], at(10), at(12), status=inactive_status)
    book(listing, spaces[0], at(10), at(12))


def test_back_to_back_bookings_of_one_space_are_accepted(listing, spaces):
    book(listing, spaces[0], at(10), at(12))
    book(listing, spaces[0], at(12), at(14))
    book(listing, spaces[0], at(8), at(10))
    assert Booking.objects.filter(space=spaces[0]).count() == 3


def test_reviving_a_cancelled_booking_whose_space_was_rebooked_is_rejected(listing, spaces):
    cancelled = book(listing, spaces[0], at(10), at(12), cancelled=True)
    book(listing, spaces[0], at(11), at(13))
    with rejected_by("booking_space_no_overlap"):
        update(cancelled, status=Status.CONFIRMED)


def test_moving_a_booking_onto_another_booking_of_the_space_is_rejected(listing, spaces):
    book(listing, spaces[0], at(10), at(12))
    later = book(listing, spaces[0], at(14), at(16))
    with rejected_by("booking_space_no_overlap"):
        update(later, start_datetime=at(11))


def test_moving_a_booking_to_a_space_taken_at_that_time_is_rejected(listing, spaces):
    book(listing, spaces[0], at(10), at(12))
    other = book(listing, spaces[1], at(10), at(12))
    with rejected_by("booking_space_no_overlap"):
        update(other, space=spaces[0])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transactions_cannot_both_hold_one_space_for_overlapping_windows():
    listing = ListingFactory()
    space = listing.spaces.get()
    guests = [UserFactory(), UserFactory()]
    both_started = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def attempt(guest, start):
        try:
            with transaction.atomic():
                Booking.objects.exists()  # the transaction has begun
                both_started.wait()
                # The second insert waits for the first transaction, then sees its row and is refused.
                book(listing, space, start, start + timedelta(hours=2), guest=guest)
            outcomes.append("booked")
        except IntegrityError as error:
            assert "booking_space_no_overlap" in str(error)
            outcomes.append("refused")
        except OperationalError as error:
            # Two inserts checking the exclusion constraint at the same instant can wait on each other; PostgreSQL
            # then aborts one of them. Either way the database refused the second booking.
            assert isinstance(error.__cause__, psycopg.errors.DeadlockDetected), error
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(guests[0], at(10))),
        threading.Thread(target=attempt, args=(guests[1], at(11))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["booked", "refused"]
    assert Booking.objects.filter(space=space).count() == 1


# --- Times --------------------------------------------------------------------------------------------------------


def test_a_booking_ending_before_it_starts_is_rejected(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_end_after_start"):
        update(booking, end_datetime=at(9))


def test_a_booking_ending_when_it_starts_is_rejected(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_end_after_start"):
        update(booking, end_datetime=at(10))


@pytest.mark.parametrize("hours", [Decimal("0.00"), Decimal("-2.00")])
def test_a_booking_without_a_positive_duration_is_rejected(listing, spaces, hours):
    booking = book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_duration_positive"):
        update(booking, duration_hours=hours)


# --- Idempotency ------------------------------------------------------------------------------------------------


def test_an_idempotency_key_reused_by_one_guest_is_rejected(listing, spaces):
    guest = UserFactory()
    book(listing, spaces[0], at(10), at(12), guest=guest, idempotency_key="checkout-1")
    with rejected_by("booking_idempotency_key_per_guest"):
        book(listing, spaces[1], at(14), at(16), guest=guest, idempotency_key="checkout-1")


def test_the_same_idempotency_key_from_another_guest_is_accepted(listing, spaces):
    book(listing, spaces[0], at(10), at(12), idempotency_key="checkout-1")
    book(listing, spaces[1], at(10), at(12), idempotency_key="checkout-1")


def test_bookings_without_an_idempotency_key_are_accepted(listing, spaces):
    guest = UserFactory()
    book(listing, spaces[0], at(10), at(12), guest=guest, idempotency_key=None)
    book(listing, spaces[1], at(10), at(12), guest=guest, idempotency_key=None)


def test_a_duplicate_booking_code_is_rejected(listing, spaces):
    first = book(listing, spaces[0], at(10), at(12))
    with rejected_by("bookings_booking_code_key"):
        book(listing, spaces[1], at(10), at(12), booking_code=first.booking_code)


# --- Money --------------------------------------------------------------------------------------------------------


def test_the_factory_booking_satisfies_the_money_identities(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    assert booking.total_amount == booking.subtotal + booking.service_fee
    assert booking.host_payout == booking.subtotal - booking.host_fee
    assert booking.subtotal > 0 and booking.service_fee > 0 and booking.host_fee > 0


def test_a_total_other_than_subtotal_plus_service_fee_is_rejected(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_total_is_subtotal_plus_fee"):
        update(booking, total_amount=booking.total_amount + Decimal("0.01"))
    with rejected_by("booking_total_is_subtotal_plus_fee"):
        update(booking, service_fee=booking.service_fee + Decimal("1.00"))


def test_a_host_payout_other_than_subtotal_minus_host_fee_is_rejected(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_payout_is_subtotal_minus_host_fee"):
        update(booking, host_payout=booking.subtotal)


@pytest.mark.parametrize("field", ["subtotal", "service_fee", "host_fee", "host_payout"])
def test_a_negative_amount_is_rejected(listing, spaces, field):
    booking = book(listing, spaces[0], at(10), at(12))
    # Keep the identities true so that only the sign is wrong.
    values = {
        "subtotal": {"subtotal": Decimal("-1.00"), "host_fee": Decimal("0.00"), "service_fee": Decimal("1.00"),
                     "total_amount": Decimal("0.00"), "host_payout": Decimal("-1.00")},
        "service_fee": {"service_fee": Decimal("-1.00"), "total_amount": booking.subtotal - 1},
        "host_fee": {"host_fee": Decimal("-1.00"), "host_payout": booking.subtotal + 1},
        "host_payout": {"host_fee": booking.subtotal + 1, "host_payout": Decimal("-1.00")},
    }[field]  # fmt: skip
    with rejected_by("booking_amounts_not_negative"):
        update(booking, **values)


def test_a_refund_greater_than_the_total_is_rejected(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_refund_within_total"):
        update(booking, refund_amount=booking.total_amount + Decimal("0.01"))


def test_a_negative_refund_is_rejected(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    with rejected_by("booking_refund_within_total"):
        update(booking, refund_amount=Decimal("-0.01"))


def test_a_refund_of_the_whole_total_is_accepted(listing, spaces):
    booking = book(listing, spaces[0], at(10), at(12))
    update(booking, refund_amount=booking.total_amount)


# --- A booking's space is a space of its listing ------------------------------------------------------------------


def test_a_booking_holding_another_listings_space_is_rejected(listing, spaces):
    other_space = ListingFactory().spaces.first()
    with connection.cursor() as cursor:  # the foreign key is deferred to commit; check it now
        cursor.execute("SET CONSTRAINTS bookings_space_of_its_listing IMMEDIATE")
    # It points at the composite key "listing_spaces_listing_and_id" (listing_id, id), unique because id is.
    with rejected_by("bookings_space_of_its_listing"):
        book(listing, other_space, at(10), at(12))
