from dataclasses import dataclass
from typing import Protocol


class SmsDeliveryError(Exception):
    """The provider did not accept the message; callers retry or record the failure."""


@dataclass(frozen=True)
class SmsReceipt:
    provider: str
    message_id: str


class SmsGateway(Protocol):
    def send(self, *, to: str, body: str) -> SmsReceipt: ...
