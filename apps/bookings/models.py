"""Bookings: a guest holds one concrete space of a listing for a window of time."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.serializers.json import DjangoJSONEncoder


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending host approval"
        CONFIRMED = "CONFIRMED", "Confirmed"
        CANCELLED = "CANCELLED", "Cancelled"
        COMPLETED = "COMPLETED", "Completed"
        NO_SHOW = "NO_SHOW", "No show"
        IN_PROGRESS = "IN_PROGRESS", "In progress"

    # Bookings in these states hold their space.
    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.IN_PROGRESS)

    class PaymentStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        AUTHORIZED = "authorized", "Authorised"
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        RELEASED = "released", "Authorisation released"
        REFUNDED = "refunded", "Refunded"
        PARTIAL_REFUND = "partial_refund", "Partially refunded"

    booking_code = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # Client-chosen key that makes a retried POST return the first answer instead of booking twice.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)

    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings_as_guest")
    listing = models.ForeignKey("listings.Listing", on_delete=models.PROTECT, related_name="bookings")
    space = models.ForeignKey("listings.ListingSpace", on_delete=models.PROTECT, related_name="bookings")

    start_datetime = models.DateTimeField()
    end_datetime = models.DateTimeField()
    duration_hours = models.DecimalField(max_digits=8, decimal_places=2)

    vehicle_make = models.CharField(max_length=50)
    vehicle_model = models.CharField(max_length=50)
    vehicle_color = models.CharField(max_length=30)
    vehicle_license_plate = models.CharField(max_length=20)
    vehicle_state = models.CharField(max_length=2)

    currency = models.CharField(max_length=3, default="USD")
    price_per_hour = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    price_per_day = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    service_fee = models.DecimalField(max_digits=10, decimal_places=2)
    host_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    host_payout = models.DecimalField(max_digits=10, decimal_places=2)
    total_amount = models.DecimalField(max_digits=10, decimal_places=2)
    price_breakdown = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    cancellation_policy = models.CharField(max_length=10, blank=True, help_text="The listing's policy when booked.")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)

    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    check_in_photo = models.ImageField(upload_to="checkins/", null=True, blank=True)
    check_out_photo = models.ImageField(upload_to="checkouts/", null=True, blank=True)

    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cancelled_bookings",
    )
    cancellation_reason = models.TextField(blank=True)

    payment_intent_id = models.CharField(max_length=255, blank=True)
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    refund_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    guest_notes = models.TextField(blank=True)
    host_notes = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "bookings"
        ordering = ["-start_datetime"]
        indexes = [
            models.Index(fields=["status"], name="bookings_status_idx"),
            models.Index(fields=["start_datetime"], name="bookings_start_idx"),
            models.Index(fields=["end_datetime"], name="bookings_end_idx"),
            models.Index(fields=["listing", "start_datetime", "end_datetime"], name="idx_bookings_listing_dates"),
            models.Index(fields=["guest", "status"], name="idx_bookings_guest_status"),
            models.Index(
                fields=["start_datetime"], condition=models.Q(status="CONFIRMED"), name="idx_confirmed_bookings"
            ),
            # "Is this space taken during [start, end)?" asked for every candidate of a window search: a btree probe
            # of the space's active bookings ending after the start, read from the index alone. The exclusion
            # constraint's GiST index answers it too, but its probes cost about ten times as much.
            models.Index(
                fields=["space", "end_datetime"],
                include=["start_datetime"],
                condition=models.Q(status__in=["PENDING", "CONFIRMED", "IN_PROGRESS"]),
                name="bookings_active_space_end",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_datetime__gt=models.F("start_datetime")), name="booking_end_after_start"
            ),
            # The heart of "never a double booking": two active bookings of one space cannot overlap in time.
            ExclusionConstraint(
                name="booking_space_no_overlap",
                expressions=[
                    ("space", RangeOperators.EQUAL),
                    (TsTzRange("start_datetime", "end_datetime", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=models.Q(status__in=["PENDING", "CONFIRMED", "IN_PROGRESS"]),
            ),
            models.UniqueConstraint(
                fields=["guest", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="booking_idempotency_key_per_guest",
            ),
            models.CheckConstraint(condition=models.Q(duration_hours__gt=0), name="booking_duration_positive"),
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0, service_fee__gte=0, host_fee__gte=0, host_payout__gte=0),
                name="booking_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(total_amount=models.F("subtotal") + models.F("service_fee")),
                name="booking_total_is_subtotal_plus_fee",
            ),
            models.CheckConstraint(
                condition=models.Q(host_payout=models.F("subtotal") - models.F("host_fee")),
                name="booking_payout_is_subtotal_minus_host_fee",
            ),
            models.CheckConstraint(
                condition=models.Q(refund_amount__isnull=True)
                | models.Q(refund_amount__gte=0, refund_amount__lte=models.F("total_amount")),
                name="booking_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_code} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES
