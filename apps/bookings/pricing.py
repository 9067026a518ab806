"""What a window of parking costs. The one home of the price rules; everything else imports it.

- Time is billed in whole hours, rounded up: 1 h 10 min costs two hours of time.
- The subtotal is the cheapest combination of the listing's rates (hour, day = 24 h, week = 7 days,
  month = 30 days) whose units together cover the billed hours. A rate the listing does not offer is not used.
  So a quote never exceeds pure-hourly or pure-daily pricing, and a longer window never costs less.
- Hours inside an availability rule with a `price_override` are billed at that hourly price, each on its own
  line; the remaining hours are priced as above, as one block.
- The guest pays a service fee on top of the subtotal; the host receives the subtotal less the host fee. Each is
  rounded half-up to cents once, on its own line.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings

from apps.core.money import ZERO, to_money

HOUR = 1
DAY = 24
WEEK = 7 * DAY
MONTH = 30 * DAY
UNIT_HOURS = {"hour": HOUR, "day": DAY, "week": WEEK, "month": MONTH}


class NotPriceable(Exception):
    """The listing offers no rate that can cover the window (e.g. hourly-only with no hourly price)."""


@dataclass(frozen=True)
class Rates:
    per_hour: Decimal | None
    per_day: Decimal | None
    per_week: Decimal | None = None
    per_month: Decimal | None = None

    @classmethod
    def of(cls, listing) -> "Rates":
        return cls(listing.price_per_hour, listing.price_per_day, listing.price_per_week, listing.price_per_month)

    def by_unit(self) -> dict[str, Decimal]:
        prices = {"hour": self.per_hour, "day": self.per_day, "week": self.per_week, "month": self.per_month}
        return {unit: price for unit, price in prices.items() if price is not None and price > 0}


@dataclass(frozen=True)
class Line:
    unit: str
    count: int
    unit_price: Decimal
    amount: Decimal

    def as_dict(self) -> dict:
        return {"unit": self.unit, "count": self.count, "unit_price": self.unit_price, "amount": self.amount}


@dataclass(frozen=True)
class Quote:
    start: datetime
    end: datetime
    duration_hours: Decimal
    billed_hours: int
    subtotal: Decimal
    service_fee: Decimal
    host_fee: Decimal
    total_amount: Decimal
    host_payout: Decimal
    currency: str
    breakdown: list[Line] = field(default_factory=list)


def billed_hours(start: datetime, end: datetime) -> int:
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # real hours, also across a DST change
    return max(1, math.ceil((end - start).total_seconds() / 3600 - 1e-9))


def can_price(rates: Rates) -> bool:
    """Whether `quote` can price a window with these rates: any one positive rate covers any length of time (a
    rate's units can always be added up past the window), so only a listing without prices is `NotPriceable`."""
    return bool(rates.by_unit())


def cheapest_cover(hours: int, rates: Rates) -> list[Line]:
    """The cheapest counts of months, weeks, days and hours whose lengths add up to at least `hours`.

    Using more units of one kind than needed to cover the rest alone can never be cheaper (prices are positive),
    so each count ranges from 0 to the ceiling of what is left: a few hundred combinations at most.
    """
    if hours <= 0:
        return []
    prices = rates.by_unit()
    if not prices:
        raise NotPriceable("The listing has no prices.")
    best: tuple[Decimal, tuple[int, int, int, int]] | None = None

    def counts(unit: str, remaining: int) -> range:
        return range(0, math.ceil(remaining / UNIT_HOURS[unit]) + 1) if unit in prices else range(0, 1)

    for months in counts("month", hours):
        after_months = max(hours - months * MONTH, 0)
        for weeks in counts("week", after_months):
            after_weeks = max(after_months - weeks * WEEK, 0)
            for days in counts("day", after_weeks):
                rest = max(after_weeks - days * DAY, 0)
                if rest and "hour" not in prices:
                    continue
                cost = (
                    months * prices.get("month", ZERO)
                    + weeks * prices.get("week", ZERO)
                    + days * prices.get("day", ZERO)
                    + rest * prices.get("hour", ZERO)
                )
                if best is None or cost < best[0]:
                    best = (cost, (months, weeks, days, rest))
    if best is None:
        raise NotPriceable("The listing's rates cannot cover this window.")
    lines = []
    for unit, count in zip(("month", "week", "day", "hour"), best[1], strict=True):
        if count:
            lines.append(Line(unit, count, prices[unit], to_money(prices[unit] * count)))
    return lines


def quote(
    *,
    rates: Rates,
    start: datetime,
    end: datetime,
    override_hours: Iterable[Decimal] = (),
    currency: str = "USD",
) -> Quote:
    """Price the window [start, end). `override_hours` lists, for each billed hour that falls inside a rule with a
    price override, that hour's price (the availability module finds them)."""
    if end <= start:
        raise ValueError("end must be after start")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    hours = billed_hours(start, end)
    overrides = Counter(to_money(price) for price in override_hours)
    override_count = sum(overrides.values())
    if override_count > hours:
        raise ValueError("more overridden hours than billed hours")
    lines = [
        Line("hour", count, price, to_money(price * count)) for price, count in sorted(overrides.items(), reverse=True)
    ]
    lines += cheapest_cover(hours - override_count, rates)
    subtotal = to_money(sum((line.amount for line in lines), ZERO))
    service_fee = to_money(subtotal * Decimal(settings.SERVICE_FEE_PERCENT) / 100)
    host_fee = to_money(subtotal * Decimal(settings.HOST_FEE_PERCENT) / 100)
    return Quote(
        start=start,
        end=end,
        duration_hours=to_money(Decimal((end - start).total_seconds()) / 3600),
        billed_hours=hours,
        subtotal=subtotal,
        service_fee=service_fee,
        host_fee=host_fee,
        total_amount=subtotal + service_fee,
        host_payout=subtotal - host_fee,
        currency=currency,
        breakdown=lines,
    )


# --- Cancellations and payouts -----------------------------------------------------------------------------------

# (notice before start, share of the captured amount refunded), most notice first. Less notice than the last
# step refunds nothing; a host's cancellation always refunds everything.
CANCELLATION_POLICIES: dict[str, list[tuple[timedelta, Decimal]]] = {
    "FLEXIBLE": [(timedelta(hours=1), Decimal(1)), (timedelta(0), Decimal("0.5"))],
    "MODERATE": [(timedelta(hours=24), Decimal(1)), (timedelta(0), Decimal("0.5"))],
    "STRICT": [(timedelta(days=7), Decimal(1)), (timedelta(hours=24), Decimal("0.5"))],
}


def refund_share(*, policy: str, start: datetime, cancelled_at: datetime, by_host: bool) -> Decimal:
    """The share of what was captured that a cancellation at `cancelled_at` gives back."""
    if by_host:
        return Decimal(1)
    notice = start - cancelled_at
    for minimum_notice, share in CANCELLATION_POLICIES.get(policy, CANCELLATION_POLICIES["MODERATE"]):
        if notice >= minimum_notice:
            return share
    return Decimal(0)


def refund_amount(*, captured: Decimal, share: Decimal) -> Decimal:
    return min(captured, to_money(captured * share))


def host_share_of_payout(*, host_payout: Decimal, total_amount: Decimal, refunded: Decimal) -> Decimal:
    """What the host is paid for a booking: all of `host_payout` when nothing was refunded, the same fraction of
    it as the guest kept paying otherwise."""
    if total_amount <= 0 or refunded <= 0:
        return host_payout
    kept = (total_amount - min(refunded, total_amount)) / total_amount
    return to_money(host_payout * kept)
