"""The local outboxes: one file per message; a message that names itself (a Message-ID, an idempotency key) is
written once however often it is sent, as a provider that deduplicates would."""

import json

from django.core.mail import EmailMessage

from apps.core.sms.outbox import OutboxSmsGateway


def test_an_email_with_its_own_message_id_is_written_once(outbox_dir):
    for _ in range(2):
        EmailMessage(
            "Hi", "Body", to=["a@example.com"], headers={"Message-ID": "<notification-9@pinch.example>"}
        ).send()
    EmailMessage("Hi", "Body", to=["a@example.com"]).send()
    EmailMessage("Hi", "Body", to=["a@example.com"]).send()

    names = sorted(path.name for path in (outbox_dir / "email").iterdir())
    assert len(names) == 3 and "notification-9_pinch.example.eml" in names


def test_a_text_with_an_idempotency_key_is_written_once(outbox_dir):
    gateway = OutboxSmsGateway()
    first = gateway.send(to="+15125550100", body="hello", idempotency_key="notification-3-sms")
    again = gateway.send(to="+15125550100", body="hello", idempotency_key="notification-3-sms")

    [path] = (outbox_dir / "sms").iterdir()
    assert first == again and path.name == "notification-3-sms.json"
    assert json.loads(path.read_text())["body"] == "hello"
