from dataclasses import dataclass
from typing import Any, Protocol


class PushDeliveryError(Exception):
    """The push service did not take the message; callers retry or record the failure."""


class PushSubscriptionGone(PushDeliveryError):
    """The push service says the subscription no longer exists (404/410): forget it, never retry it."""


@dataclass(frozen=True)
class PushSubscriptionInfo:
    """What a browser's `PushSubscription.toJSON()` gives: where to post and the keys to encrypt for."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushReceipt:
    provider: str
    message_id: str


class PushGateway(Protocol):
    def send(
        self, *, subscription: PushSubscriptionInfo, payload: dict[str, Any], idempotency_key: str | None = None
    ) -> PushReceipt:
        """Send one push message to one subscription. The same `idempotency_key` twice means the same message:
        a gateway that can tell (the outbox) sends it once."""
