"""Twilio's Programmable Messaging through the official `twilio` SDK."""

from django.conf import settings
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from apps.core.sms.base import SmsDeliveryError, SmsReceipt


class TwilioSmsGateway:
    def __init__(self) -> None:
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        if settings.TWILIO_API_BASE_URL:
            # Lets tests (and regional edge locations) point the SDK at another host.
            self.client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
        self.from_number = settings.TWILIO_FROM_NUMBER

    def send(self, *, to: str, body: str) -> SmsReceipt:
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        except TwilioException as error:
            raise SmsDeliveryError(str(error)) from error
        return SmsReceipt(provider="twilio", message_id=message.sid)
