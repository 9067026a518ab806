"""Twilio's Programmable Messaging through the official `twilio` SDK."""

from django.conf import settings
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from apps.core.sms.base import SmsDeliveryError, SmsReceipt


class TwilioSmsGateway:
    def __init__(self) -> None:
        # A bounded wait: the notification delivery holds its row lock while a text is handed over.
        http_client = TwilioHttpClient(timeout=settings.SMS_TIMEOUT_SECONDS)
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        if settings.TWILIO_API_BASE_URL:
            # Lets tests (and regional edge locations) point the SDK at another host.
            self.client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
        self.from_number = settings.TWILIO_FROM_NUMBER

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> SmsReceipt:
        # Twilio has no idempotency key for sending a message; callers record each sent text as soon as Twilio
        # accepts it, so only a crash between the two can send one twice.
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        except (TwilioException, OSError) as error:
            raise SmsDeliveryError(str(error)) from error
        return SmsReceipt(provider="twilio", message_id=message.sid)
