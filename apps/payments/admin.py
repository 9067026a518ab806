"""Money in the admin: read-only. The ledger, payouts and provider events are written by the payment services and
the webhook only; an edited row would no longer reconcile with the provider or with the booking's totals."""

from django.contrib import admin

from apps.bookings.admin import BookingAdmin
from apps.bookings.models import Booking
from apps.core.admin import ReadOnlyAdminMixin, ReadOnlyInline, pretty_json
from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction, WebhookEvent


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "user", "brand", "last4", "exp_month", "exp_year", "is_default", "created_at")
    list_filter = ("brand", "is_default")
    search_fields = ("user__email", "last4", "stripe_payment_method_id")
    list_select_related = ("user",)
    date_hierarchy = "created_at"


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "transaction_type",
        "status",
        "amount",
        "currency",
        "user",
        "booking",
        "payout",
        "completed_at",
    )
    list_filter = ("transaction_type", "status", "currency")
    search_fields = (
        "user__email",
        "booking__booking_code",
        "stripe_payment_intent_id",
        "stripe_transfer_id",
        "stripe_refund_id",
        "idempotency_key",
    )
    list_select_related = ("user", "booking", "payout")
    date_hierarchy = "created_at"
    readonly_fields = ("metadata_json",)

    @admin.display(description="Metadata")
    def metadata_json(self, transaction: Transaction) -> str:
        return pretty_json(transaction.metadata)


class PayoutItemInline(ReadOnlyInline):
    model = PayoutItem
    fields = ("booking", "amount")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booking")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "host",
        "amount",
        "currency",
        "period_start",
        "period_end",
        "status",
        "attempts",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("host__email", "stripe_payout_id", "stripe_transfer_id")
    list_select_related = ("host",)
    date_hierarchy = "created_at"
    inlines = (PayoutItemInline,)


@admin.register(PayoutItem)
class PayoutItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "payout", "booking", "amount")
    search_fields = ("booking__booking_code", "payout__host__email", "payout__id__exact")
    list_select_related = ("payout", "booking")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "provider", "event_type", "event_id", "processed_at")
    list_filter = ("provider", "event_type", ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("event_id", "event_type")
    date_hierarchy = "received_at"
    readonly_fields = ("payload_json",)

    @admin.display(description="Payload")
    def payload_json(self, event: WebhookEvent) -> str:
        return pretty_json(event.payload)


# --- The booking page shows its ledger entries --------------------------------------------------------------------


class TransactionInline(ReadOnlyInline):
    model = Transaction
    fields = ("created_at", "transaction_type", "status", "amount", "currency", "user", "completed_at")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class BookingWithLedgerAdmin(BookingAdmin):
    inlines = (*BookingAdmin.inlines, TransactionInline)


# Bookings cannot import payments (the dependencies point up from bookings), so the ledger joins the booking's admin
# here; admin modules load in INSTALLED_APPS order, bookings first.
admin.site.unregister(Booking)
admin.site.register(Booking, BookingWithLedgerAdmin)
