"""A listing's opening schedule for one local day: operating hours, availability rules and a date exception.

The one place these rules are combined. `bookings.availability` books by it and the host's calendar draws it, so
the two cannot disagree. Precedence, highest first: the day's exception, closing rules, opening rules (which may
cap capacity with `max_bookings` and set a `price_override`), the listing's operating hours. All in the listing's
local time, in minutes from midnight; an end time of 23:59 means until midnight.
"""

import itertools
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Any

ALL_DAYS = frozenset(range(7))
END_OF_DAY = 24 * 60

# (start_minute, end_minute, is_open, capacity, price_override) — one stretch of the day in one state.
DayPiece = tuple[int, int, bool, int, Decimal | None]


def minutes(moment: time, *, is_end: bool = False) -> int:
    if is_end and moment >= time(23, 59):
        return END_OF_DAY
    return moment.hour * 60 + moment.minute


def rule_span_on(rule: Any, day: date) -> tuple[int, int] | None:
    """The minutes of `day` that `rule` covers, or None."""
    if day < rule.start_date or (rule.end_date is not None and day > rule.end_date):
        return None
    start, end = minutes(rule.start_time), minutes(rule.end_time, is_end=True)
    kind = rule.rule_type
    if kind == "daily":
        return start, end
    if kind == "weekly":
        return (start, end) if day.weekday() in set(rule.days_of_week) else None
    if kind == "monthly":
        return (start, end) if day.day == rule.start_date.day else None
    if kind == "date_range":
        first = start if day == rule.start_date else 0
        last = end if rule.end_date is not None and day == rule.end_date else END_OF_DAY
        return (first, last) if last > first else None
    return None


def exception_span(exception: Any) -> tuple[int, int]:
    if exception.start_time is None:
        return 0, END_OF_DAY
    return minutes(exception.start_time), minutes(exception.end_time, is_end=True)


def day_pieces(
    *,
    day: date,
    available_days: Iterable[int],
    available_start_time: time,
    available_end_time: time,
    rules: Iterable[Any],
    exception: Any | None,
    capacity: int,
) -> list[DayPiece]:
    """The local `day` cut into stretches of one state, in order, covering the whole day."""
    days = set(available_days) or ALL_DAYS
    base = (minutes(available_start_time), minutes(available_end_time, is_end=True)) if day.weekday() in days else None
    opening, closing = [], []
    for rule in rules:
        span = rule_span_on(rule, day)
        if span is not None:
            (opening if rule.is_available else closing).append((span, rule))

    cuts = {0, END_OF_DAY}
    if base:
        cuts.update(base)
    for (start, end), _ in opening + closing:
        cuts.update((start, end))
    if exception is not None:
        cuts.update(exception_span(exception))
    edges = sorted(cut for cut in cuts if 0 <= cut <= END_OF_DAY)

    pieces = []
    for start, end in itertools.pairwise(edges):
        if end <= start:
            continue
        is_open, cap, override = bool(base and base[0] <= start and end <= base[1]), capacity, None
        covering = [rule for (s, e), rule in opening if s <= start and end <= e]
        if covering:
            is_open = True
            cap = min([capacity, *(rule.max_bookings for rule in covering)])
            overrides = [rule.price_override for rule in covering if rule.price_override is not None]
            override = max(overrides) if overrides else None
        if any(s <= start and end <= e for (s, e), _ in closing):
            is_open, override = False, None
        if exception is not None:
            s, e = exception_span(exception)
            if s <= start and end <= e:
                is_open = exception.is_available
                if not is_open:
                    override = None
        pieces.append((start, end, is_open, cap if is_open else 0, override))
    return pieces
