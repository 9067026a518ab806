"""Reads behind the host's dashboard and `GET /api/v1/host/analytics`: a host's numbers per local day, for one of
their listings or all of them together, over a range of at most `MAX_DAYS` days.

Every figure is counted per day of the report's time zone: the listing's own zone for one listing, otherwise the
zone most of the host's listings are in (`report_time_zone`), so that the days of listings in different zones add
up. For each day:

- `views`: recorded looks at the listing page (`ListingView`: once per visitor per minute, bots left out).
- `searches_shown_in`: searches whose first page of results showed the listing (for all listings: at least one of
  them; a search counts once however many of the host's listings it showed).
- `bookings`: bookings made that day (instant bookings and requests, by the time they were made), whatever
  happened to them since.
- `booked_hours`: hours of that day during which a booking held a space: bookings CONFIRMED, IN_PROGRESS,
  COMPLETED or NO_SHOW (unanswered requests and cancelled bookings do not count). A booking across midnight counts
  on each day for its hours inside it; two spaces booked at the same time count twice.
- `available_hours`: space-hours the listing was open that day by the availability module (operating hours,
  rules, exceptions; `apps.bookings.availability`), each open stretch counted once per space that could be booked
  in it (the listing's active spaces, or fewer where a rule caps the bookings at once), from the listing's creation
  on. There is no history of spaces or hours: today's spaces and rules are applied to past days too.
- `occupancy` = booked_hours / available_hours, between 0 and 1, or None when nothing was open. It is capped at 1:
  hours closed after they were booked would otherwise push it over.
- `earnings`: what the host earns for the bookings that start that day whose payment was captured and not fully
  refunded: the booking's `host_payout`, reduced in proportion to a partial refund
  (`apps.bookings.pricing.host_share_of_payout`, the rule payouts use).

Eleven queries whatever the range and the number of listings: the host's listings, views, searches, bookings made,
booked hours, earnings (two) and the four of `apps.bookings.selectors.schedules_for`.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.analytics.models import ListingView, SearchQuery
from apps.bookings import availability, pricing
from apps.bookings.models import Booking
from apps.bookings.selectors import schedules_for
from apps.core.errors import InvalidInput, NotFound
from apps.core.money import ZERO, to_money
from apps.listings.models import Listing

MAX_DAYS = 366
DEFAULT_DAYS = 30
# Bookings that held a space: what occupancy counts.
OCCUPYING_STATUSES = (
    Booking.Status.CONFIRMED,
    Booking.Status.IN_PROGRESS,
    Booking.Status.COMPLETED,
    Booking.Status.NO_SHOW,
)
HOURS = Decimal("0.01")
RATIO = Decimal("0.0001")
SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Period:
    """The figures of one day, one week, or a whole report."""

    start: date
    end: date  # inclusive
    views: int = 0
    searches_shown_in: int = 0
    bookings: int = 0
    booked_hours: Decimal = Decimal("0.00")
    available_hours: Decimal = Decimal("0.00")
    earnings: Decimal = ZERO

    @property
    def occupancy(self) -> Decimal | None:
        """Booked hours over available hours, from 0 to 1 (see the module's docstring); None when nothing was open."""
        if self.available_hours <= 0:
            return None
        return min(Decimal(1), (self.booked_hours / self.available_hours).quantize(RATIO, rounding=ROUND_HALF_UP))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def combine(periods: Sequence[Period], *, start: date | None = None, end: date | None = None) -> Period:
    """Several periods added up into one (occupancy is then total booked over total available hours)."""
    return Period(
        start=start or periods[0].start,
        end=end or periods[-1].end,
        views=sum(p.views for p in periods),
        searches_shown_in=sum(p.searches_shown_in for p in periods),
        bookings=sum(p.bookings for p in periods),
        booked_hours=sum((p.booked_hours for p in periods), Decimal("0.00")),
        available_hours=sum((p.available_hours for p in periods), Decimal("0.00")),
        earnings=sum((p.earnings for p in periods), ZERO),
    )


@dataclass(frozen=True)
class Report:
    host_id: int
    listing: Listing | None  # None: all the host's listings
    listings: list[Listing]  # all the host's listings (the chosen one among them)
    time_zone: str
    currency: str
    first_day: date
    last_day: date
    days: list[Period] = field(default_factory=list)

    @property
    def totals(self) -> Period:
        return combine(self.days, start=self.first_day, end=self.last_day)

    def weeks(self) -> list[Period]:
        """The days grouped into weeks from Monday to Sunday; the first and last weeks may be cut by the range."""
        grouped: dict[date, list[Period]] = defaultdict(list)
        for day in self.days:
            grouped[day.start - timedelta(days=day.start.weekday())].append(day)
        return [combine(days) for _, days in sorted(grouped.items())]


def host_listing_choices(host) -> list[Listing]:
    """The host's listings to choose a report from (not deleted), by title."""
    return list(Listing.objects.filter(host=host, is_deleted=False).only("pk", "title").order_by("title", "id"))


# --- Range and time zone -------------------------------------------------------------------------------------------


def report_time_zone(listings: Iterable[Listing]) -> str:
    """The zone the days of a report are counted in: the one most of the listings are in (the first in
    alphabetical order on a tie), the site's zone when there are none."""
    zones = Counter(listing.time_zone for listing in listings)
    if not zones:
        return settings.TIME_ZONE
    return sorted(zones.items(), key=lambda item: (-item[1], item[0]))[0][0]


def report_range(first_day: date | None, last_day: date | None, *, time_zone: str) -> tuple[date, date]:
    """The days asked for, by default the last `DEFAULT_DAYS` up to today; refused (naming the parameter) when
    they are out of order or more than `MAX_DAYS` apart."""
    today = timezone.now().astimezone(ZoneInfo(time_zone)).date()
    if last_day is None:
        last_day = today if first_day is None else max(first_day, min(today, first_day + timedelta(days=MAX_DAYS - 1)))
    if first_day is None:
        first_day = last_day - timedelta(days=DEFAULT_DAYS - 1)
    if last_day < first_day:
        raise InvalidInput("The end date must not be before the start date.", code="invalid_range", attr="to")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise InvalidInput(f"Choose at most {MAX_DAYS} days at a time.", code="range_too_long", attr="from")
    return first_day, last_day


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


# --- The figures ---------------------------------------------------------------------------------------------------


def _count_by_day(queryset, moment: str, zone: ZoneInfo) -> dict[date, int]:
    rows = queryset.annotate(day=TruncDate(moment, tzinfo=zone)).order_by().values("day").annotate(count=Count("pk"))
    return {row["day"]: row["count"] for row in rows}


# The ORM cannot cut a booking into the local days it covers, so this one is SQL: a series of the report's local
# days (each from its local midnight to the next, right across daylight-saving changes) joined to the bookings that
# overlap them, summing the overlap.
BOOKED_HOURS_SQL = """
SELECT d.day::date, SUM(EXTRACT(EPOCH FROM LEAST(b.end_datetime, d.day_end) - GREATEST(b.start_datetime, d.day_start)))
FROM (
    SELECT day, day AT TIME ZONE %(zone)s AS day_start, (day + interval '1 day') AT TIME ZONE %(zone)s AS day_end
    FROM generate_series(%(first)s::timestamp, %(last)s::timestamp, interval '1 day') AS day
) AS d
JOIN {bookings} AS b ON b.start_datetime < d.day_end AND b.end_datetime > d.day_start
WHERE b.listing_id = ANY(%(listings)s) AND b.status = ANY(%(statuses)s)
  AND b.start_datetime < %(until)s AND b.end_datetime > %(since)s
GROUP BY d.day
"""


def _booked_seconds(listing_ids: list[int], first_day: date, last_day: date, zone: ZoneInfo) -> dict[date, Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(
            BOOKED_HOURS_SQL.format(bookings=connection.ops.quote_name(Booking._meta.db_table)),
            {
                "zone": zone.key,
                "first": first_day.isoformat(),
                "last": last_day.isoformat(),
                "listings": listing_ids,
                "statuses": list(OCCUPYING_STATUSES),
                "since": _midnight(first_day, zone),
                "until": _midnight(last_day + timedelta(days=1), zone),
            },
        )
        return {day: Decimal(seconds) for day, seconds in cursor.fetchall()}


def _available_seconds(listings: list[Listing], first_day: date, last_day: date, zone: ZoneInfo) -> dict[date, float]:
    """Open space-seconds per local day of the report, from the availability module's schedule of each listing."""
    since, until = _midnight(first_day, zone), _midnight(last_day + timedelta(days=1), zone)
    schedules = schedules_for(listings, since, until)
    day_count = (last_day - first_day).days + 1
    # The instants where each report day begins (and where the last one ends), to cut the open pieces by day.
    edges = [_midnight(first_day + timedelta(days=n), zone) for n in range(day_count + 1)]
    seconds = [0.0] * day_count
    for listing in listings:
        begin = max(since, listing.created_at)
        if begin >= until:
            continue
        for piece in availability.pieces_between(schedules[listing.pk], begin, until):
            if not piece.is_open or piece.capacity <= 0:
                continue
            start = piece.start
            index = bisect.bisect_right(edges, start) - 1
            while start < piece.end and 0 <= index < day_count:
                stop = min(piece.end, edges[index + 1])
                seconds[index] += (stop - start).total_seconds() * piece.capacity
                start, index = stop, index + 1
    return {first_day + timedelta(days=n): value for n, value in enumerate(seconds)}


def _earnings_by_day(listing_ids: list[int], since: datetime, until: datetime, zone: ZoneInfo) -> dict[date, Decimal]:
    starting = Booking.objects.filter(listing_id__in=listing_ids, start_datetime__gte=since, start_datetime__lt=until)
    by_day = starting.annotate(day=TruncDate("start_datetime", tzinfo=zone)).order_by()
    earnings: dict[date, Decimal] = defaultdict(lambda: ZERO)
    # Nothing refunded: the whole host payout, added up by the database.
    for row in (
        by_day.filter(payment_status=Booking.PaymentStatus.SUCCEEDED).values("day").annotate(amount=Sum("host_payout"))
    ):
        earnings[row["day"]] += row["amount"]
    # Partly refunded (few): the host's share, by the one rule payouts use.
    for day, host_payout, total_amount, refunded in by_day.filter(
        payment_status=Booking.PaymentStatus.PARTIAL_REFUND
    ).values_list("day", "host_payout", "total_amount", "refund_amount"):
        earnings[day] += pricing.host_share_of_payout(
            host_payout=host_payout, total_amount=total_amount, refunded=refunded or ZERO
        )
    return earnings


def host_analytics(
    host, *, first_day: date | None = None, last_day: date | None = None, listing_id: int | None = None
) -> Report:
    """The host's figures per day from `first_day` to `last_day` (local days, both included), for one of their
    listings (`listing_id`; anybody else's, or a deleted one, is NotFound) or all of them."""
    listings = list(Listing.objects.filter(host=host, is_deleted=False).order_by("title", "id"))
    listing = None
    if listing_id is not None:
        listing = next((candidate for candidate in listings if candidate.pk == listing_id), None)
        if listing is None:
            raise NotFound("No such listing.", attr="listing")
    chosen = [listing] if listing is not None else listings
    zone_name = listing.time_zone if listing is not None else report_time_zone(listings)
    zone = ZoneInfo(zone_name)
    first_day, last_day = report_range(first_day, last_day, time_zone=zone_name)
    day_count = (last_day - first_day).days + 1
    every_day = [first_day + timedelta(days=n) for n in range(day_count)]
    report = Report(
        host_id=host.pk,
        listing=listing,
        listings=listings,
        time_zone=zone_name,
        currency=chosen[0].currency if chosen else "USD",
        first_day=first_day,
        last_day=last_day,
    )
    if not chosen:
        return replace(report, days=[Period(start=day, end=day) for day in every_day])

    ids = [candidate.pk for candidate in chosen]
    since, until = _midnight(first_day, zone), _midnight(last_day + timedelta(days=1), zone)
    views = _count_by_day(
        ListingView.objects.filter(listing_id__in=ids, viewed_at__gte=since, viewed_at__lt=until), "viewed_at", zone
    )
    searches = _count_by_day(
        SearchQuery.objects.filter(result_listing_ids__overlap=ids, searched_at__gte=since, searched_at__lt=until),
        "searched_at",
        zone,
    )
    made = _count_by_day(
        Booking.objects.filter(listing_id__in=ids, created_at__gte=since, created_at__lt=until), "created_at", zone
    )
    booked = _booked_seconds(ids, first_day, last_day, zone)
    available = _available_seconds(chosen, first_day, last_day, zone)
    earnings = _earnings_by_day(ids, since, until, zone)
    days = [
        Period(
            start=day,
            end=day,
            views=views.get(day, 0),
            searches_shown_in=searches.get(day, 0),
            bookings=made.get(day, 0),
            booked_hours=(booked.get(day, Decimal(0)) / SECONDS_PER_HOUR).quantize(HOURS, rounding=ROUND_HALF_UP),
            available_hours=(Decimal(available.get(day, 0.0)) / SECONDS_PER_HOUR).quantize(
                HOURS, rounding=ROUND_HALF_UP
            ),
            earnings=to_money(earnings.get(day, ZERO)),
        )
        for day in every_day
    ]
    return replace(report, days=days)
