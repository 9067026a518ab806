"""Stripe through the official `stripe` SDK: PaymentIntents with manual capture, Refunds, and Connect Transfers.

Each gateway holds its own `StripeClient` (key, API base, retries from settings) rather than the SDK's module
globals, and passes the caller's idempotency key on every request.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from stripe.params import PaymentIntentCaptureParams, PaymentIntentCreateParams

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

logger = logging.getLogger(__name__)


def _decline_code(error: stripe.CardError) -> str:
    """Stripe says `card_declined` with a reason (`insufficient_funds`, ...) or `generic_decline`; keep the reason."""
    reason = getattr(error.error, "decline_code", None) if error.error else None
    if reason and reason != "generic_decline":
        return reason
    return error.code or "card_declined"


@contextmanager
def _stripe_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except stripe.CardError as error:
        code = _decline_code(error)
        logger.info("Stripe declined %s (%s, request %s)", operation, code, error.request_id)
        raise PaymentDeclined(error.user_message or "Your card was declined.", code=code) from error
    except (stripe.InvalidRequestError, stripe.IdempotencyError) as error:
        if error.code == "resource_missing" and getattr(error, "param", None) == "payment_method":
            raise InvalidInput("Unknown payment method.", attr="payment_method") from error
        logger.warning("Stripe refused %s: %r", operation, error)
        raise PaymentError(f"The payment provider refused the request: {error.user_message}") from error
    except stripe.StripeError as error:
        logger.warning("Stripe failed during %s: %r", operation, error)
        raise PaymentError("The payment provider could not be reached or failed; try again later.") from error


def _options(idempotency_key: str) -> stripe.RequestOptions:
    return {"idempotency_key": require_idempotency_key(idempotency_key)}


class StripeGateway:
    def __init__(self) -> None:
        if not settings.STRIPE_SECRET_KEY:
            raise ImproperlyConfigured("PAYMENT_GATEWAY is Stripe but STRIPE_SECRET_KEY is empty.")
        # Empty means Stripe's own addresses; the SDK fills in what is not given.
        base_addresses = {"api": settings.STRIPE_API_BASE.rstrip("/")} if settings.STRIPE_API_BASE else {}
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses=base_addresses,
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        )
        self.webhook_secret = settings.PAYMENT_WEBHOOK_SECRET

    def ensure_customer(self, *, email: str, existing_id: str, idempotency_key: str) -> str:
        if existing_id:
            return existing_id
        with _stripe_errors("creating a customer"):
            customer = self.client.v1.customers.create(params={"email": email}, options=_options(idempotency_key))
        return customer.id

    def save_card(self, *, token: str, customer_id: str, idempotency_key: str) -> Card:
        if not token:
            raise InvalidInput("Unknown payment method.", attr="payment_method")
        with _stripe_errors("saving a card"):
            method = self.client.v1.payment_methods.attach(
                token, params={"customer": customer_id}, options=_options(idempotency_key)
            )
        card = method.card
        if card is None:
            raise InvalidInput("Only cards can be saved.", attr="payment_method")
        return Card(
            payment_method_id=method.id,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
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
        if not payment_method_id:
            raise InvalidInput("Unknown payment method.", attr="payment_method")
        params: PaymentIntentCreateParams = {
            "amount": to_cents(amount),
            "currency": currency.lower(),
            "payment_method": payment_method_id,
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "confirm": True,
            # The guest is not there to answer a 3-D Secure challenge: a card that needs one is declined instead.
            "off_session": True,
            "description": description,
            "metadata": {key: str(value) for key, value in metadata.items()},
        }
        if customer_id:
            params["customer"] = customer_id
        with _stripe_errors("authorising a payment"):
            intent = self.client.v1.payment_intents.create(params=params, options=_options(idempotency_key))
        if intent.status == "requires_action":
            raise PaymentDeclined("Your bank asks you to confirm this payment.", code="authentication_required")
        if intent.status != "requires_capture":
            raise PaymentError(f"The payment could not be authorised (status {intent.status}).")
        return Authorization(intent_id=intent.id, status=intent.status)

    def capture(self, *, intent_id: str, amount: Decimal | None, idempotency_key: str) -> Capture:
        params: PaymentIntentCaptureParams = {}
        if amount is not None:
            params["amount_to_capture"] = to_cents(amount)
        with _stripe_errors("capturing a payment"):
            intent = self.client.v1.payment_intents.capture(intent_id, params=params, options=_options(idempotency_key))
        return Capture(intent_id=intent.id, amount=from_cents(intent.amount_received))

    def release(self, *, intent_id: str, idempotency_key: str) -> None:
        with _stripe_errors("releasing an authorisation"):
            self.client.v1.payment_intents.cancel(intent_id, options=_options(idempotency_key))

    def refund(self, *, intent_id: str, amount: Decimal, idempotency_key: str) -> Refund:
        with _stripe_errors("refunding a payment"):
            refund = self.client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": to_cents(amount)}, options=_options(idempotency_key)
            )
        return Refund(refund_id=refund.id, amount=from_cents(refund.amount))

    def transfer(
        self, *, amount: Decimal, currency: str, destination_account: str, description: str, idempotency_key: str
    ) -> Transfer:
        if not destination_account:
            raise no_payout_account()
        with _stripe_errors("paying out to a host"):
            transfer = self.client.v1.transfers.create(
                params={
                    "amount": to_cents(amount),
                    "currency": currency.lower(),
                    "destination": destination_account,
                    "description": description,
                },
                options=_options(idempotency_key),
            )
        return Transfer(transfer_id=transfer.id)

    def parse_webhook(self, *, payload: bytes, signature_header: str) -> WebhookEvent:
        return parse_signed_event(payload=payload, signature_header=signature_header, secret=self.webhook_secret)
