"""Reads of the payments domain, always scoped to the user asking."""

from django.db.models import Prefetch, QuerySet

from apps.core.errors import NotFound
from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction


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
