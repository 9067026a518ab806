"""The host's earnings page: totals earned, waiting to be paid out and paid out, what each booking pays them after
refunds, and their payouts with the bookings inside — theirs only, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.bookings.models import Booking
from apps.bookings.tests.factories import BookingFactory
from apps.listings.tests.factories import ListingFactory
from apps.payments.models import Payout
from apps.payments.tests.factories import PayoutFactory, PayoutItemFactory
from apps.payments.web.earnings import earnings_totals
from apps.users.tests.factories import HostFactory, UserFactory

pytestmark = pytest.mark.django_db
# 100.00 of parking: the guest pays 110.00, the host receives 97.00.
MONEY = {"subtotal": Decimal("100.00"), "service_fee": Decimal("10.00"), "host_fee": Decimal("3.00")}


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ended(listing, days_ago: int, **fields) -> Booking:
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    return BookingFactory(
        listing=listing, start_datetime=start, end_datetime=start + timedelta(hours=2), **(MONEY | fields)
    )


@pytest.fixture
def ledger():
    """A host's history: paid out, in a payout not sent yet, settled but not in a payout, partly refunded,
    refunded in full, coming up; and another host's booking."""
    host = HostFactory(first_name="Hana")
    listing = ListingFactory(host=host, title="Corner lot")
    paid = PayoutFactory(host=host, amount=Decimal("97.00"), status=Payout.Status.PAID, paid_at=timezone.now())
    PayoutItemFactory(payout=paid, booking=ended(listing, 20, status=Booking.Status.COMPLETED), amount=Decimal("97.00"))
    waiting = PayoutFactory(host=host, amount=Decimal("97.00"))
    PayoutItemFactory(
        payout=waiting, booking=ended(listing, 10, status=Booking.Status.COMPLETED), amount=Decimal("97.00")
    )
    ended(listing, 3, status=Booking.Status.COMPLETED)
    ended(
        listing,
        2,
        status=Booking.Status.CANCELLED,
        payment_status=Booking.PaymentStatus.PARTIAL_REFUND,
        refund_amount=Decimal("55.00"),
    )
    ended(listing, 1, cancelled=True)
    BookingFactory(listing=listing, start_datetime=timezone.now() + timedelta(days=2), **MONEY)
    BookingFactory(listing=listing, start_datetime=timezone.now() + timedelta(days=3), pending=True, **MONEY)
    BookingFactory(listing=ListingFactory(title="Somebody else's"), completed=True, **MONEY)
    return host


def test_the_totals_add_up_what_was_paid_what_is_waiting_and_what_is_coming(ledger):
    totals = earnings_totals(ledger)
    assert totals.paid_out == Decimal("97.00")
    assert totals.pending_payout == Decimal("242.50")  # 97 in a payout + 97 settled + 48.50 of the refunded half
    assert totals.earned == Decimal("339.50")
    assert totals.upcoming == Decimal("97.00")  # the confirmed stay; the request is not paid yet


def test_the_page_shows_the_totals_each_bookings_payout_and_the_payouts(ledger):
    response = browser(ledger).get(reverse("host_earnings"))
    body = response.content.decode()
    assert response.status_code == 200
    for amount in ("$339.50", "$242.50", "$97.00"):
        assert amount in body
    assert body.count('<td data-label="Your payout"') == 6  # every captured booking; not the request
    assert "$48.50" in body and "$0.00" in body  # partly and fully refunded
    assert "Somebody else" not in body
    assert body.count('class="card payout-row"') == 2 and "Paid" in body and "Pending" in body
    assert body.count('<td data-label="Amount"') == 2  # each payout's booking, as in GET /api/v1/payouts


def test_another_host_sees_none_of_it_and_a_stranger_must_sign_in(ledger):
    body = browser(HostFactory()).get(reverse("host_earnings")).content.decode()
    assert "Corner lot" not in body and "No payouts yet" in body and "No paid bookings yet" in body
    assert browser(UserFactory()).get(reverse("host_earnings")).status_code == 200
    assert Client().get(reverse("host_earnings")).status_code == 302


@pytest.mark.parametrize("page", ["abc", "-1", "999", ""])
def test_a_page_number_out_of_range_or_malformed_shows_a_page_anyway(ledger, page):
    response = browser(ledger).get(reverse("host_earnings"), {"page": page, "payouts_page": page})
    assert response.status_code == 200 and "Corner lot" in response.content.decode()


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("host_earnings")).status_code == 200
    return len(queries)


def test_the_page_runs_a_fixed_number_of_queries_however_many_bookings_and_payouts(ledger):
    client = browser(ledger)
    few = _queries(client)
    listing = ListingFactory(host=ledger)
    for days_ago in range(30, 36):
        payout = PayoutFactory(host=ledger, amount=Decimal("97.00"))
        PayoutItemFactory(payout=payout, booking=ended(listing, days_ago, status=Booking.Status.COMPLETED))
        ended(listing, days_ago + 10, status=Booking.Status.NO_SHOW)
    assert _queries(client) == few <= 18
