"""Sending text messages: one small interface, a local file gateway and a Twilio gateway, chosen by settings."""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from apps.core.sms.base import SmsDeliveryError, SmsGateway, SmsReceipt

__all__ = ["SmsDeliveryError", "SmsGateway", "SmsReceipt", "get_sms_gateway", "send_sms"]


@lru_cache(maxsize=1)
def get_sms_gateway() -> SmsGateway:
    return import_string(settings.SMS_GATEWAY)()


def send_sms(*, to: str, body: str) -> SmsReceipt:
    return get_sms_gateway().send(to=to, body=body)
