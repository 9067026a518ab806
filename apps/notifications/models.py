"""Notification templates, the notifications rendered from them and sent over email, SMS and push, and the
browsers' push subscriptions."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class NotificationType(models.TextChoices):
    BOOKING_REQUESTED = "BOOKING_REQUESTED", "Booking requested"
    BOOKING_CONFIRMED = "BOOKING_CONFIRMED", "Booking confirmed"
    BOOKING_DECLINED = "BOOKING_DECLINED", "Booking declined"
    BOOKING_CANCELLED = "BOOKING_CANCELLED", "Booking cancelled"
    BOOKING_EXPIRED = "BOOKING_EXPIRED", "Booking request expired"
    PAYMENT_RECEIVED = "PAYMENT_RECEIVED", "Payment received"
    PAYOUT_SENT = "PAYOUT_SENT", "Payout sent"
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED", "Message received"
    LISTING_APPROVED = "LISTING_APPROVED", "Listing approved"
    REVIEW_RECEIVED = "REVIEW_RECEIVED", "Review received"
    REMINDER_CHECKIN = "REMINDER_CHECKIN", "Check-in reminder"
    REMINDER_CHECKOUT = "REMINDER_CHECKOUT", "Check-out reminder"


class NotificationTemplate(models.Model):
    """Django-template text for one notification type; `name` is the notification type. Rendered as plain text
    (no HTML escaping); `variables` documents the context each template receives."""

    name = models.CharField(max_length=100, unique=True)
    subject = models.CharField(max_length=200)
    email_template = models.TextField()
    sms_template = models.TextField(blank=True)
    push_template = models.TextField(blank=True)
    variables = models.JSONField(default=dict, blank=True, help_text="{variable_name: description}")

    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notification_templates"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Failed"
        READ = "READ", "Read"

    class ChannelStatus(models.TextChoices):
        NONE = "", "Not requested"
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"  # asked for, but nowhere to send it (no phone number, no push subscription)

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    notification_type = models.CharField(max_length=30, choices=NotificationType.choices)

    # Rendered from the type's template when the notification is made, so the row is the record of what was sent:
    # `title` is the email subject, `message` the in-app and push text.
    title = models.CharField(max_length=200)
    message = models.TextField()
    email_body = models.TextField(blank=True)
    sms_body = models.TextField(blank=True)

    send_email = models.BooleanField(default=True)
    send_sms = models.BooleanField(default=False)
    send_push = models.BooleanField(default=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    email_status = models.CharField(max_length=10, choices=ChannelStatus.choices, blank=True)
    sms_status = models.CharField(max_length=10, choices=ChannelStatus.choices, blank=True)
    push_status = models.CharField(max_length=10, choices=ChannelStatus.choices, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # What each provider answered: {"email": {"message_id": ...}, "push": {"<subscription id>": ...}, ...}.
    receipts = models.JSONField(default=dict, blank=True)

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")

    # Set for notifications that must exist at most once (a reminder per booking), unique across the table.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    data = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "status"], name="notifications_recipient_idx"),
            models.Index(fields=["notification_type"], name="notifications_type_idx"),
            models.Index(fields=["created_at"], name="notifications_created_idx"),
            models.Index(fields=["content_type", "object_id"], name="notifications_object_idx"),
            # The few rows still being delivered, for the beat task that re-queues lost deliveries.
            models.Index(fields=["created_at"], condition=models.Q(status="PENDING"), name="notifications_pending_idx"),
        ]
        constraints = [
            # New messages in a conversation coalesce into the recipient's one unread notification about it.
            models.UniqueConstraint(
                fields=["recipient", "content_type", "object_id"],
                condition=models.Q(notification_type="MESSAGE_RECEIVED", read_at__isnull=True),
                name="notifications_one_unread_per_conversation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_type} to {self.recipient_id} ({self.status})"


class PushSubscription(models.Model):
    """A browser's Web Push subscription: where its push service takes messages for it, and the keys to encrypt
    them for. One endpoint belongs to whoever subscribed with it last."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "push_subscriptions"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of user {self.user_id}"
