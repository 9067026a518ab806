"""Bookings in the admin: read-only. A booking changes state only through the booking services (the state
machine, the money and the audit log live there), never by editing its row.

The booking's ledger entries are added to this page by `apps.payments.admin`: payments sit above bookings.
"""

from django.contrib import admin

from apps.bookings.models import Booking
from apps.core.admin import AuditTrailMixin, ReadOnlyAdminMixin


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = (
        "booking_code",
        "listing",
        "guest",
        "start_datetime",
        "end_datetime",
        "status",
        "payment_status",
        "total_amount",
        "currency",
        "created_at",
    )
    list_filter = ("status", "payment_status", "cancellation_policy")
    search_fields = ("booking_code", "guest__email", "listing__title", "vehicle_license_plate")
    list_select_related = ("listing", "guest")
    date_hierarchy = "start_datetime"
    fieldsets = (
        (None, {"fields": ("booking_code", "status", "listing", "space", "guest", "idempotency_key")}),
        ("When", {"fields": (("start_datetime", "end_datetime"), "duration_hours")}),
        (
            "Vehicle",
            {
                "fields": (
                    ("vehicle_make", "vehicle_model", "vehicle_color"),
                    ("vehicle_license_plate", "vehicle_state"),
                )
            },
        ),
        (
            "Money",
            {
                "fields": (
                    "currency",
                    ("price_per_hour", "price_per_day"),
                    ("subtotal", "service_fee", "total_amount"),
                    ("host_fee", "host_payout"),
                    "price_breakdown",
                    ("payment_status", "payment_intent_id", "refund_amount"),
                )
            },
        ),
        (
            "Check-in and check-out",
            {"fields": (("checked_in_at", "check_in_photo"), ("checked_out_at", "check_out_photo"))},
        ),
        (
            "Cancellation",
            {"fields": ("cancellation_policy", ("cancelled_at", "cancelled_by"), "cancellation_reason")},
        ),
        ("Notes", {"fields": ("guest_notes", "host_notes", "metadata", ("created_at", "updated_at"))}),
        ("Audit trail", {"classes": ("collapse",), "fields": ("audit_trail",)}),
    )
    readonly_fields = ("booking_code", "created_at", "updated_at", "audit_trail")
