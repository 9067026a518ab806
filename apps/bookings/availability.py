"""When a listing can be booked. The one home of the availability rules; search, quotes and bookings import it.

All of a listing's schedule is in its local time (`listing.time_zone`), so "open 07:00-19:00" stays 07:00-19:00
on both sides of a daylight-saving change; instants are compared in UTC.

For each local date, what applies to a moment is decided by precedence, strongest first:
1. an `AvailabilityException` on that date (all day when it has no times, else between its times): open or closed;
2. a closing `AvailabilityRule` (`is_available=False`) whose window covers the moment;
3. an opening rule (`is_available=True`): open, at most `max_bookings` bookings at once, and billed at its
   `price_override` per hour if it has one (the highest override wins where opening rules overlap);
4. the operating hours: open on `available_days` (empty means every day) from `available_start_time` to
   `available_end_time`, where an end of 23:59 means until midnight.

Rule kinds: `daily` repeats its times on every date from `start_date` to `end_date` (open-ended without one);
`weekly` on those dates whose weekday is in `days_of_week` (0 = Monday); `monthly` on the day of the month of
`start_date`; `date_range` is one continuous window from `start_date start_time` to `end_date end_time`.

A window is bookable when it lies inside open time, lasts at least `minimum_hours` and at most `maximum_days`,
one of the listing's spaces has no active booking overlapping it, and no capped period is already full.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.listings.schedule import DayPiece, day_pieces

MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Piece:
    """A stretch of time with one state: open or not, how many bookings at once, the hourly price override."""

    start: datetime
    end: datetime
    is_open: bool
    capacity: int
    price_override: Decimal | None = None


@dataclass(frozen=True)
class BookedInterval:
    space_id: int
    start: datetime
    end: datetime


@dataclass
class Schedule:
    """What availability needs to know about one listing, loaded once (see `selectors.schedules_for`)."""

    listing_id: int
    time_zone: str
    available_days: Sequence[int]
    available_start_time: time
    available_end_time: time
    spaces: Sequence[int]
    minimum_hours: int = 1
    maximum_days: int = 30
    rules: Sequence = ()
    exceptions: Sequence = ()
    bookings: Sequence[BookedInterval] = field(default_factory=list)

    @classmethod
    def of(cls, listing, *, space_ids, rules, exceptions, bookings) -> Schedule:
        return cls(
            listing_id=listing.pk,
            time_zone=listing.time_zone,
            available_days=listing.available_days,
            available_start_time=listing.available_start_time,
            available_end_time=listing.available_end_time,
            minimum_hours=listing.minimum_hours,
            maximum_days=listing.maximum_days,
            spaces=list(space_ids),
            rules=list(rules),
            exceptions=list(exceptions),
            bookings=list(bookings),
        )


class Unavailable(Exception):
    """Why a window can't be booked; `code` is stable for clients, `attr` names the parameter at fault."""

    def __init__(self, detail: str, *, code: str, attr: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.code, self.attr = detail, code, attr


# --- Local schedule -----------------------------------------------------------------------------------------------


def _day_pieces(schedule: Schedule, day: date, capacity: int) -> list[DayPiece]:
    """The local day cut into stretches of one state: (start_minute, end_minute, open, capacity, override)."""
    return day_pieces(
        day=day,
        available_days=schedule.available_days,
        available_start_time=schedule.available_start_time,
        available_end_time=schedule.available_end_time,
        rules=schedule.rules,
        exception=next((e for e in schedule.exceptions if e.exception_date == day), None),
        capacity=capacity,
    )


def _local_to_utc(day: date, minute: int, zone: ZoneInfo) -> datetime:
    moment = datetime.combine(day, MIDNIGHT) + timedelta(minutes=minute)
    # A wall time that does not exist (spring forward) or exists twice (fall back) resolves like a clock would:
    # fold=0 takes the earlier reading; converting to UTC then gives the real instant.
    return moment.replace(tzinfo=zone).astimezone(UTC)


def pieces_between(schedule: Schedule, start: datetime, end: datetime) -> list[Piece]:
    """The listing's schedule from `start` to `end` as consecutive pieces in UTC, equal neighbours merged."""
    zone = ZoneInfo(schedule.time_zone)
    capacity = len(schedule.spaces)
    # Local day D's pieces cover [D 00:00, D+1 00:00) local, so the local dates of `start` and `end` are all it takes
    # (the day before ends where the first day starts, even when a clock change skips or repeats midnight).
    first_day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    merged: list[Piece] = []
    day = first_day
    while day <= last_day:
        for begin, finish, is_open, cap, override in _day_pieces(schedule, day, capacity):
            piece_start, piece_end = _local_to_utc(day, begin, zone), _local_to_utc(day, finish, zone)
            piece_start, piece_end = max(piece_start, start), min(piece_end, end)
            if piece_end <= piece_start:
                continue
            if (
                merged
                and (merged[-1].is_open, merged[-1].capacity, merged[-1].price_override)
                == (
                    is_open,
                    cap,
                    override,
                )
                and merged[-1].end >= piece_start
            ):
                merged[-1] = Piece(merged[-1].start, piece_end, is_open, cap, override)
            else:
                merged.append(Piece(piece_start, piece_end, is_open, cap, override))
        day += timedelta(days=1)
    return merged


# --- Bookings against the schedule ---------------------------------------------------------------------------------


def _overlapping(bookings: Iterable[BookedInterval], start: datetime, end: datetime) -> list[BookedInterval]:
    return [booking for booking in bookings if booking.start < end and start < booking.end]


def _peak_concurrency(bookings: Sequence[BookedInterval], start: datetime, end: datetime) -> int:
    events = []
    for booking in _overlapping(bookings, start, end):
        events += [(max(booking.start, start), 1), (min(booking.end, end), -1)]
    peak = current = 0
    for _, delta in sorted(events, key=lambda event: (event[0], event[1])):
        current += delta
        peak = max(peak, current)
    return peak


def free_spaces(schedule: Schedule, start: datetime, end: datetime) -> list[int]:
    """The listing's spaces with no active booking overlapping [start, end), lowest id first."""
    taken = {booking.space_id for booking in _overlapping(schedule.bookings, start, end)}
    return [space for space in sorted(schedule.spaces) if space not in taken]


def _open_throughout(pieces: Sequence[Piece], start: datetime, end: datetime) -> bool:
    covered = start
    for piece in pieces:
        if not piece.is_open or piece.start > covered:
            return False
        covered = piece.end
    return covered >= end


def open_throughout(schedule: Schedule, start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies wholly in the schedule's open time; spaces, bookings and caps are not looked at."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return _open_throughout(pieces_between(schedule, start, end), start, end)


def check_window(schedule: Schedule, start: datetime, end: datetime) -> list[Piece]:
    """Raise `Unavailable` unless [start, end) can be booked; return the schedule pieces it spans."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise Unavailable("The end must be after the start.", code="invalid_window", attr="end")
    hours = (end - start).total_seconds() / 3600
    if hours < schedule.minimum_hours:
        raise Unavailable(
            f"This space must be booked for at least {schedule.minimum_hours} hour(s).",
            code="too_short",
            attr="end",
        )
    if hours > schedule.maximum_days * 24:
        raise Unavailable(
            f"This space can be booked for at most {schedule.maximum_days} day(s).", code="too_long", attr="end"
        )
    pieces = pieces_between(schedule, start, end)
    if not _open_throughout(pieces, start, end):
        raise Unavailable("The space is closed during part of this window.", code="closed")
    if not free_spaces(schedule, start, end):
        raise Unavailable("Every space is already booked during this window.", code="fully_booked")
    for piece in pieces:
        if (
            piece.capacity < len(schedule.spaces)
            and _peak_concurrency(schedule.bookings, piece.start, piece.end) >= piece.capacity
        ):
            raise Unavailable("The host accepts no more bookings during this window.", code="fully_booked")
    return pieces


def is_bookable(schedule: Schedule, start: datetime, end: datetime) -> bool:
    try:
        check_window(schedule, start, end)
    except Unavailable:
        return False
    return True


def override_hours(pieces: Sequence[Piece], start: datetime, billed_hours: int) -> list[Decimal]:
    """The price of each billed hour that starts inside a piece with a price override (for the pricing module)."""
    prices = []
    for hour in range(billed_hours):
        moment = start + timedelta(hours=hour)
        piece = next((p for p in pieces if p.start <= moment < p.end), None)
        if piece is not None and piece.price_override is not None:
            prices.append(piece.price_override)
    return prices


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    status: str  # "free" | "busy" | "closed"
    spaces_free: int


def intervals(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """Free, busy and closed intervals in [start, end): what a calendar shows."""
    cuts = {start, end}
    pieces = pieces_between(schedule, start, end)
    for piece in pieces:
        cuts.update((piece.start, piece.end))
    for booking in _overlapping(schedule.bookings, start, end):
        cuts.update((max(booking.start, start), min(booking.end, end)))
    edges = sorted(cut for cut in cuts if start <= cut <= end)
    result: list[Interval] = []
    for begin, finish in itertools.pairwise(edges):
        piece = next((p for p in pieces if p.start <= begin < p.end), None)
        if piece is None or not piece.is_open:
            status, available = "closed", 0
        else:
            busy = _overlapping(schedule.bookings, begin, finish)
            available = min(len(schedule.spaces) - len({b.space_id for b in busy}), piece.capacity - len(busy))
            available = max(available, 0)
            status = "free" if available else "busy"
        if result and (result[-1].status, result[-1].spaces_free) == (status, available):
            result[-1] = Interval(result[-1].start, finish, status, available)
        else:
            result.append(Interval(begin, finish, status, available))
    return result
