"""Reads behind the host's earnings page: what they have earned, what is still to be paid out, what has been, and
the bookings and payouts behind those sums. Everything is scoped to the host here, and reads bookings and payouts
only: a host's ledger entries (`transactions`, under row-level security) are not needed for these sums.

- paid out: payouts transferred (`PAID`).
- pending payout: payouts prepared but not transferred yet (pending, processing or failed and retried), plus the
  settled bookings no payout has taken yet (the weekly run's rule, `selectors.payable_bookings`).
- earned: paid out + pending payout.
- upcoming: the host's payout of confirmed and ongoing bookings, captured but not settled yet.

A booking's share for the host is `pricing.host_share_of_payout`: its host payout, less the refunded fraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from apps.bookings import pricing
from apps.bookings.models import Booking
from apps.core.money import ZERO
from apps.payments import selectors
from apps.payments.models import Payout

PS = Booking.PaymentStatus
# Bookings whose payment was captured at some point: the ones the earnings page lists.
CAPTURED = (PS.SUCCEEDED, PS.PARTIAL_REFUND, PS.REFUNDED)


@dataclass(frozen=True)
class EarningsTotals:
    earned: Decimal
    pending_payout: Decimal
    paid_out: Decimal
    upcoming: Decimal
    currency: str = "USD"


def host_share(booking: Booking) -> Decimal:
    """What the host gets for this booking (nothing once it was refunded in full)."""
    if booking.payment_status == PS.REFUNDED:
        return ZERO
    return pricing.host_share_of_payout(
        host_payout=booking.host_payout, total_amount=booking.total_amount, refunded=booking.refund_amount or ZERO
    )


def _shares(bookings: QuerySet[Booking]) -> Decimal:
    """The host's shares of `bookings`: summed by the database where nothing was refunded, by the pricing rule for
    the (few) partly refunded ones."""
    whole = bookings.filter(payment_status=PS.SUCCEEDED).aggregate(total=Sum("host_payout"))["total"] or ZERO
    partial = bookings.filter(payment_status=PS.PARTIAL_REFUND).values_list(
        "host_payout", "total_amount", "refund_amount"
    )
    return whole + sum(
        (
            pricing.host_share_of_payout(host_payout=payout, total_amount=total, refunded=refunded or ZERO)
            for payout, total, refunded in partial
        ),
        ZERO,
    )


def earnings_totals(host, *, now=None) -> EarningsTotals:
    """Four queries whatever the number of bookings and payouts."""
    now = now or timezone.now()
    payouts = Payout.objects.filter(host=host).aggregate(
        paid=Sum("amount", filter=Q(status=Payout.Status.PAID)),
        unpaid=Sum("amount", filter=~Q(status=Payout.Status.PAID)),
    )
    paid, unpaid = payouts["paid"] or ZERO, payouts["unpaid"] or ZERO
    settled = _shares(selectors.payable_bookings(now).filter(listing__host=host))
    upcoming = _shares(
        Booking.objects.filter(listing__host=host, status__in=(Booking.Status.CONFIRMED, Booking.Status.IN_PROGRESS))
    )
    pending = unpaid + settled
    return EarningsTotals(earned=paid + pending, pending_payout=pending, paid_out=paid, upcoming=upcoming)


def bookings_with_money(host) -> QuerySet[Booking]:
    """The host's bookings whose payment was captured, newest stay first, with the payout each went into."""
    return (
        Booking.objects.filter(listing__host=host, payment_status__in=CAPTURED)
        .select_related("listing", "guest", "payout_item__payout")
        .order_by("-start_datetime", "-id")
    )
