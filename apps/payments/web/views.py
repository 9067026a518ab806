"""The host's earnings page: totals, their bookings with what each pays them, and their payouts (the same payouts
as GET /api/v1/payouts)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from apps.payments.selectors import payouts_of
from apps.payments.web.earnings import bookings_with_money, earnings_totals, host_share

BOOKINGS_PER_PAGE = 20
PAYOUTS_PER_PAGE = 10


@login_required
def earnings(request):
    bookings = Paginator(bookings_with_money(request.user), BOOKINGS_PER_PAGE).get_page(request.GET.get("page"))
    for booking in bookings:
        booking.host_share = host_share(booking)
        booking.payout = getattr(getattr(booking, "payout_item", None), "payout", None)
    # The stays' listings too, to show each stay in its own time zone.
    payouts = payouts_of(request.user).prefetch_related("items__booking__listing")
    payouts = Paginator(payouts, PAYOUTS_PER_PAGE).get_page(request.GET.get("payouts_page"))
    context = {
        "totals": earnings_totals(request.user),
        "bookings": bookings,
        "payouts": payouts,
        "host_tab": "earnings",
    }
    return render(request, "payments/earnings.html", context)
