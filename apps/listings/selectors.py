"""Reads of the listing domain."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps.core.errors import NotFound
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto
from apps.listings.schedule import END_OF_DAY, day_pieces, rule_span_on


def public_listings() -> QuerySet[Listing]:
    """Listings anyone may see: active, not deleted, hosted by an account in good standing."""
    return Listing.objects.filter(is_active=True, is_deleted=False, host_active=True)


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


def _calendar_day(listing: Listing, rules, exception, day: date) -> tuple[tuple, Decimal | None, tuple]:
    """(open stretches in minutes, highest price override while open, the rules that touch the day), from the
    same schedule the bookings are made by (`listings.schedule`)."""
    pieces = day_pieces(
        day=day,
        available_days=listing.available_days,
        available_start_time=listing.available_start_time,
        available_end_time=listing.available_end_time,
        rules=rules,
        exception=exception,
        capacity=1,
    )
    open_minutes: list[tuple[int, int]] = []
    for start, end, is_open, _, _ in pieces:
        if not is_open:
            continue
        if open_minutes and open_minutes[-1][1] == start:
            open_minutes[-1] = (open_minutes[-1][0], end)
        else:
            open_minutes.append((start, end))
    override = max((piece[4] for piece in pieces if piece[2] and piece[4] is not None), default=None)
    touching = tuple(rule for rule in rules if rule_span_on(rule, day) is not None)
    return tuple(open_minutes), override, touching


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
