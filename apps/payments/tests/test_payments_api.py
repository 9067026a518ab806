"""Payment endpoints of API.md: saved cards, the ledger, payouts and the signed webhook."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.bookings import services as booking_services
from apps.bookings.tests.conftest import VEHICLE, client_for, window
from apps.payments import services
from apps.payments.models import PaymentMethod, WebhookEvent

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_saved_cards_default_and_delete(guest):
    client = client_for(guest)
    first = client.post("/api/v1/payment-methods", {"token": "pm_card_visa"}, format="json")
    second = client.post("/api/v1/payment-methods", {"token": "pm_card_mastercard"}, format="json")
    assert first.status_code == second.status_code == 201
    assert set(first.json()) == {"id", "brand", "last4", "exp_month", "exp_year", "is_default", "created_at"}
    assert (first.json()["is_default"], second.json()["is_default"]) == (True, False)
    assert client.post(f"/api/v1/payment-methods/{second.json()['id']}/default").json()["is_default"] is True
    assert PaymentMethod.objects.filter(user=guest, is_default=True).count() == 1
    assert client.delete(f"/api/v1/payment-methods/{second.json()['id']}").status_code == 204
    assert PaymentMethod.objects.get(user=guest).is_default is True  # the remaining card took over
    listed = client.get("/api/v1/payment-methods").json()
    assert listed["count"] == 1 and listed["results"][0]["last4"] == "4242"


def test_someone_elses_card_is_not_found_and_bad_tokens_are_400(guest, django_user_model):
    card = client_for(guest).post("/api/v1/payment-methods", {"token": "pm_card_visa"}, format="json").json()
    other = client_for(django_user_model.objects.create_user(email="o@example.com"))
    assert other.delete(f"/api/v1/payment-methods/{card['id']}").status_code == 404
    assert other.post(f"/api/v1/payment-methods/{card['id']}/default").status_code == 404
    assert other.get("/api/v1/payment-methods").json()["count"] == 0
    response = other.post("/api/v1/payment-methods", {"token": "tok_nonsense"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] in ("token", "payment_method")
    assert other.post("/api/v1/payment-methods", {}, format="json").json()["errors"][0]["attr"] == "token"


def test_the_ledger_and_payouts_of_a_completed_booking(guest, host, listing):
    start, end = window(days=1)
    booking = booking_services.create_booking(
        guest=guest, listing_id=listing.pk, start_datetime=start, end_datetime=end, vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )  # fmt: skip
    with freeze_time(start):
        booking_services.check_in(booking=booking, actor=guest)
        booking_services.check_out(booking=booking, actor=guest)
    User.objects.filter(pk=host.pk).update(stripe_account_id="acct_sandbox_1")
    with freeze_time(end + timedelta(days=1)):
        services.run_payouts()
    ledger = client_for(guest).get("/api/v1/transactions").json()
    assert [(row["transaction_type"], row["status"], row["amount"]) for row in ledger["results"]] == [
        ("BOOKING", "completed", "11.00")
    ]
    payouts = client_for(host).get("/api/v1/payouts").json()
    assert payouts["count"] == 1
    assert payouts["results"][0]["bookings"][0]["booking"] == str(booking.booking_code)
    assert payouts["results"][0]["status"] == "paid"
    assert client_for(guest).get("/api/v1/payouts").json()["count"] == 0


def _signed(payload: dict, secret: str | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = hmac.new(
        (secret or settings.PAYMENT_WEBHOOK_SECRET).encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def test_webhook_checks_the_signature_and_records_each_event_once(guest, make_listing):
    listing = make_listing(instant_booking=False)
    start, end = window()
    booking = booking_services.create_booking(
        guest=guest, listing_id=listing.pk, start_datetime=start, end_datetime=end, vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )  # fmt: skip
    event = {
        "id": "evt_123",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": booking.payment_intent_id, "object": "payment_intent"}},
    }
    body, signature = _signed(event, secret="whsec_wrong")
    forged = APIClient().post(
        "/api/v1/payments/webhook", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert forged.status_code == 400
    body, signature = _signed(event)
    first = APIClient().post(
        "/api/v1/payments/webhook", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    again = APIClient().post(
        "/api/v1/payments/webhook", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert first.json() == {"received": True, "duplicate": False}
    assert again.json() == {"received": True, "duplicate": True}
    assert WebhookEvent.objects.count() == 1
    booking.refresh_from_db()
    assert booking.payment_status == "succeeded"


def test_a_late_cancellation_that_keeps_the_whole_payment_is_paid_out_to_the_host(guest, host, make_listing):
    listing = make_listing(cancellation_policy="STRICT")
    start, end = window(days=0.5)  # under 24 hours ahead: the strict policy refunds nothing
    booking = booking_services.create_booking(
        guest=guest, listing_id=listing.pk, start_datetime=start, end_datetime=end, vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )  # fmt: skip
    booking = booking_services.cancel_booking(booking=booking, actor=guest, reason="Plans changed")
    assert booking.refund_amount == 0 and booking.payment_status == "succeeded"
    User.objects.filter(pk=host.pk).update(stripe_account_id="acct_sandbox_1")
    with freeze_time(end + timedelta(days=1)):
        services.run_payouts()
    [payout] = client_for(host).get("/api/v1/payouts").json()["results"]
    assert payout["bookings"][0]["booking"] == str(booking.booking_code)
    assert payout["amount"] == str(booking.host_payout)
