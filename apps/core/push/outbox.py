"""The local push gateway: every push message becomes `OUTBOX_DIR/push/<time>-<id>.json` (or `<key>.json`)."""

from typing import Any

from apps.core.outbox import write_outbox_json
from apps.core.push.base import PushReceipt, PushSubscriptionInfo


class OutboxPushGateway:
    def send(
        self, *, subscription: PushSubscriptionInfo, payload: dict[str, Any], idempotency_key: str | None = None
    ) -> PushReceipt:
        path = write_outbox_json(
            channel="push", payload={"endpoint": subscription.endpoint, "payload": payload}, name=idempotency_key
        )
        return PushReceipt(provider="outbox", message_id=path.stem)
