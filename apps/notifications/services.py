"""Writes of the notifications domain: a notification row per recipient and event (delivery over email, SMS and
push is the job of the delivery tasks)."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.notifications.models import Notification


def notify(
    *,
    recipient: Any,
    notification_type: str,
    title: str,
    message: str,
    target: Any | None = None,
    data: dict | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Record one in-app notification. With a `dedupe_key`, a second call for the same event records nothing."""
    method = getattr(recipient, "preferred_notification_method", "email")
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient,
                notification_type=notification_type,
                title=title[:200],
                message=message,
                send_email=True,
                send_sms=method == "sms" and bool(getattr(recipient, "is_phone_verified", False)),
                send_push=method == "push",
                content_type=ContentType.objects.get_for_model(target) if target is not None else None,
                object_id=target.pk if target is not None else None,
                data=data or {},
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None


def mark_read(*, notification: Notification) -> Notification:
    """Mark an in-app notification read (the first time only)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.status = Notification.Status.READ
        notification.save(update_fields=["read_at", "status"])
    return notification
