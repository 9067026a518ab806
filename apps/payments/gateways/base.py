"""What the marketplace needs from a payment provider, and the errors a provider's answer becomes.

Every call that moves money or creates something at the provider takes the caller's `idempotency_key`: a call
retried with the same key (after a timeout, a crash, a Celery retry) is answered like the first and never acts
twice. Keys are the caller's to choose, one per operation, e.g. `capture:<booking_code>`.
"""

import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from stripe import SignatureVerificationError, WebhookSignature

from apps.core.errors import DomainError, InvalidInput, PaymentRequired

logger = logging.getLogger(__name__)

# How old a signed webhook may be before it counts as a replay (Stripe's own default).
WEBHOOK_TOLERANCE_SECONDS = 300


class PaymentDeclined(PaymentRequired):
    """The card was refused (`code`: `card_declined`, `insufficient_funds`, `expired_card`, ...). Nothing was held."""

    default_code = "card_declined"


class PaymentError(DomainError):
    """The provider failed or refused the request for a reason other than the card (outage, bad state, setup)."""

    status_code = 502
    default_code = "payment_provider_error"


class InvalidSignature(InvalidInput):
    """A webhook whose signature does not match our secret, or is too old: it is not from our provider."""

    default_code = "invalid_signature"


@dataclass(frozen=True)
class Card:
    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Authorization:
    intent_id: str
    status: str


@dataclass(frozen=True)
class Capture:
    intent_id: str
    # What was captured; None only when the gateway cannot tell (the sandbox asked to capture in full an intent
    # it did not make, such as the demo data's).
    amount: Decimal | None


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: Decimal


@dataclass(frozen=True)
class Transfer:
    transfer_id: str


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    data: dict[str, Any] = field(default_factory=dict)  # the event's `data`, e.g. {"object": {...}}


class PaymentGateway(Protocol):
    def ensure_customer(self, *, email: str, existing_id: str, idempotency_key: str) -> str:
        """The provider's customer id for this person: `existing_id` when set, else a new customer."""

    def save_card(self, *, token: str, customer_id: str, idempotency_key: str) -> Card:
        """Turn a provider token (e.g. `pm_card_visa`) into a reusable payment method attached to the customer."""

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
        """Hold `amount` on the card, to be captured or released later. Raises `PaymentDeclined`."""

    def capture(self, *, intent_id: str, amount: Decimal | None, idempotency_key: str) -> Capture:
        """Take `amount` (all of the hold when None) of an authorisation."""

    def release(self, *, intent_id: str, idempotency_key: str) -> None:
        """Cancel an authorisation that was not captured; the hold disappears from the card."""

    def refund(self, *, intent_id: str, amount: Decimal, idempotency_key: str) -> Refund:
        """Give back part or all of a captured payment."""

    def transfer(
        self, *, amount: Decimal, currency: str, destination_account: str, description: str, idempotency_key: str
    ) -> Transfer:
        """Send money to a host's connected account. Raises `PaymentError` (`no_payout_account`) without one."""

    def parse_webhook(self, *, payload: bytes, signature_header: str) -> WebhookEvent:
        """Check the signature of an incoming event and read it. Raises `InvalidSignature`."""


def to_cents(amount: Decimal) -> int:
    """Providers count money in the smallest unit of a two-decimal currency."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places; round it with apps.core.money first.")
    return int(cents.to_integral_value())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def no_payout_account() -> PaymentError:
    return PaymentError("The host has not set up an account to receive payouts.", code="no_payout_account")


def parse_signed_event(*, payload: bytes, signature_header: str, secret: str) -> WebhookEvent:
    """Verify a `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>">` header (Stripe's scheme), then read the event.

    Both gateways use it, so the webhook endpoint and its tests are the same whichever one is configured.
    """
    if not secret:
        # An empty key would make every signature forgeable: refuse everything instead.
        raise InvalidSignature("Webhook signatures cannot be checked: no webhook secret is configured.")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("The event is not UTF-8 text.", code="invalid_payload") from error
    try:
        WebhookSignature.verify_header(text, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS)
    except SignatureVerificationError as error:
        logger.info("Refused a webhook: %s", error.user_message)
        raise InvalidSignature("The webhook signature is missing, wrong or too old.") from error
    try:
        event = json.loads(text)
    except ValueError as error:
        raise InvalidInput("The event is not valid JSON.", code="invalid_payload") from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise InvalidInput("The event has no id or type.", code="invalid_payload")
    data = event.get("data")
    return WebhookEvent(id=event["id"], type=event["type"], data=data if isinstance(data, dict) else {})


def require_idempotency_key(key: str) -> str:
    """Without a key of the caller's, a retried call could act twice: that is a bug in the caller."""
    if not key or not key.strip():
        raise ValueError("Every payment gateway call needs an idempotency_key.")
    return key
