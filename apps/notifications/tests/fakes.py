"""Providers that refuse the first few messages, standing in for an outage at the process boundary (the SMTP server,
the SMS provider). Each refuses while its class's `failures_left` is above zero, then sends to the outbox."""

from smtplib import SMTPServerDisconnected

from apps.core.mail import OutboxEmailBackend
from apps.core.sms import SmsDeliveryError
from apps.core.sms.outbox import OutboxSmsGateway


class FlakyEmailBackend(OutboxEmailBackend):
    failures_left = 0
    calls = 0

    def send_messages(self, email_messages) -> int:
        FlakyEmailBackend.calls += 1
        if FlakyEmailBackend.failures_left > 0:
            FlakyEmailBackend.failures_left -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)


class FlakySmsGateway(OutboxSmsGateway):
    failures_left = 0
    calls = 0

    def send(self, *, to: str, body: str, idempotency_key: str | None = None):
        counter = type(self)
        counter.calls += 1
        if counter.failures_left > 0:
            counter.failures_left -= 1
            raise SmsDeliveryError("503 Service Unavailable")
        return super().send(to=to, body=body, idempotency_key=idempotency_key)
