"""Sending push messages: one small interface, a local file gateway and a Web Push gateway, chosen by settings."""

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from apps.core.push.base import (
    PushDeliveryError,
    PushGateway,
    PushReceipt,
    PushSubscriptionGone,
    PushSubscriptionInfo,
)

__all__ = [
    "PushDeliveryError",
    "PushGateway",
    "PushReceipt",
    "PushSubscriptionGone",
    "PushSubscriptionInfo",
    "get_push_gateway",
    "send_push",
]


@lru_cache(maxsize=1)
def get_push_gateway() -> PushGateway:
    return import_string(settings.PUSH_GATEWAY)()


@receiver(setting_changed)
def _forget_the_gateway(setting: str, **kwargs) -> None:
    if setting.startswith(("PUSH_", "VAPID_")):
        get_push_gateway.cache_clear()


def send_push(
    *, subscription: PushSubscriptionInfo, payload: dict[str, Any], idempotency_key: str | None = None
) -> PushReceipt:
    return get_push_gateway().send(subscription=subscription, payload=payload, idempotency_key=idempotency_key)
