"""Shared model bases and the audit log.

`core` knows no domain app: the audit log points at the object it describes through a generic relation, so every
app can write to it without a dependency on `core` turning round.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self) -> "SoftDeleteQuerySet":
        return self.filter(is_deleted=False)


class SoftDeleteModel(models.Model):
    """A row that is hidden from public reads when deleted but kept for the history that refers to it."""

    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def mark_deleted(self) -> None:
        self.is_deleted = True
        self.deleted_at = timezone.now()


class AuditLog(models.Model):
    """One row for every action that matters: logins, and every state change of a booking or payment."""

    class Action(models.TextChoices):
        CREATE = "CREATE", "Create"
        UPDATE = "UPDATE", "Update"
        DELETE = "DELETE", "Delete"
        LOGIN = "LOGIN", "Login"
        LOGOUT = "LOGOUT", "Logout"
        BOOKING_CREATE = "BOOKING_CREATE", "Booking created"
        BOOKING_APPROVE = "BOOKING_APPROVE", "Booking approved"
        BOOKING_DECLINE = "BOOKING_DECLINE", "Booking declined"
        BOOKING_EXPIRE = "BOOKING_EXPIRE", "Booking expired"
        BOOKING_CANCEL = "BOOKING_CANCEL", "Booking cancelled"
        BOOKING_CHECK_IN = "BOOKING_CHECK_IN", "Checked in"
        BOOKING_CHECK_OUT = "BOOKING_CHECK_OUT", "Checked out"
        BOOKING_NO_SHOW = "BOOKING_NO_SHOW", "No-show"
        PAYMENT_PROCESS = "PAYMENT_PROCESS", "Payment processed"
        PAYMENT_REFUND = "PAYMENT_REFUND", "Payment refunded"
        PAYOUT_PROCESS = "PAYOUT_PROCESS", "Payout processed"
        MODERATE = "MODERATE", "Moderation"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    user_email = models.EmailField(blank=True, help_text="Kept even after the user is deleted.")

    action = models.CharField(max_length=30, choices=Action.choices)
    description = models.TextField()

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")

    # Null for actions without a request (Celery tasks, management commands).
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    request_path = models.CharField(max_length=255, blank=True)

    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    additional_data = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=False)

    class Meta:
        db_table = "audit_logs"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="audit_logs_user_created_idx"),
            models.Index(fields=["action", "created_at"], name="audit_logs_action_created_idx"),
            models.Index(fields=["content_type", "object_id"], name="audit_logs_object_idx"),
            models.Index(fields=["created_at"], name="audit_logs_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type_id}:{self.object_id} by {self.user_email or 'system'}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key`, replayed for every retry of it.

    The row is created before the work starts (its unique key makes concurrent retries wait for the first one)
    and completed with the answer when the work is done.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=100, help_text="The endpoint, e.g. 'POST /api/v1/bookings'.")
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "idempotency_keys"
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_keys_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} ({self.status_code or 'in progress'})"
