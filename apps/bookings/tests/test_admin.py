"""The booking admin: read-only pages with the ledger and the audit trail; the list does not grow in queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.bookings.models import Booking
from apps.core.models import AuditLog
from apps.core.services import log_action
from apps.listings.models import Listing
from apps.listings.tests.test_admin import admin_url, new_listing, new_user, queries_of
from apps.payments.models import Transaction

pytestmark = pytest.mark.django_db


def new_booking(listing: Listing | None = None, guest=None, *, days_ahead: int = 3, **fields) -> Booking:
    """A two-hour booking of the listing's first space, with totals that satisfy the money constraints."""
    listing = listing or new_listing()
    start = (timezone.now() + timedelta(days=days_ahead)).replace(minute=0, second=0, microsecond=0)
    subtotal, service_fee, host_fee = Decimal("6.00"), Decimal("0.60"), Decimal("0.18")
    values = {
        "guest": guest or new_user(is_email_verified=True),
        "listing": listing,
        "space": listing.spaces.order_by("id").first(),
        "start_datetime": start,
        "end_datetime": start + timedelta(hours=2),
        "duration_hours": Decimal("2.00"),
        "vehicle_make": "Toyota",
        "vehicle_model": "Corolla",
        "vehicle_color": "Silver",
        "vehicle_license_plate": "ABC1234",
        "vehicle_state": "TX",
        "price_per_hour": Decimal("3.00"),
        "subtotal": subtotal,
        "service_fee": service_fee,
        "host_fee": host_fee,
        "host_payout": subtotal - host_fee,
        "total_amount": subtotal + service_fee,
        "status": Booking.Status.CONFIRMED,
        "payment_status": Booking.PaymentStatus.SUCCEEDED,
    } | fields
    return Booking.objects.create(**values)


def test_booking_list_and_change_pages_open_with_ledger_and_audit_trail(admin_client):
    booking = new_booking()
    Transaction.objects.create(
        booking=booking,
        user=booking.guest,
        transaction_type=Transaction.TransactionType.BOOKING_PAYMENT,
        amount=booking.total_amount,
        status=Transaction.Status.COMPLETED,
        description="Payment for booking",
    )
    log_action(actor=booking.guest, action=AuditLog.Action.BOOKING_CREATE, target=booking, description="Booked it")

    assert admin_client.get(admin_url(Booking, "changelist")).status_code == 200
    response = admin_client.get(admin_url(Booking, "change", booking.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Booking payment" in page  # the ledger inline
    assert "Booked it" in page  # the audit trail


def test_bookings_change_only_through_their_services(admin_client):
    booking = new_booking()
    url = admin_url(Booking, "change", booking.pk)

    assert admin_client.get(admin_url(Booking, "add")).status_code == 403
    assert admin_client.post(url, {"status": "CANCELLED"}).status_code == 403
    assert admin_client.get(admin_url(Booking, "delete", booking.pk)).status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_bookings_can_be_found_by_code_and_plate(admin_client):
    booking = new_booking()
    other = new_booking(vehicle_license_plate="ZZZ999")
    url = admin_url(Booking, "changelist")

    by_code = admin_client.get(url, {"q": str(booking.booking_code)[:8]}).context["cl"].result_list
    by_plate = admin_client.get(url, {"q": "zzz999"}).context["cl"].result_list

    assert list(by_code) == [booking]
    assert list(by_plate) == [other]


def test_the_booking_list_costs_the_same_queries_for_one_row_or_many(admin_client, django_assert_max_num_queries):
    new_booking()
    url = admin_url(Booking, "changelist")
    one_row = queries_of(admin_client, url)
    for days_ahead in range(4, 10):
        new_booking(days_ahead=days_ahead)  # a new listing, host and guest each time

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200
