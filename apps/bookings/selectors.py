"""Reads of the booking domain: what availability needs to know about listings, loaded in a fixed number of
queries however many listings are asked about."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.bookings import availability, pricing
from apps.bookings.availability import Schedule
from apps.bookings.models import Booking
from apps.core.errors import NotFound
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto, ListingSpace

# A listing's local date differs from the UTC date by at most a day either side (UTC-12 to UTC+14).
DATE_MARGIN = timedelta(days=1)


def _dates_around(start: datetime, end: datetime) -> list[date]:
    """Every date that is the local date of some moment of [start, end) in some time zone."""
    first, last = (start - DATE_MARGIN).date(), (end + DATE_MARGIN).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _rules_around(start: datetime, end: datetime) -> QuerySet[AvailabilityRule]:
    """The rules that may apply on some local date of [start, end): in force on one of its dates, and, for a weekly
    rule, on one of its weekdays, for a monthly rule, on one of its days of the month (`schedule.rule_span_on`). A
    weekend price rule is then no part of a weekday window, so a window search need not load its listing's schedule."""
    dates = _dates_around(start, end)
    rules = AvailabilityRule.objects.filter(start_date__lte=dates[-1]).exclude(end_date__lt=dates[0])
    weekdays = sorted({day.weekday() for day in dates})
    if len(weekdays) < 7:
        rules = rules.exclude(Q(rule_type=AvailabilityRule.RuleType.WEEKLY) & ~Q(days_of_week__overlap=weekdays))
    month_days = sorted({day.day for day in dates})
    if len(month_days) < 31:
        rules = rules.exclude(Q(rule_type=AvailabilityRule.RuleType.MONTHLY) & ~Q(start_date__day__in=month_days))
    return rules


def _exceptions_around(start: datetime, end: datetime) -> QuerySet[AvailabilityException]:
    dates = _dates_around(start, end)
    return AvailabilityException.objects.filter(exception_date__range=(dates[0], dates[-1]))


def calendar_entries_sql(start: datetime, end: datetime) -> tuple[str, list[Any]]:
    """SQL (text, parameters) true for a row of "listings" where a rule or an exception may apply to the window
    [start, end): exactly the rows `_rules_around` and `_exceptions_around` select, the data that `schedules_for`
    loads beyond the listing's own operating hours, spaces and bookings. Where it is false, the window's open time
    follows from the operating hours alone (`availability.open_throughout`).

    Written as SQL because a window search asks it of every candidate inside a statement it writes itself (see
    `apps.search.selectors`); a test holds it to the two querysets on random rules and windows."""
    dates = _dates_around(start, end)
    rule = [
        'r."listing_id" = "listings"."id"',
        'r."start_date" <= %s',
        '(r."end_date" IS NULL OR r."end_date" >= %s)',
    ]
    values: list[Any] = [dates[-1], dates[0]]
    weekdays = sorted({day.weekday() for day in dates})
    if len(weekdays) < 7:
        rule.append('(r."rule_type" <> %s OR r."days_of_week" && %s::integer[])')
        values += [AvailabilityRule.RuleType.WEEKLY.value, weekdays]
    month_days = sorted({day.day for day in dates})
    if len(month_days) < 31:
        listed = ", ".join(["%s"] * len(month_days))
        rule.append(f'(r."rule_type" <> %s OR EXTRACT(DAY FROM r."start_date") IN ({listed}))')
        values += [AvailabilityRule.RuleType.MONTHLY.value, *month_days]
    sql = (
        f'(EXISTS (SELECT 1 FROM "availability_rules" r WHERE {" AND ".join(rule)})'  # noqa: S608
        ' OR EXISTS (SELECT 1 FROM "availability_exceptions" e'
        ' WHERE e."listing_id" = "listings"."id" AND e."exception_date" BETWEEN %s AND %s))'
    )
    return sql, [*values, dates[0], dates[-1]]


def schedules_for(listings: Sequence[Listing], start: datetime, end: datetime) -> dict[int, Schedule]:
    """Each listing's `Schedule` for the window [start, end): four queries in all, the ids sent as one array each
    (`__any`, apps/core/lookups.py): a window search asks for a few hundred."""
    ids = [listing.pk for listing in listings]
    if not ids:
        return {}
    spaces, rules, exceptions, bookings = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for listing_id, space_id in ListingSpace.objects.filter(listing_id__any=ids, is_active=True).values_list(
        "listing_id", "id"
    ):
        spaces[listing_id].append(space_id)
    for rule in _rules_around(start, end).filter(listing_id__any=ids):
        rules[rule.listing_id].append(rule)
    for exception in _exceptions_around(start, end).filter(listing_id__any=ids):
        exceptions[exception.listing_id].append(exception)
    for booking in Booking.objects.filter(
        listing_id__any=ids,
        status__in=Booking.ACTIVE_STATUSES,
        start_datetime__lt=end,
        end_datetime__gt=start,
    ).only("listing_id", "space_id", "start_datetime", "end_datetime"):
        bookings[booking.listing_id].append(booking)
    return {
        listing.pk: Schedule.of(
            listing,
            space_ids=spaces[listing.pk],
            rules=rules[listing.pk],
            exceptions=exceptions[listing.pk],
            bookings=bookings[listing.pk],
        )
        for listing in listings
    }


def schedule_for(listing: Listing, start: datetime, end: datetime) -> Schedule:
    return schedules_for([listing], start, end)[listing.pk]


def quote_for_schedule(listing: Listing, schedule: Schedule, start: datetime, end: datetime) -> pricing.Quote:
    """Check the window against the schedule (raises `Unavailable`) and price it, overrides included."""
    pieces = availability.check_window(schedule, start, end)
    hours = pricing.billed_hours(start, end)
    return pricing.quote(
        rates=pricing.Rates.of(listing),
        start=start,
        end=end,
        override_hours=availability.override_hours(pieces, start, hours),
        currency=listing.currency,
    )


def quote_window(listing: Listing, start: datetime, end: datetime) -> pricing.Quote:
    return quote_for_schedule(listing, schedule_for(listing, start, end), start, end)


def availability_intervals(listing: Listing, start: datetime, end: datetime) -> list[availability.Interval]:
    return availability.intervals(schedule_for(listing, start, end), start, end)


ACCESS_OPENS_BEFORE_START = timedelta(hours=24)


def can_see_access_details(booking: Booking, user, *, now: datetime | None = None) -> bool:
    """The gate code and instructions: always for the host; for the guest of a confirmed or ongoing booking from
    24 hours before its start until its end."""
    if user.pk == booking.listing.host_id:
        return True
    if user.pk != booking.guest_id or booking.status not in (Booking.Status.CONFIRMED, Booking.Status.IN_PROGRESS):
        return False
    now = now or timezone.now()
    return booking.start_datetime - ACCESS_OPENS_BEFORE_START <= now < booking.end_datetime


def bookings_of(user, *, role: str = "guest", status: str | None = None):
    """A user's bookings as guest, or (role="host") the bookings of their listings, newest start first."""
    bookings = Booking.objects.select_related("listing", "guest", "listing__host")
    bookings = bookings.filter(listing__host=user) if role == "host" else bookings.filter(guest=user)
    if status:
        bookings = bookings.filter(status=status)
    return bookings.order_by("-start_datetime", "-id")


def booking_for_party(booking_code, user) -> Booking:
    """A booking its guest or its listing's host may see; to anyone else it does not exist."""
    booking = (
        Booking.objects.select_related("listing", "guest", "listing__host")
        .filter(booking_code=booking_code)
        .filter(Q(guest=user) | Q(listing__host=user))
        .first()
    )
    if booking is None:
        raise NotFound("No such booking.")
    return booking


# The tabs of a guest's own bookings. Upcoming: requests and confirmed stays not over yet, and every stay checked in
# but not out; past: completed, no-shows, and requests or stays whose end went by; cancelled: the rest.
GUEST_TABS = ("upcoming", "past", "cancelled")
_NOT_STARTED = (Booking.Status.PENDING, Booking.Status.CONFIRMED)


def guest_bookings(guest, *, tab: str, now: datetime | None = None) -> QuerySet[Booking]:
    """One tab of the guest's bookings with their listing and its photos, in a fixed number of queries: the
    upcoming ones soonest first, the others most recent first."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(guest=guest).select_related("listing")
    bookings = bookings.prefetch_related(
        Prefetch("listing__photos", queryset=ListingPhoto.objects.order_by("display_order", "uploaded_at"))
    )
    if tab == "upcoming":
        current = Q(status__in=_NOT_STARTED, end_datetime__gt=now) | Q(status=Booking.Status.IN_PROGRESS)
        return bookings.filter(current).order_by("start_datetime", "id")
    if tab == "past":
        over = Q(status__in=(Booking.Status.COMPLETED, Booking.Status.NO_SHOW))
        over |= Q(status__in=_NOT_STARTED, end_datetime__lte=now)
        return bookings.filter(over).order_by("-start_datetime", "-id")
    if tab == "cancelled":
        return bookings.filter(status=Booking.Status.CANCELLED).order_by("-start_datetime", "-id")
    raise ValueError(f"Unknown tab {tab!r}; one of {GUEST_TABS}")


def last_vehicle_of(guest) -> dict[str, str] | None:
    """The vehicle of the guest's most recent booking, to fill in the next one."""
    return (
        Booking.objects.filter(guest=guest)
        .order_by("-created_at", "-id")
        .values("vehicle_make", "vehicle_model", "vehicle_color", "vehicle_license_plate", "vehicle_state")
        .first()
    )
