"""Taking and giving back money: one small interface, an offline sandbox and Stripe, chosen by `PAYMENT_GATEWAY`."""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from apps.payments.gateways.base import (
    Authorization,
    Capture,
    Card,
    InvalidSignature,
    PaymentDeclined,
    PaymentError,
    PaymentGateway,
    Refund,
    Transfer,
    WebhookEvent,
)

__all__ = [
    "Authorization",
    "Capture",
    "Card",
    "InvalidSignature",
    "PaymentDeclined",
    "PaymentError",
    "PaymentGateway",
    "Refund",
    "Transfer",
    "WebhookEvent",
    "get_gateway",
]

GATEWAY_SETTINGS = {
    "PAYMENT_GATEWAY",
    "PAYMENT_WEBHOOK_SECRET",
    "STRIPE_SECRET_KEY",
    "STRIPE_API_BASE",
    "STRIPE_MAX_NETWORK_RETRIES",
}


@lru_cache(maxsize=1)
def get_gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()


@receiver(setting_changed)
def _forget_gateway(*, setting: str, **kwargs) -> None:
    """Tests that override a payment setting get a gateway built from it, not the one cached before."""
    if setting in GATEWAY_SETTINGS:
        get_gateway.cache_clear()
