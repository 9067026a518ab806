"""The offline payment gateway: no network, no money, and no memory.

Web and Celery workers are separate processes, so the sandbox keeps no state: every id is derived from the call's
idempotency key (a retried call gets the same id), and what a later call must know travels inside the ids. A saved
card's id names how the card behaves (`pm_sandbox_chargeDeclined_<hex>` keeps declining), and an authorisation's
id ends with the cents held (`pi_sandbox_<hex>_2550`), so that capture and refund can refuse more than was held.
What it cannot know without state (a second refund beyond the captured amount, capturing a released hold) Stripe
refuses and the sandbox allows.

Stripe's test payment methods behave as with Stripe: `pm_card_visa`, `pm_card_mastercard` and `pm_card_amex`
succeed; `pm_card_chargeDeclined` is declined (`card_declined`) and `pm_card_insufficientFunds` (or Stripe's
`pm_card_chargeDeclinedInsufficientFunds`) is declined for `insufficient_funds`. The demo data's saved cards
(`pm_demo_...`) succeed.
"""

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core.errors import InvalidInput
from apps.payments.gateways.base import (
    Authorization,
    Capture,
    Card,
    PaymentDeclined,
    PaymentError,
    Refund,
    Transfer,
    WebhookEvent,
    from_cents,
    no_payout_account,
    parse_signed_event,
    require_idempotency_key,
    to_cents,
)


@dataclass(frozen=True)
class SandboxCard:
    brand: str
    last4: str
    decline_code: str = ""
    decline_message: str = ""


CARDS = {
    "visa": SandboxCard("visa", "4242"),
    "mastercard": SandboxCard("mastercard", "4444"),
    "amex": SandboxCard("amex", "8431"),
    "chargeDeclined": SandboxCard("visa", "0002", "card_declined", "Your card was declined."),
    "insufficientFunds": SandboxCard("visa", "9995", "insufficient_funds", "Your card has insufficient funds."),
}
TOKENS = {f"pm_card_{kind}": kind for kind in CARDS} | {
    "pm_card_visa_chargeDeclined": "chargeDeclined",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficientFunds",
    "pm_card_visa_chargeDeclinedInsufficientFunds": "insufficientFunds",
}
SAVED_CARD = re.compile(r"^pm_sandbox_(?P<kind>[A-Za-z]+)_[0-9a-f]{24}$")
DEMO_CARD_PREFIX = "pm_demo_"
SANDBOX_INTENT = re.compile(r"^pi_sandbox_[0-9a-f]{24}_(?P<cents>[0-9]+)$")


def _digest(idempotency_key: str) -> str:
    return hashlib.sha256(require_idempotency_key(idempotency_key).encode()).hexdigest()[:24]


def _kind_of(payment_method_id: str) -> str:
    if payment_method_id in TOKENS:
        return TOKENS[payment_method_id]
    saved = SAVED_CARD.match(payment_method_id)
    if saved and saved["kind"] in CARDS:
        return saved["kind"]
    if payment_method_id.startswith(DEMO_CARD_PREFIX):
        return "visa"
    raise InvalidInput("Unknown payment method.", attr="payment_method")


def _positive_cents(amount: Decimal) -> int:
    cents = to_cents(amount)
    if cents <= 0:
        raise PaymentError("The amount must be greater than zero.")
    return cents


def _held_cents(intent_id: str) -> int | None:
    """The cents an authorisation of ours holds; None for an intent we did not make (the demo data's)."""
    if not intent_id:
        raise PaymentError("No such payment intent.")
    match = SANDBOX_INTENT.match(intent_id)
    return int(match["cents"]) if match else None


class SandboxGateway:
    def __init__(self) -> None:
        self.webhook_secret = settings.PAYMENT_WEBHOOK_SECRET

    def ensure_customer(self, *, email: str, existing_id: str, idempotency_key: str) -> str:
        return existing_id or f"cus_sandbox_{_digest(idempotency_key)}"

    def save_card(self, *, token: str, customer_id: str, idempotency_key: str) -> Card:
        kind = _kind_of(token)
        card = CARDS[kind]
        return Card(
            payment_method_id=f"pm_sandbox_{kind}_{_digest(idempotency_key)}",
            brand=card.brand,
            last4=card.last4,
            exp_month=12,
            exp_year=timezone.now().year + 3,
        )

    def authorize(
        self,
        *,
        amount: Decimal,
        currency: str,
        payment_method_id: str,
        customer_id: str,
        description: str,
        metadata: dict[str, Any],
        idempotency_key: str,
    ) -> Authorization:
        digest = _digest(idempotency_key)
        card = CARDS[_kind_of(payment_method_id)]
        cents = _positive_cents(amount)
        if card.decline_code:
            raise PaymentDeclined(card.decline_message, code=card.decline_code)
        return Authorization(intent_id=f"pi_sandbox_{digest}_{cents}", status="requires_capture")

    def capture(self, *, intent_id: str, amount: Decimal | None, idempotency_key: str) -> Capture:
        require_idempotency_key(idempotency_key)
        held = _held_cents(intent_id)
        if amount is None:
            return Capture(intent_id=intent_id, amount=None if held is None else from_cents(held))
        cents = _positive_cents(amount)
        if held is not None and cents > held:
            raise PaymentError(f"Cannot capture {amount}: only {from_cents(held)} was authorised.")
        return Capture(intent_id=intent_id, amount=from_cents(cents))

    def release(self, *, intent_id: str, idempotency_key: str) -> None:
        require_idempotency_key(idempotency_key)
        _held_cents(intent_id)

    def refund(self, *, intent_id: str, amount: Decimal, idempotency_key: str) -> Refund:
        digest = _digest(idempotency_key)
        held = _held_cents(intent_id)
        cents = _positive_cents(amount)
        if held is not None and cents > held:
            raise PaymentError(f"Cannot refund {amount}: the payment was {from_cents(held)}.")
        return Refund(refund_id=f"re_sandbox_{digest}", amount=from_cents(cents))

    def transfer(
        self, *, amount: Decimal, currency: str, destination_account: str, description: str, idempotency_key: str
    ) -> Transfer:
        digest = _digest(idempotency_key)
        if not destination_account:
            raise no_payout_account()
        _positive_cents(amount)
        return Transfer(transfer_id=f"tr_sandbox_{digest}")

    def parse_webhook(self, *, payload: bytes, signature_header: str) -> WebhookEvent:
        return parse_signed_event(payload=payload, signature_header=signature_header, secret=self.webhook_secret)
