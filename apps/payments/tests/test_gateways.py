"""One behavioural suite for both payment gateways: the offline sandbox, and the Stripe adapter's real SDK calls
answered by a fake Stripe HTTP server. What only a gateway with memory can check runs against Stripe alone."""

import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.errors import InvalidInput, PaymentRequired
from apps.payments.gateways import get_gateway
from apps.payments.gateways.base import InvalidSignature, PaymentDeclined, PaymentError, to_cents
from apps.payments.gateways.sandbox import SandboxGateway
from apps.payments.gateways.stripe import StripeGateway
from apps.payments.tests.fake_stripe import (
    HOST_ACCOUNT,
    SECRET_KEY,
    event_payload,
    fake_stripe_fixture,  # noqa: F401 (registers the `fake_stripe` fixture here)
    signature_header,
)

SANDBOX_GATEWAY = "apps.payments.gateways.sandbox.SandboxGateway"


@pytest.fixture(params=["sandbox", "stripe"])
def gateway(request, settings):
    if request.param == "stripe":
        request.getfixturevalue("fake_stripe")
    else:
        settings.PAYMENT_GATEWAY = SANDBOX_GATEWAY
    return get_gateway()


stripe_only = pytest.mark.parametrize("gateway", ["stripe"], indirect=True)


def customer(gateway, name="guest") -> str:
    return gateway.ensure_customer(email=f"{name}@example.com", existing_id="", idempotency_key=f"customer:{name}")


def authorize(gateway, *, amount="25.50", payment_method="pm_card_visa", customer_id="", key="booking:1"):
    return gateway.authorize(
        amount=Decimal(amount),
        currency="USD",
        payment_method_id=payment_method,
        customer_id=customer_id,
        description="Parking at Driveway on Elm St",
        metadata={"booking": "PIN-ABC123", "listing": 7},
        idempotency_key=key,
    )


# --- Customers and cards --------------------------------------------------------------------------------------------


def test_a_new_customer_gets_an_id_and_a_known_one_keeps_its_own(gateway):
    new_id = customer(gateway)
    assert new_id.startswith("cus_")
    assert gateway.ensure_customer(email="guest@example.com", existing_id="cus_known", idempotency_key="c:2") == (
        "cus_known"
    )


@pytest.mark.parametrize(
    ("token", "brand", "last4"),
    [("pm_card_visa", "visa", "4242"), ("pm_card_mastercard", "mastercard", "4444"), ("pm_card_amex", "amex", "8431")],
)
def test_saving_a_card_returns_a_reusable_method_with_brand_last_digits_and_expiry(gateway, token, brand, last4):
    card = gateway.save_card(token=token, customer_id=customer(gateway), idempotency_key=f"card:1:{token}")

    assert card.payment_method_id.startswith("pm_") and card.payment_method_id != token
    assert (card.brand, card.last4) == (brand, last4)
    assert 1 <= card.exp_month <= 12 and card.exp_year > timezone.now().year


def test_a_saved_card_can_pay(gateway):
    customer_id = customer(gateway)
    card = gateway.save_card(token="pm_card_visa", customer_id=customer_id, idempotency_key="card:1")

    authorization = authorize(gateway, payment_method=card.payment_method_id, customer_id=customer_id)

    assert authorization.status == "requires_capture"


@pytest.mark.parametrize("token", ["pm_card_bogus", "tok_nonsense", ""])
def test_an_unknown_payment_method_is_invalid_input(gateway, token):
    with pytest.raises(InvalidInput) as saving:
        gateway.save_card(token=token, customer_id=customer(gateway), idempotency_key="card:1")
    with pytest.raises(InvalidInput) as paying:
        authorize(gateway, payment_method=token)

    assert saving.value.attr == paying.value.attr == "payment_method"
    assert paying.value.status_code == 400


# --- Authorise, capture, refund, release ----------------------------------------------------------------------------


def test_authorise_capture_in_full_then_refund_part(gateway):
    authorization = authorize(gateway, amount="25.50", customer_id=customer(gateway))
    assert authorization.intent_id.startswith("pi_")
    assert authorization.status == "requires_capture"

    capture = gateway.capture(intent_id=authorization.intent_id, amount=None, idempotency_key="capture:1")
    assert capture.intent_id == authorization.intent_id
    assert capture.amount == Decimal("25.50")

    refund = gateway.refund(intent_id=authorization.intent_id, amount=Decimal("10.00"), idempotency_key="refund:1:1")
    assert refund.refund_id.startswith("re_")
    assert refund.amount == Decimal("10.00")


def test_part_of_an_authorisation_can_be_captured_but_not_more_than_it(gateway):
    intent_id = authorize(gateway, amount="25.50", key="booking:1").intent_id
    with pytest.raises(PaymentError) as too_much:
        gateway.capture(intent_id=intent_id, amount=Decimal("30.00"), idempotency_key="capture:1:a")
    assert too_much.value.status_code == 502 and too_much.value.code == "payment_provider_error"

    capture = gateway.capture(intent_id=intent_id, amount=Decimal("20.00"), idempotency_key="capture:1:b")

    assert capture.amount == Decimal("20.00")


def test_a_refund_larger_than_the_payment_is_refused(gateway):
    intent_id = authorize(gateway, amount="25.50").intent_id
    gateway.capture(intent_id=intent_id, amount=None, idempotency_key="capture:1")

    with pytest.raises(PaymentError):
        gateway.refund(intent_id=intent_id, amount=Decimal("25.51"), idempotency_key="refund:1:1")


@stripe_only  # the sandbox keeps no state between calls, so it cannot add up earlier refunds
def test_refunds_together_never_exceed_what_was_captured(gateway):
    intent_id = authorize(gateway, amount="25.50").intent_id
    gateway.capture(intent_id=intent_id, amount=None, idempotency_key="capture:1")
    gateway.refund(intent_id=intent_id, amount=Decimal("20.00"), idempotency_key="refund:1:1")

    with pytest.raises(PaymentError, match="greater than unrefunded"):
        gateway.refund(intent_id=intent_id, amount=Decimal("5.51"), idempotency_key="refund:1:2")
    last = gateway.refund(intent_id=intent_id, amount=Decimal("5.50"), idempotency_key="refund:1:3")

    assert last.amount == Decimal("5.50")


def test_an_authorisation_can_be_released(gateway):
    intent_id = authorize(gateway).intent_id

    assert gateway.release(intent_id=intent_id, idempotency_key="release:1") is None


@stripe_only  # the sandbox cannot remember that the hold was released
def test_a_released_authorisation_can_no_longer_be_captured(gateway, fake_stripe):
    intent_id = authorize(gateway).intent_id
    gateway.release(intent_id=intent_id, idempotency_key="release:1")

    with pytest.raises(PaymentError, match="status of canceled"):
        gateway.capture(intent_id=intent_id, amount=None, idempotency_key="capture:1")
    assert fake_stripe.payment_intents[intent_id]["status"] == "canceled"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("pm_card_chargeDeclined", "card_declined"),
        ("pm_card_insufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ],
)
def test_a_declined_card_raises_payment_declined_with_the_reason(gateway, token, code):
    with pytest.raises(PaymentDeclined) as declined:
        authorize(gateway, payment_method=token)

    assert declined.value.code == code
    assert declined.value.status_code == 402 and isinstance(declined.value, PaymentRequired)
    assert "declined" in declined.value.detail or "insufficient funds" in declined.value.detail


def test_a_saved_declining_card_keeps_declining(gateway):
    customer_id = customer(gateway)
    card = gateway.save_card(token="pm_card_insufficientFunds", customer_id=customer_id, idempotency_key="card:1")
    assert card.last4 == "9995"

    with pytest.raises(PaymentDeclined) as declined:
        authorize(gateway, payment_method=card.payment_method_id, customer_id=customer_id)

    assert declined.value.code == "insufficient_funds"


def test_amounts_with_fractions_of_a_cent_are_a_programming_error():
    assert to_cents(Decimal("25.50")) == 2550
    with pytest.raises(ValueError, match="two decimal places"):
        to_cents(Decimal("25.505"))


# --- Idempotency ----------------------------------------------------------------------------------------------------


def test_the_same_idempotency_key_returns_the_same_payment(gateway):
    first = authorize(gateway, key="booking:42")
    again = authorize(gateway, key="booking:42")
    other = authorize(gateway, key="booking:43")

    assert again.intent_id == first.intent_id
    assert other.intent_id != first.intent_id


def test_a_retried_capture_and_refund_answer_like_the_first(gateway):
    intent_id = authorize(gateway).intent_id
    captures = [gateway.capture(intent_id=intent_id, amount=None, idempotency_key="capture:1") for _ in range(2)]
    refunds = [
        gateway.refund(intent_id=intent_id, amount=Decimal("5.00"), idempotency_key="refund:1:1") for _ in range(2)
    ]

    assert captures[0] == captures[1]
    assert refunds[0] == refunds[1]


def test_every_call_needs_an_idempotency_key(gateway):
    with pytest.raises(ValueError, match="idempotency_key"):
        authorize(gateway, key="")


def test_the_sandbox_derives_ids_from_the_key_so_other_processes_agree(settings):
    settings.PAYMENT_GATEWAY = SANDBOX_GATEWAY
    in_the_web_process, in_a_worker = SandboxGateway(), SandboxGateway()

    assert authorize(in_the_web_process).intent_id == authorize(in_a_worker).intent_id


@stripe_only
def test_stripe_receives_the_callers_idempotency_key_on_every_call_and_amounts_in_cents(gateway, fake_stripe):
    customer_id = customer(gateway, "payer")
    card = gateway.save_card(token="pm_card_visa", customer_id=customer_id, idempotency_key="card:9")
    intent_id = authorize(
        gateway, amount="25.50", payment_method=card.payment_method_id, customer_id=customer_id
    ).intent_id
    gateway.capture(intent_id=intent_id, amount=Decimal("20.25"), idempotency_key="capture:9")
    gateway.refund(intent_id=intent_id, amount=Decimal("0.75"), idempotency_key="refund:9:1")
    other_intent = authorize(gateway, amount="12.00", key="booking:10").intent_id
    gateway.release(intent_id=other_intent, idempotency_key="release:10")
    gateway.transfer(
        amount=Decimal("18.90"),
        currency="USD",
        destination_account=HOST_ACCOUNT,
        description="Payout 3",
        idempotency_key="payout:3",
    )

    sent = [(r.method, r.path.split("/")[2], r.idempotency_key) for r in fake_stripe.requests]
    assert sent == [
        ("POST", "customers", "customer:payer"),
        ("POST", "payment_methods", "card:9"),
        ("POST", "payment_intents", "booking:1"),
        ("POST", "payment_intents", "capture:9"),
        ("POST", "refunds", "refund:9:1"),
        ("POST", "payment_intents", "booking:10"),
        ("POST", "payment_intents", "release:10"),
        ("POST", "transfers", "payout:3"),
    ]
    assert all(r.authorization == f"Bearer {SECRET_KEY}" for r in fake_stripe.requests)
    create, capture, refund, transfer = (fake_stripe.requests[index].params for index in (2, 3, 4, 7))
    assert create == {
        "amount": "2550",
        "currency": "usd",
        "payment_method": card.payment_method_id,
        "customer": customer_id,
        "payment_method_types": ["card"],
        "capture_method": "manual",
        "confirm": "true",
        "off_session": "true",
        "description": "Parking at Driveway on Elm St",
        "metadata": {"booking": "PIN-ABC123", "listing": "7"},
    }
    assert capture == {"amount_to_capture": "2025"}
    assert refund == {"payment_intent": intent_id, "amount": "75"}
    assert transfer == {"amount": "1890", "currency": "usd", "destination": HOST_ACCOUNT, "description": "Payout 3"}


@stripe_only
def test_stripe_creates_one_payment_for_a_replayed_key(gateway, fake_stripe):
    authorize(gateway, key="booking:42")
    authorize(gateway, key="booking:42")

    assert len(fake_stripe.payment_intents) == 1
    assert [r.replayed for r in fake_stripe.requests] == [False, True]


@stripe_only
def test_reusing_a_key_for_a_different_request_is_a_provider_error(gateway):
    authorize(gateway, amount="25.50", key="booking:42")

    with pytest.raises(PaymentError, match="same parameters"):
        authorize(gateway, amount="30.00", key="booking:42")


# --- Payouts --------------------------------------------------------------------------------------------------------


def test_a_transfer_to_the_hosts_account_returns_its_id(gateway):
    transfer = gateway.transfer(
        amount=Decimal("18.90"),
        currency="USD",
        destination_account=HOST_ACCOUNT,
        description="Payout 3",
        idempotency_key="payout:3",
    )

    assert transfer.transfer_id.startswith("tr_")


def test_a_host_without_a_payout_account_cannot_be_paid(gateway):
    with pytest.raises(PaymentError) as refused:
        gateway.transfer(
            amount=Decimal("18.90"),
            currency="USD",
            destination_account="",
            description="Payout 3",
            idempotency_key="p:3",
        )

    assert refused.value.code == "no_payout_account"


@stripe_only
def test_a_transfer_to_an_unknown_account_is_refused_by_stripe(gateway):
    with pytest.raises(PaymentError, match="No such destination"):
        gateway.transfer(
            amount=Decimal("18.90"),
            currency="USD",
            destination_account="acct_nobody",
            description="Payout 3",
            idempotency_key="payout:3",
        )


# --- Webhooks -------------------------------------------------------------------------------------------------------


def test_an_event_signed_with_our_secret_is_read(gateway, settings):
    payload = event_payload("payment_intent.succeeded", {"id": "pi_123", "object": "payment_intent"}, event_id="evt_1")

    event = gateway.parse_webhook(
        payload=payload, signature_header=signature_header(payload, settings.PAYMENT_WEBHOOK_SECRET)
    )

    assert (event.id, event.type) == ("evt_1", "payment_intent.succeeded")
    assert event.data == {"object": {"id": "pi_123", "object": "payment_intent"}}


@pytest.mark.parametrize("problem", ["wrong secret", "altered body", "too old", "no header", "garbage header"])
def test_an_event_without_a_valid_signature_is_refused(gateway, settings, problem):
    payload = event_payload("charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 100})
    secret = settings.PAYMENT_WEBHOOK_SECRET
    header = {
        "wrong secret": signature_header(payload, "whsec_someone_else"),
        "altered body": signature_header(payload.replace(b"100", b"999"), secret),
        "too old": signature_header(payload, secret, timestamp=int(time.time()) - 3600),
        "no header": "",
        "garbage header": "nonsense",
    }[problem]

    with pytest.raises(InvalidSignature) as refused:
        gateway.parse_webhook(payload=payload, signature_header=header)

    assert (refused.value.status_code, refused.value.code, refused.value.attr) == (400, "invalid_signature", None)


def test_a_signed_body_that_is_not_an_event_is_invalid_input(gateway, settings):
    payload = json.dumps({"hello": "world"}).encode()

    with pytest.raises(InvalidInput) as refused:
        gateway.parse_webhook(
            payload=payload, signature_header=signature_header(payload, settings.PAYMENT_WEBHOOK_SECRET)
        )

    assert refused.value.code == "invalid_payload"


def test_without_a_webhook_secret_every_event_is_refused(gateway, settings):
    settings.PAYMENT_WEBHOOK_SECRET = ""
    payload = event_payload("payment_intent.succeeded", {"id": "pi_1"})

    with pytest.raises(InvalidSignature):
        get_gateway().parse_webhook(payload=payload, signature_header=signature_header(payload, ""))


# --- Choosing the gateway -------------------------------------------------------------------------------------------


def test_the_gateway_named_in_the_settings_is_built_once(settings):
    settings.PAYMENT_GATEWAY = SANDBOX_GATEWAY

    assert isinstance(get_gateway(), SandboxGateway)
    assert get_gateway() is get_gateway()


def test_changing_the_setting_changes_the_gateway(settings, fake_stripe):
    assert isinstance(get_gateway(), StripeGateway)

    settings.PAYMENT_GATEWAY = SANDBOX_GATEWAY

    assert isinstance(get_gateway(), SandboxGateway)


def test_stripe_without_a_secret_key_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PAYMENT_GATEWAY = "apps.payments.gateways.stripe.StripeGateway"
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(ImproperlyConfigured):
        get_gateway()


def test_stripe_out_of_reach_is_a_provider_error(settings):
    settings.PAYMENT_GATEWAY = "apps.payments.gateways.stripe.StripeGateway"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the discard port: nothing listens there
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    with pytest.raises(PaymentError) as failed:
        authorize(get_gateway())

    assert failed.value.status_code == 502


@stripe_only
def test_a_wrong_secret_key_is_a_provider_error(gateway, settings):
    settings.STRIPE_SECRET_KEY = "sk_live_not_for_tests!"

    with pytest.raises(PaymentError):
        authorize(get_gateway())
