"""Reads of the notifications domain."""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat

from apps.bookings.models import Booking
from apps.core.errors import NotFound
from apps.messaging.models import MessageRead
from apps.notifications.models import Notification, PushSubscription


def notifications_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_of(user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise NotFound("No such notification.")
    return notification


def unread_notification_about(user, target: Any, notification_type: str) -> Notification | None:
    return Notification.objects.filter(
        recipient=user,
        notification_type=notification_type,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        read_at__isnull=True,
    ).first()


def has_read_conversation_since(user, conversation: Any, moment: datetime) -> bool:
    return MessageRead.objects.filter(user=user, message__conversation=conversation, read_at__gte=moment).exists()


# --- Reminders ----------------------------------------------------------------------------------------------------


def reminder_key(kind: str, booking_id: int) -> str:
    """The dedupe key that makes a reminder of a booking exist once."""
    return f"reminder-{kind}:{booking_id}"


def _not_reminded(bookings: QuerySet[Booking], kind: str) -> QuerySet[Booking]:
    # One indexed lookup per candidate on the unique dedupe key, instead of one failed insert per run.
    key = Concat(Value(f"reminder-{kind}:"), Cast(OuterRef("pk"), CharField()))
    return (
        bookings.exclude(Exists(Notification.objects.filter(dedupe_key=key)))
        .select_related("listing__host", "guest")
        .order_by("pk")
    )


def bookings_due_checkin_reminder(*, now: datetime, lead: timedelta) -> QuerySet[Booking]:
    """Confirmed bookings that start within `lead` from now (and have not started), not reminded yet."""
    return _not_reminded(
        Booking.objects.filter(status=Booking.Status.CONFIRMED, start_datetime__gt=now, start_datetime__lte=now + lead),
        "checkin",
    )


def bookings_due_checkout_reminder(*, now: datetime, lead: timedelta) -> QuerySet[Booking]:
    """Confirmed or current bookings that end within `lead` from now (and have not ended), not reminded yet."""
    return _not_reminded(
        Booking.objects.filter(
            status__in=[Booking.Status.CONFIRMED, Booking.Status.IN_PROGRESS],
            end_datetime__gt=now,
            end_datetime__lte=now + lead,
        ),
        "checkout",
    )


# --- Push subscriptions -------------------------------------------------------------------------------------------


def push_subscription_of(user, subscription_id: int) -> PushSubscription:
    subscription = PushSubscription.objects.filter(user=user, pk=subscription_id).first()
    if subscription is None:
        raise NotFound("No such push subscription.")
    return subscription
