from dataclasses import dataclass
from typing import Protocol


class SmsDeliveryError(Exception):
    """The provider did not accept the message; callers retry or record the failure."""


@dataclass(frozen=True)
class SmsReceipt:
    provider: str
    message_id: str


class SmsGateway(Protocol):
    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> SmsReceipt:
        """Send one text. The same `idempotency_key` twice means the same message: a gateway that can tell (the
        outbox) sends it once."""
