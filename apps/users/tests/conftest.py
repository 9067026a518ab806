import email
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def outbox():
    """Read what the local email and SMS backends wrote to `OUTBOX_DIR`."""

    class Outbox:
        def emails(self) -> list[email.message.Message]:
            folder = Path(settings.OUTBOX_DIR) / "email"
            return [email.message_from_bytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]

        def email_bodies(self) -> list[str]:
            return [message.get_payload(decode=True).decode() for message in self.emails()]

        def texts(self) -> list[dict]:
            import json

            folder = Path(settings.OUTBOX_DIR) / "sms"
            return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]

    return Outbox()
