"""What the notification tests share: the seeded templates, people who prefer each channel, and readers of the
outbox the local providers write to."""

import base64
import email
import importlib
import json
from email import policy
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.apps import apps as django_apps

from apps.notifications.models import PushSubscription

SEED = importlib.import_module("apps.notifications.migrations.0003_seed_notification_templates")


@pytest.fixture(autouse=True)
def _seeded_templates(db):
    """The templates the migration seeds (a transactional test elsewhere may have emptied the table since)."""
    SEED.create_templates(django_apps, None)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def browser_keys() -> dict:
    """Keys a browser would subscribe with: an uncompressed P-256 public key and a 16-byte secret."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(raw), "auth": b64url(b"0123456789abcdef")}


def subscribe(user, endpoint: str = "https://push.example.net/send/abc") -> PushSubscription:
    return PushSubscription.objects.create(user=user, endpoint=endpoint, **browser_keys())


def prefers(user, method: str, *, phone: str = "+15125550123"):
    user.preferred_notification_method = method
    if method == "sms":
        user.phone_number, user.is_phone_verified = phone, True
    user.save()
    return user


def files(outbox_dir: Path, channel: str) -> list[Path]:
    folder = outbox_dir / channel
    return sorted(folder.iterdir()) if folder.exists() else []


def emails(outbox_dir: Path) -> list:
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files(outbox_dir, "email")]


def texts(outbox_dir: Path, channel: str) -> list[dict]:
    return [json.loads(path.read_text()) for path in files(outbox_dir, channel)]


def plain_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
