"""The money admin: every page opens, nothing can be added, edited or deleted there."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.bookings.tests.test_admin import new_booking
from apps.listings.tests.test_admin import admin_url, new_user, queries_of
from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction, WebhookEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def money():
    """One of each: a saved card, a payment, a payout with its item and a provider event."""
    booking = new_booking()
    host = booking.listing.host
    card = PaymentMethod.objects.create(
        user=booking.guest, stripe_payment_method_id="pm_1", brand="visa", last4="4242", exp_month=12, exp_year=2031
    )
    payment = Transaction.objects.create(
        booking=booking,
        user=booking.guest,
        transaction_type=Transaction.TransactionType.BOOKING_PAYMENT,
        amount=booking.total_amount,
        status=Transaction.Status.COMPLETED,
        description="Payment",
        metadata={"card": "visa"},
    )
    payout = Payout.objects.create(
        host=host, amount=booking.host_payout, period_start=date(2030, 1, 1), period_end=date(2030, 1, 7)
    )
    item = PayoutItem.objects.create(payout=payout, booking=booking, amount=booking.host_payout)
    event = WebhookEvent.objects.create(
        event_id="evt_1", event_type="payment_intent.succeeded", payload={"id": "evt_1"}, processed_at=timezone.now()
    )
    return {"card": card, "payment": payment, "payout": payout, "item": item, "event": event}


def test_every_money_page_opens_and_none_can_add(admin_client, money):
    for obj in money.values():
        model = type(obj)
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200, model
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
        assert admin_client.get(admin_url(model, "add")).status_code == 403, model


def test_a_ledger_entry_cannot_be_edited_or_deleted(admin_client, money):
    payment = money["payment"]

    assert admin_client.post(admin_url(Transaction, "change", payment.pk), {"amount": "0.01"}).status_code == 403
    assert admin_client.post(admin_url(Transaction, "delete", payment.pk), {"post": "yes"}).status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("6.60")


def test_a_payout_page_lists_its_bookings(admin_client, money):
    page = admin_client.get(admin_url(Payout, "change", money["payout"].pk)).content.decode()

    assert str(money["item"].booking.booking_code) in page


def test_the_ledger_list_costs_the_same_queries_for_one_row_or_many(admin_client, money, django_assert_max_num_queries):
    url = admin_url(Transaction, "changelist")
    one_row = queries_of(admin_client, url)
    for days_ahead in range(4, 9):
        booking = new_booking(days_ahead=days_ahead)
        Transaction.objects.create(
            booking=booking, user=new_user(), transaction_type="BOOKING", amount=Decimal("1.00"), description="x"
        )

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200
