"""Money: saved cards, the transaction ledger, host payouts and the provider's webhook events."""

from django.conf import settings
from django.db import models


class PaymentMethod(models.Model):
    """A saved card. Only what a receipt shows is kept: brand, last four digits and expiry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_methods")
    stripe_payment_method_id = models.CharField(max_length=255, unique=True)

    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.IntegerField()
    exp_year = models.IntegerField()

    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payment_methods"
        ordering = ["-is_default", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="payment_methods_one_default_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(exp_month__gte=1, exp_month__lte=12), name="payment_methods_exp_month_range"
            ),
            models.CheckConstraint(condition=models.Q(last4__regex=r"^[0-9]{4}$"), name="payment_methods_last4_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"


class Transaction(models.Model):
    """One entry of the ledger. Amounts are positive; the type says which way the money moved."""

    class TransactionType(models.TextChoices):
        BOOKING_PAYMENT = "BOOKING", "Booking payment"
        REFUND = "REFUND", "Refund"
        PAYOUT = "PAYOUT", "Host payout"
        FEE = "FEE", "Platform fee"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Empty for a payout (it covers many bookings) and for a declined payment (no booking was made).
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transactions")
    payout = models.ForeignKey(
        "payments.Payout", on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )

    transaction_type = models.CharField(max_length=20, choices=TransactionType.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")

    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, blank=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)

    description = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "transactions"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["transaction_type"], name="transactions_type_idx"),
            models.Index(fields=["status"], name="transactions_status_idx"),
            models.Index(fields=["created_at"], name="transactions_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="transactions_amount_not_negative"),
            # One ledger entry per provider operation: a retried capture or refund is never recorded twice.
            models.UniqueConstraint(
                fields=["transaction_type", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="transactions_one_entry_per_operation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.amount} {self.currency} ({self.status})"


class Payout(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts")

    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    period_start = models.DateField()
    period_end = models.DateField()

    bookings = models.ManyToManyField("bookings.Booking", through="PayoutItem", related_name="payouts")

    stripe_payout_id = models.CharField(max_length=255, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payouts"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status"], name="payouts_status_idx"),
            models.Index(fields=["period_start", "period_end"], name="payouts_period_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payouts_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="payouts_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Payout {self.pk} to {self.host_id}: {self.amount} {self.currency} ({self.status})"


class PayoutItem(models.Model):
    """A booking inside a payout. A booking belongs to at most one payout, so a host is never paid twice for it."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="items")
    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT, related_name="payout_item")
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        db_table = "payout_bookings"

    def __str__(self) -> str:
        return f"booking {self.booking_id} in payout {self.payout_id}"


class WebhookEvent(models.Model):
    """Every provider event we have processed, once: a replayed or duplicated event id is a no-op."""

    provider = models.CharField(max_length=20, default="stripe")
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payment_webhook_events"
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="payment_webhook_events_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"
