"""Notification templates and the notifications sent from them over email, SMS and push."""

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
    """Django-template text for one notification type; `name` is the notification type."""

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

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    notification_type = models.CharField(max_length=30, choices=NotificationType.choices)

    title = models.CharField(max_length=200)
    message = models.TextField()

    send_email = models.BooleanField(default=True)
    send_sms = models.BooleanField(default=False)
    send_push = models.BooleanField(default=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    email_status = models.CharField(max_length=10, choices=ChannelStatus.choices, blank=True)
    sms_status = models.CharField(max_length=10, choices=ChannelStatus.choices, blank=True)
    push_status = models.CharField(max_length=10, choices=ChannelStatus.choices, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

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
        ]

    def __str__(self) -> str:
        return f"{self.notification_type} to {self.recipient_id} ({self.status})"
