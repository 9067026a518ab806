"""Reads of the payments domain, always scoped to the user asking."""

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from apps.bookings.models import Booking
from apps.core.errors import NotFound
from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction

PS = Booking.PaymentStatus


def payment_methods_of(user) -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.filter(user=user).order_by("-is_default", "-created_at")


def payment_method_of(user, method_id: int) -> PaymentMethod:
    method = payment_methods_of(user).filter(pk=method_id).first()
    if method is None:
        raise NotFound("No such payment method.")
    return method


def transactions_of(user) -> QuerySet[Transaction]:
    return Transaction.objects.filter(user=user).select_related("booking").order_by("-created_at", "-id")


def payouts_of(host) -> QuerySet[Payout]:
    items = PayoutItem.objects.select_related("booking").order_by("booking__end_datetime")
    return Payout.objects.filter(host=host).prefetch_related(Prefetch("items", queryset=items)).order_by("-created_at")


def payable_bookings(now: datetime) -> QuerySet[Booking]:
    """Bookings whose money is settled and that no payout has taken yet: completed or no-show, or cancelled with
    all or part of the payment kept (a late cancellation under a strict policy keeps it all), once their window
    has ended. A fully refunded or never-captured booking owes the host nothing."""
    kept = Q(payment_status__in=[PS.SUCCEEDED, PS.PARTIAL_REFUND])
    settled = Q(status__in=[Booking.Status.COMPLETED, Booking.Status.NO_SHOW]) | Q(status=Booking.Status.CANCELLED)
    return (
        Booking.objects.filter(settled & kept, end_datetime__lte=now, payout_item__isnull=True)
        .select_related("listing")
        .order_by("end_datetime", "id")
    )
