"""Writes of the notifications domain: a notification per recipient and event, rendered from its type's template
and delivered after commit by the delivery task; booking reminders; browsers' push subscriptions."""

import base64
import binascii
import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.bookings.models import Booking
from apps.core.errors import InvalidInput
from apps.notifications import context as contexts
from apps.notifications import rendering, selectors
from apps.notifications.models import Notification, NotificationType, PushSubscription

logger = logging.getLogger(__name__)
ChannelStatus = Notification.ChannelStatus
BookingStatus = Booking.Status

# Types that coalesce: while the recipient has an unread one about the same object, nothing new is made (the
# database holds the rule: `notifications_one_unread_per_conversation`).
COALESCED_TYPES = {NotificationType.MESSAGE_RECEIVED}
CHECKIN_REMINDER_LEAD = timedelta(hours=1)
CHECKOUT_REMINDER_LEAD = timedelta(minutes=15)
# A delivery that has not run (or not retried) for this long was lost, e.g. queued while the broker was down.
STUCK_AFTER = timedelta(minutes=10)
REQUEUE_BATCH = 500
# A booking confirmed has had its payment captured, even if some of it has been refunded since.
CAPTURED_PAYMENT_STATUSES = {
    Booking.PaymentStatus.SUCCEEDED,
    Booking.PaymentStatus.PARTIAL_REFUND,
    Booking.PaymentStatus.REFUNDED,
}


def _queue_delivery(notification_id: int) -> None:
    from apps.notifications.tasks import deliver_notification  # the task module imports this one

    deliver_notification.delay(notification_id)


def _after_commit_deliver(notification_id: int) -> None:
    # robust: a broker that is down must not fail the request whose change has been committed; the notification
    # stays PENDING and `requeue_stuck_notifications` queues it again.
    transaction.on_commit(lambda: _queue_delivery(notification_id), robust=True)


def notify(
    *,
    recipient: Any,
    notification_type: str,
    context: dict[str, Any] | None = None,
    target: Any | None = None,
    data: dict | None = None,
    dedupe_key: str | None = None,
    queue_delivery: bool = True,
) -> Notification | None:
    """Record one notification for `recipient`, its texts rendered from the type's template with `context`, and
    queue its delivery after commit: email always, SMS when they prefer SMS and have a verified phone number,
    push when they prefer push. A task that delivers what it made itself passes `queue_delivery=False`.

    With a `dedupe_key`, a second call for the same event records nothing (None): the unique key refuses its row,
    with no query beforehand (a second call is rare; a query before every first one cost a tenth of the worker's
    time on a booking's notifications). A coalescing type (a new message) records nothing while the recipient has
    an unread one about the same `target`. Deleted accounts get nothing. A missing or broken template never fails
    the event: a plain fallback text is recorded instead.
    """
    if getattr(recipient, "is_deleted", False):
        return None
    context = {**contexts.base(recipient), **(context or {})}
    texts = rendering.render_notification(notification_type, context)
    method = getattr(recipient, "preferred_notification_method", "email")
    send_sms = method == "sms" and bool(getattr(recipient, "is_phone_verified", False))
    send_push = method == "push"
    data = dict(data or {})
    if context.get("url"):
        data.setdefault("url", context["url"])
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                notification_type=notification_type,
                title=texts.title,
                message=texts.message,
                email_body=texts.email_body,
                sms_body=texts.sms_body,
                send_email=True,
                send_sms=send_sms,
                send_push=send_push,
                email_status=ChannelStatus.PENDING,
                sms_status=ChannelStatus.PENDING if send_sms else ChannelStatus.NONE,
                push_status=ChannelStatus.PENDING if send_push else ChannelStatus.NONE,
                content_type=ContentType.objects.get_for_model(target) if target is not None else None,
                object_id=target.pk if target is not None else None,
                data=data,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key is None and notification_type not in COALESCED_TYPES:
            raise
        return None
    if queue_delivery:
        _after_commit_deliver(notification.pk)
    return notification


def mark_read(*, notification: Notification) -> Notification:
    """Mark an in-app notification read (the first time only). One still being delivered stays PENDING (its
    delivery finishes it as READ); a failed one stays FAILED, so staff still see it."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        fields = ["read_at"]
        if notification.status == Notification.Status.SENT:
            notification.status = Notification.Status.READ
            fields.append("status")
        notification.save(update_fields=fields)
    return notification


def resend_failed(*, notification: Notification) -> Notification:
    """Give a FAILED notification a new round of delivery attempts on the channels that failed (staff, after
    fixing a provider). Channels already sent are not sent again."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status != Notification.Status.FAILED:
            return notification
        fields = ["status", "attempts"]
        for channel in ("email", "sms", "push"):
            if getattr(notification, f"{channel}_status") == ChannelStatus.FAILED:
                setattr(notification, f"{channel}_status", ChannelStatus.PENDING)
                fields.append(f"{channel}_status")
        notification.status, notification.attempts = Notification.Status.PENDING, 0
        notification.save(update_fields=fields)
        _after_commit_deliver(notification.pk)
    return notification


def requeue_stuck_notifications(*, now: datetime | None = None) -> int:
    """Queue again the deliveries that were lost: notifications still PENDING whose last attempt (or creation,
    when never attempted) is more than 10 minutes old. Retries in backoff are never that old (the longest wait is
    5 minutes), and a delivery queued twice sends nothing twice."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    stuck = list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lt=cutoff)
        .annotate(last_activity=Coalesce(F("last_attempt_at"), F("created_at")))
        .filter(last_activity__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    for notification_id in stuck:
        _queue_delivery(notification_id)
    if stuck:
        logger.warning("Re-queued %d notification deliveries that were lost", len(stuck))
    return len(stuck)


# --- Events of the apps below ---------------------------------------------------------------------------------------


def notify_new_message(*, message: Any, recipient: Any) -> Notification | None:
    """Tell a participant about a new message, once per unread stretch: while they have an unread notification
    about the conversation, nothing new is made. One they have outgrown (they have read messages of the
    conversation since it was made) is marked read first, so a new message notifies them again."""
    conversation = message.conversation
    unread = selectors.unread_notification_about(recipient, conversation, NotificationType.MESSAGE_RECEIVED)
    if unread is not None and selectors.has_read_conversation_since(recipient, conversation, unread.created_at):
        mark_read(notification=unread)
    listing = conversation.listing or (conversation.booking.listing if conversation.booking_id else None)
    preview = " ".join(message.content.split())
    return notify(
        recipient=recipient,
        notification_type=NotificationType.MESSAGE_RECEIVED,
        context={
            "sender_name": contexts.first_name(message.sender, default="Someone"),
            "message_preview": preview if len(preview) <= 200 else preview[:199] + "…",
            "listing_title": listing.title if listing is not None else "",
            "url": contexts.page_url("conversation", conversation.pk),
        },
        target=conversation,
        data={"conversation": conversation.pk, "message": message.pk},
    )


def _cancelled_by(booking: Any, actor_id: int | None) -> str:
    if actor_id is not None and actor_id == booking.guest_id:
        return contexts.first_name(booking.guest)
    if actor_id is not None and actor_id == booking.listing.host_id:
        return "Your host"
    return "Parking in a Pinch"


def _booking_messages(booking: Any, old_status: str | None, new_status: str, actor_id: int | None) -> list[tuple]:
    """(recipient, type, extra context, dedupe key) for each party the change `old_status` -> `new_status` concerns."""
    guest, host = booking.guest, booking.listing.host
    key = f"booking:{booking.pk}:{old_status}->{new_status}"
    messages = []
    if new_status == BookingStatus.PENDING and old_status is None:
        messages.append((host, NotificationType.BOOKING_REQUESTED, {}, f"{key}:{host.pk}"))
    elif new_status == BookingStatus.CONFIRMED:
        messages.append((guest, NotificationType.BOOKING_CONFIRMED, {}, f"{key}:{guest.pk}"))
        if old_status is None:
            messages.append((host, NotificationType.BOOKING_CONFIRMED, {}, f"{key}:{host.pk}"))
        if booking.payment_status in CAPTURED_PAYMENT_STATUSES:
            # Confirming captures the payment (instant booking, or the host's approval): the host's money is in.
            messages.append((host, NotificationType.PAYMENT_RECEIVED, {}, f"payment-received:{booking.pk}"))
    elif new_status == BookingStatus.CANCELLED:
        if old_status == BookingStatus.PENDING and actor_id is None:
            messages.append((guest, NotificationType.BOOKING_EXPIRED, {}, f"{key}:{guest.pk}"))
        elif old_status == BookingStatus.PENDING and actor_id == host.pk:
            messages.append((guest, NotificationType.BOOKING_DECLINED, {}, f"{key}:{guest.pk}"))
        else:
            other = host if actor_id == guest.pk else guest
            extra = {"cancelled_by": _cancelled_by(booking, actor_id), "reason": booking.cancellation_reason}
            messages.append((other, NotificationType.BOOKING_CANCELLED, extra, f"{key}:{other.pk}"))
    return messages


def notify_booking_change(
    *, booking: Any, old_status: str | None, new_status: str, actor_id: int | None, queue_delivery: bool = True
) -> list[Notification]:
    """Tell the guest and the host what the change of `booking` from `old_status` to `new_status` (by the user
    `actor_id`, None for the system) means for them. Each notification has a dedupe key, so telling the same change
    twice (a task retried or queued twice) notifies nobody twice. Reads the booking as it is now for the texts, the
    change itself from the arguments: a later change has its own notifications. Returns the notifications made;
    their deliveries are queued unless `queue_delivery` is False (the task that calls this delivers them itself)."""
    data = {"booking_code": str(booking.booking_code), "listing": booking.listing_id}
    made = []
    for recipient, kind, extra, dedupe_key in _booking_messages(booking, old_status, new_status, actor_id):
        notification = notify(
            recipient=recipient,
            notification_type=kind,
            context={**contexts.booking(booking, recipient=recipient), **extra},
            target=booking,
            data=data,
            dedupe_key=dedupe_key,
            queue_delivery=queue_delivery,
        )
        if notification is not None:
            made.append(notification)
    return made


def _remind(kind: str, notification_type: str, bookings: Any) -> int:
    reminded = 0
    for booking in bookings:
        notification = notify(
            recipient=booking.guest,
            notification_type=notification_type,
            context=contexts.booking(booking, recipient=booking.guest),
            target=booking,
            data={"booking_code": str(booking.booking_code), "listing": booking.listing_id},
            dedupe_key=selectors.reminder_key(kind, booking.pk),
        )
        reminded += notification is not None
    return reminded


def send_booking_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Remind guests of confirmed bookings starting within the hour to check in, and of confirmed or current
    bookings ending within 15 minutes to check out, once each. Only bookings whose start (end) is still ahead
    are reminded, so a worker back from downtime does not send stale reminders."""
    now = now or timezone.now()
    checkin = selectors.bookings_due_checkin_reminder(now=now, lead=CHECKIN_REMINDER_LEAD)
    checkout = selectors.bookings_due_checkout_reminder(now=now, lead=CHECKOUT_REMINDER_LEAD)
    return {
        "checkin": _remind("checkin", NotificationType.REMINDER_CHECKIN, checkin),
        "checkout": _remind("checkout", NotificationType.REMINDER_CHECKOUT, checkout),
    }


# --- Push subscriptions -------------------------------------------------------------------------------------------


def _key_bytes(value: str, *, attr: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidInput("Not a base64url-encoded key.", attr=attr) from error


def register_push_subscription(*, user: Any, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Remember a browser's push subscription for `user`. Registering an endpoint again updates it (a browser
    that signed in as someone else now delivers to them), so the call is idempotent."""
    endpoint, p256dh, auth = (endpoint or "").strip(), (p256dh or "").strip(), (auth or "").strip()
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.netloc:
        raise InvalidInput("A push endpoint is an https URL given by the browser.", attr="endpoint")
    public_key = _key_bytes(p256dh, attr="keys.p256dh")
    if len(public_key) != 65 or public_key[0] != 4:
        raise InvalidInput("p256dh must be an uncompressed P-256 public key.", attr="keys.p256dh")
    if len(_key_bytes(auth, attr="keys.auth")) != 16:
        raise InvalidInput("auth must be a 16-byte secret.", attr="keys.auth")
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return subscription


def delete_push_subscription(*, subscription: PushSubscription) -> None:
    subscription.delete()
