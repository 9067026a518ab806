"""Reads of the listing domain."""

import itertools
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps.core.errors import NotFound
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto


def public_listings() -> QuerySet[Listing]:
    """Listings anyone may see: active, not deleted, hosted by an account in good standing."""
    return Listing.objects.filter(is_active=True, is_deleted=False, host__is_active=True, host__is_deleted=False)


def with_detail(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    return queryset.select_related("host").prefetch_related(
        Prefetch("photos", queryset=ListingPhoto.objects.order_by("display_order", "uploaded_at"))
    )


def public_listing(listing_id: int) -> Listing:
    listing = with_detail(public_listings()).filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def visible_listing(listing_id: int, user) -> Listing:
    """A listing as `user` may see it: public ones, plus their own even when inactive."""
    queryset = with_detail(Listing.objects.filter(is_deleted=False))
    listing = queryset.filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    is_owner = user is not None and user.is_authenticated and (listing.host_id == user.pk or user.is_staff)
    if not is_owner and not (listing.is_active and listing.host.is_active and not listing.host.is_deleted):
        raise NotFound("No such listing.")
    return listing


def managed_listing(listing_id: int, user) -> Listing:
    """One of `user`'s own listings (any listing for staff); anybody else's is a 404, as if it did not exist."""
    queryset = with_detail(Listing.objects.filter(is_deleted=False))
    if not user.is_staff:
        queryset = queryset.filter(host=user)
    listing = queryset.filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def host_listings(host) -> QuerySet[Listing]:
    return with_detail(Listing.objects.filter(host=host, is_deleted=False)).order_by("-created_at")


def listing_photos(listing: Listing) -> QuerySet[ListingPhoto]:
    return ListingPhoto.objects.filter(listing=listing).order_by("display_order", "uploaded_at", "id")


def listing_rules(listing: Listing) -> QuerySet[AvailabilityRule]:
    return AvailabilityRule.objects.filter(listing=listing).order_by("start_date", "start_time", "id")


def listing_exceptions(listing: Listing) -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.filter(listing=listing).order_by("exception_date")


# --- The host's availability calendar -----------------------------------------------------------------------------

END_OF_DAY = 24 * 60  # minutes; an end time of 23:59 means until midnight


@dataclass(frozen=True)
class CalendarDay:
    """What the host's schedule says about one local date: when it is open, at what override, and why."""

    day: date
    in_month: bool
    is_past: bool
    is_today: bool
    open_minutes: tuple[tuple[int, int], ...]
    price_override: Decimal | None
    exception: AvailabilityException | None
    rules: tuple[AvailabilityRule, ...]

    @property
    def state(self) -> str:
        if not self.open_minutes:
            return "closed"
        return "override" if self.price_override is not None else "open"

    @property
    def is_open_all_day(self) -> bool:
        return self.open_minutes == ((0, END_OF_DAY),)

    @property
    def hours(self) -> list[str]:
        """The open stretches as "06:00 to 22:00" with an en dash (24:00 is midnight at the end of the day)."""
        return [
            f"{start // 60:02d}:{start % 60:02d}\N{EN DASH}{end // 60:02d}:{end % 60:02d}"
            for start, end in self.open_minutes
        ]


@dataclass(frozen=True)
class MonthCalendar:
    first: date  # the first day of the month shown
    today: date  # in the listing's time zone
    weeks: list[list[CalendarDay]]
    rules: list[AvailabilityRule]
    upcoming_exceptions: list[AvailabilityException]

    @property
    def previous_month(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> date:
        return (self.first + timedelta(days=31)).replace(day=1)


def _minutes(moment: time, *, is_end: bool = False) -> int:
    if is_end and moment >= time(23, 59):
        return END_OF_DAY
    return moment.hour * 60 + moment.minute


def _rule_span_on(rule: AvailabilityRule, day: date) -> tuple[int, int] | None:
    if day < rule.start_date or (rule.end_date is not None and day > rule.end_date):
        return None
    start, end = _minutes(rule.start_time), _minutes(rule.end_time, is_end=True)
    match rule.rule_type:
        case AvailabilityRule.RuleType.DAILY:
            return start, end
        case AvailabilityRule.RuleType.WEEKLY:
            return (start, end) if day.weekday() in rule.days_of_week else None
        case AvailabilityRule.RuleType.MONTHLY:
            return (start, end) if day.day == rule.start_date.day else None
        case AvailabilityRule.RuleType.DATE_RANGE:
            first = start if day == rule.start_date else 0
            last = end if day == rule.end_date else END_OF_DAY
            return (first, last) if last > first else None
    return None


def _calendar_day(listing: Listing, rules, exception, day: date) -> tuple[tuple, Decimal | None, tuple]:
    """(open stretches in minutes, highest price override while open, the rules that touch the day).

    The precedence is the one `bookings.availability` books by (an exception, then closing rules, then opening
    rules, then the operating hours); listings cannot import it, so a test checks both agree on every day.
    """
    base = None
    if day.weekday() in (set(listing.available_days) or set(range(7))):
        base = (_minutes(listing.available_start_time), _minutes(listing.available_end_time, is_end=True))
    spans = [(span, rule) for rule in rules if (span := _rule_span_on(rule, day)) is not None]
    opening = [(span, rule) for span, rule in spans if rule.is_available]
    closing = [span for span, rule in spans if not rule.is_available]
    exception_span = None
    if exception is not None:
        exception_span = (
            (0, END_OF_DAY)
            if exception.start_time is None
            else (_minutes(exception.start_time), _minutes(exception.end_time, is_end=True))
        )
    cuts = {0, END_OF_DAY, *(base or ()), *(exception_span or ())}
    for (start, end), _ in spans:
        cuts.update((start, end))
    edges = sorted(cut for cut in cuts if 0 <= cut <= END_OF_DAY)

    open_minutes: list[tuple[int, int]] = []
    overrides: list[Decimal] = []
    for start, end in itertools.pairwise(edges):
        if end <= start:
            continue
        is_open = bool(base and base[0] <= start and end <= base[1])
        covering = [rule for (s, e), rule in opening if s <= start and end <= e]
        override = max((r.price_override for r in covering if r.price_override is not None), default=None)
        is_open = is_open or bool(covering)
        if any(s <= start and end <= e for s, e in closing):
            is_open = False
        if exception_span is not None and exception_span[0] <= start and end <= exception_span[1]:
            is_open = exception.is_available
        if not is_open:
            continue
        if override is not None:
            overrides.append(override)
        if open_minutes and open_minutes[-1][1] == start:
            open_minutes[-1] = (open_minutes[-1][0], end)
        else:
            open_minutes.append((start, end))
    return tuple(open_minutes), max(overrides, default=None), tuple(rule for _, rule in spans)


def listing_today(listing: Listing) -> date:
    """Today where the listing is: its schedule is in its local time."""
    return timezone.localdate(timezone=ZoneInfo(listing.time_zone))


def listing_calendar(listing: Listing, *, year: int, month: int, today: date | None = None) -> MonthCalendar:
    """A month of the listing's schedule as weeks (Monday first), with its rules and upcoming date exceptions,
    in two queries whatever the number of rules and exceptions."""
    if today is None:
        today = listing_today(listing)
    first = date(year, month, 1)
    grid_start = first - timedelta(days=first.weekday())
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    grid_end = last + timedelta(days=6 - last.weekday())
    rules = list(listing_rules(listing))
    exceptions = {
        exception.exception_date: exception
        for exception in listing_exceptions(listing).filter(exception_date__gte=min(grid_start, today))
    }
    weeks: list[list[CalendarDay]] = []
    day = grid_start
    while day <= grid_end:
        if day.weekday() == 0:
            weeks.append([])
        open_minutes, override, touching = _calendar_day(listing, rules, exceptions.get(day), day)
        weeks[-1].append(
            CalendarDay(
                day=day,
                in_month=day.month == month,
                is_past=day < today,
                is_today=day == today,
                open_minutes=open_minutes,
                price_override=override,
                exception=exceptions.get(day),
                rules=touching,
            )
        )
        day += timedelta(days=1)
    upcoming = [exception for date_, exception in sorted(exceptions.items()) if date_ >= today]
    return MonthCalendar(first=first, today=today, weeks=weeks, rules=rules, upcoming_exceptions=upcoming)
