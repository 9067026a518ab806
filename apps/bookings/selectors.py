"""Reads of the booking domain: what availability needs to know about listings, loaded in a fixed number of
queries however many listings are asked about."""

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import router
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from apps.bookings import availability, pricing
from apps.bookings.availability import BookedInterval, Schedule
from apps.bookings.models import Booking
from apps.core.errors import NotFound
from apps.core.prepared import prepared_cursor
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto

# A listing's local date differs from the UTC date by at most a day either side (UTC-12 to UTC+14).
DATE_MARGIN = timedelta(days=1)


def _dates_around(start: datetime, end: datetime) -> list[date]:
    """Every date that is the local date of some moment of [start, end) in some time zone."""
    first, last = (start - DATE_MARGIN).date(), (end + DATE_MARGIN).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _rules_around(start: datetime, end: datetime) -> QuerySet[AvailabilityRule]:
    """The rules that may apply on some local date of [start, end): in force on one of its dates, and, for a weekly
    rule, on one of its weekdays, for a monthly rule, on one of its days of the month (`schedule.rule_span_on`). A
    weekend price rule is then no part of a weekday window, so a window search need not load its listing's schedule.

    This queryset and `_exceptions_around` are the meaning that the SQL of `schedules_for` and
    `calendar_entries_sql` is held to by tests (apps/search/tests/test_search_statements.py)."""
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


def _rule_conditions(dates: list[date], alias: str) -> tuple[list[str], list[Any]]:
    """The conditions that `_rules_around` states, on a row `alias` of "availability_rules", as SQL (text,
    parameters)."""
    rule = [f'{alias}."start_date" <= %s', f'({alias}."end_date" IS NULL OR {alias}."end_date" >= %s)']
    values: list[Any] = [dates[-1], dates[0]]
    weekdays = sorted({day.weekday() for day in dates})
    if len(weekdays) < 7:
        rule.append(f'({alias}."rule_type" <> %s OR {alias}."days_of_week" && %s::integer[])')
        values += [AvailabilityRule.RuleType.WEEKLY.value, weekdays]
    month_days = sorted({day.day for day in dates})
    if len(month_days) < 31:
        listed = ", ".join(["%s"] * len(month_days))
        rule.append(f'({alias}."rule_type" <> %s OR EXTRACT(DAY FROM {alias}."start_date") IN ({listed}))')
        values += [AvailabilityRule.RuleType.MONTHLY.value, *month_days]
    return rule, values


def _literals(values: Sequence[str]) -> str:
    """Code's own constants (choices' values) as SQL string literals, for a statement to name them, not bind them."""
    if not all(re.fullmatch(r"[A-Za-z_]+", value) for value in values):
        raise ValueError(f"not a plain word: {values!r}")
    return ", ".join(f"'{value}'" for value in values)


# The active statuses written into a statement, not bound: the partial indexes on bookings that serve its probes
# (`bookings_active_space_end`) have them in their predicates, and a prepared statement's generic plan can use such
# an index only when its condition names the same constants (with parameters it read every booking of the space).
ACTIVE_STATUSES_SQL = f"({_literals([status.value for status in Booking.ACTIVE_STATUSES])})"


def calendar_entries_sql(start: datetime, end: datetime) -> tuple[str, list[Any]]:
    """SQL (text, parameters) true for a row of "listings" where a rule or an exception may apply to the window
    [start, end): exactly the rows `_rules_around` and `_exceptions_around` select, the data that `schedules_for`
    loads beyond the listing's own operating hours, spaces and bookings. Where it is false, the window's open time
    follows from the operating hours alone (`availability.open_throughout`).

    Written as SQL because a window search asks it of every candidate inside a statement it writes itself (see
    `apps.search.selectors`); a test holds it to the two querysets on random rules and windows. Most listings have
    no rule or exception at all: `listings.has_calendar_entries` (kept by triggers, migration listings 0006) says so
    from the row, before any probe."""
    dates = _dates_around(start, end)
    rule, values = _rule_conditions(dates, "r")
    where = " AND ".join(['r."listing_id" = "listings"."id"', *rule])
    sql = (
        '("listings"."has_calendar_entries"'  # noqa: S608
        f' AND (EXISTS (SELECT 1 FROM "availability_rules" r WHERE {where})'
        ' OR EXISTS (SELECT 1 FROM "availability_exceptions" e'
        ' WHERE e."listing_id" = "listings"."id" AND e."exception_date" BETWEEN %s AND %s)))'
    )
    return sql, [*values, dates[0], dates[-1]]


def _columns(model) -> tuple[str, list[str]]:
    """Every concrete column of `model` for a SELECT from its table aliased `t`, and their attribute names, in the
    order `Model.from_db` takes them."""
    fields = model._meta.concrete_fields
    return ", ".join(f't."{field.column}"' for field in fields), [field.attname for field in fields]


def _may_have_calendar_entries(listing: Listing) -> bool:
    """False only for a listing read with the column `has_calendar_entries` (not a model field: the triggers own it,
    `with_calendar_flag` reads it) false; one read without it may have some."""
    return getattr(listing, "has_calendar_entries", True)


def with_calendar_flag(listings: QuerySet) -> QuerySet:
    """`listings` with their `has_calendar_entries`, which lets `schedules_for` skip reading the rules and exceptions
    of the listings that have none."""
    return listings.annotate(has_calendar_entries=RawSQL('"listings"."has_calendar_entries"', ()))


def schedules_for(listings: Sequence[Listing], start: datetime, end: datetime) -> dict[int, Schedule]:
    """Each listing's `Schedule` for the window [start, end): four queries in all (two where no listing has calendar
    entries), the ids sent as one array each: a window search asks for a few hundred.

    The statements are written here rather than by the ORM: they are the same four for every booking, quote and
    availability request, and compiling them cost 3.4 ms of CPU for one listing against 0.24 ms to send them (a
    booking's whole request is ~19 ms). The rules and exceptions are the rows of `_rules_around` and
    `_exceptions_around` (a test holds them to those querysets), read from the database the router names for reads
    of their models, as the ORM would."""
    ids = [listing.pk for listing in listings]
    if not ids:
        return {}
    # Rules and exceptions only of listings that have some (`has_calendar_entries`, kept by triggers), where the
    # listing was read with that column: most have none, and a booking then spares two of its statements.
    calendared = [listing.pk for listing in listings if _may_have_calendar_entries(listing)]
    dates = _dates_around(start, end)
    spaces, rules, exceptions, bookings = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    listings_db = router.db_for_read(AvailabilityRule)
    with prepared_cursor(listings_db) as cursor:
        cursor.execute(
            'SELECT "listing_id", "id" FROM "listing_spaces" WHERE "is_active" AND "listing_id" = ANY(%s)'
            ' ORDER BY "listing_id", "label"',
            [ids],
        )
        for listing_id, space_id in cursor.fetchall():
            spaces[listing_id].append(space_id)

        if calendared:
            columns, names = _columns(AvailabilityRule)
            conditions, values = _rule_conditions(dates, "t")
            cursor.execute(
                f'SELECT {columns} FROM "availability_rules" t WHERE t."listing_id" = ANY(%s)'  # noqa: S608
                f' AND {" AND ".join(conditions)} ORDER BY t."id"',
                [calendared, *values],
            )
            for row in cursor.fetchall():
                rule = AvailabilityRule.from_db(listings_db, names, row)
                rules[rule.listing_id].append(rule)

            columns, names = _columns(AvailabilityException)
            cursor.execute(
                f'SELECT {columns} FROM "availability_exceptions" t WHERE t."listing_id" = ANY(%s)'  # noqa: S608
                ' AND t."exception_date" BETWEEN %s AND %s ORDER BY t."exception_date", t."id"',
                [calendared, dates[0], dates[-1]],
            )
            for row in cursor.fetchall():
                exception = AvailabilityException.from_db(listings_db, names, row)
                exceptions[exception.listing_id].append(exception)

    with prepared_cursor(router.db_for_read(Booking)) as cursor:
        cursor.execute(
            f'SELECT "listing_id", "space_id", "start_datetime", "end_datetime" FROM "bookings"'  # noqa: S608
            f' WHERE "listing_id" = ANY(%s) AND "status" IN {ACTIVE_STATUSES_SQL}'
            ' AND "start_datetime" < %s AND "end_datetime" > %s ORDER BY "start_datetime" DESC',
            [ids, end, start],
        )
        for listing_id, space_id, booked_from, booked_until in cursor.fetchall():
            bookings[listing_id].append(BookedInterval(space_id, booked_from, booked_until))
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
