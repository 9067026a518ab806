"""The local SMS gateway: every text becomes `OUTBOX_DIR/sms/<time>-<id>.json` (or `<idempotency key>.json`)."""

from apps.core.outbox import write_outbox_json
from apps.core.sms.base import SmsReceipt


class OutboxSmsGateway:
    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> SmsReceipt:
        path = write_outbox_json(channel="sms", payload={"to": to, "body": body}, name=idempotency_key)
        return SmsReceipt(provider="outbox", message_id=path.stem)
