"""Sending text messages: one small interface, a local file gateway and a Twilio gateway, chosen by settings."""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from apps.core.sms.base import SmsDeliveryError, SmsGateway, SmsReceipt

__all__ = ["SmsDeliveryError", "SmsGateway", "SmsReceipt", "get_sms_gateway", "send_sms"]


@lru_cache(maxsize=1)
def get_sms_gateway() -> SmsGateway:
    return import_string(settings.SMS_GATEWAY)()


@receiver(setting_changed)
def _forget_the_gateway(setting: str, **kwargs) -> None:
    if setting.startswith(("SMS_", "TWILIO_")):
        get_sms_gateway.cache_clear()


def send_sms(*, to: str, body: str, idempotency_key: str | None = None) -> SmsReceipt:
    return get_sms_gateway().send(to=to, body=body, idempotency_key=idempotency_key)
