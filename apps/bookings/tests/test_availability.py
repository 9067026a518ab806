"""The availability rules, on schedules built in memory (no database needed)."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from apps.bookings.availability import (
    BookedInterval,
    Schedule,
    Unavailable,
    check_window,
    free_spaces,
    intervals,
    is_bookable,
    override_hours,
)

NY = ZoneInfo("America/New_York")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def schedule(**overrides) -> Schedule:
    values = {
        "listing_id": 1,
        "time_zone": "America/New_York",
        "available_days": [0, 1, 2, 3, 4, 5, 6],
        "available_start_time": time(0, 0),
        "available_end_time": time(23, 59),
        "spaces": [10],
        "minimum_hours": 1,
        "maximum_days": 30,
    }
    return Schedule(**(values | overrides))


def rule(rule_type="daily", start_date=date(2026, 1, 1), end_date=None, start_time=time(0), end_time=time(23, 59),
         days_of_week=(), is_available=True, max_bookings=1, price_override=None):  # fmt: skip
    return SimpleNamespace(**dict(locals().items()))


def exception(day, is_available=False, start_time=None, end_time=None):
    return SimpleNamespace(exception_date=day, is_available=is_available, start_time=start_time, end_time=end_time)


def test_open_around_the_clock_allows_multi_day_stays_across_midnight():
    assert is_bookable(schedule(), local(2026, 12, 1, 20), local(2026, 12, 4, 9))


def test_operating_hours_and_days_bound_the_window():
    weekdays = schedule(available_days=[0, 1, 2, 3, 4], available_start_time=time(7), available_end_time=time(19))
    assert is_bookable(weekdays, local(2026, 12, 1, 8), local(2026, 12, 1, 18))  # a Tuesday
    assert not is_bookable(weekdays, local(2026, 12, 1, 6), local(2026, 12, 1, 9))
    assert not is_bookable(weekdays, local(2026, 12, 5, 9), local(2026, 12, 5, 11))  # a Saturday
    with pytest.raises(Unavailable) as refusal:
        check_window(weekdays, local(2026, 12, 1, 18), local(2026, 12, 2, 8))  # overnight: closed
    assert refusal.value.code == "closed"


def test_empty_available_days_means_every_day():
    assert is_bookable(schedule(available_days=[]), local(2026, 12, 5, 9), local(2026, 12, 5, 11))


@pytest.mark.parametrize("day", [date(2026, 3, 8), date(2026, 11, 1)])  # spring forward and fall back
def test_local_hours_hold_on_daylight_saving_days(day):
    hours = schedule(available_start_time=time(7), available_end_time=time(19))
    start = datetime.combine(day, time(7), tzinfo=NY)
    end = datetime.combine(day, time(19), tzinfo=NY)
    assert is_bookable(hours, start, end)
    assert not is_bookable(hours, start - timedelta(minutes=30), end)
    assert not is_bookable(hours, start, end + timedelta(minutes=30))


def test_a_24_hour_stay_over_spring_forward_is_23_real_hours_and_still_open():
    start, end = local(2026, 3, 7, 12), local(2026, 3, 8, 12)
    assert (end.astimezone(UTC) - start.astimezone(UTC)) == timedelta(hours=23)
    assert is_bookable(schedule(), start, end)


def test_minimum_hours_and_maximum_days():
    strict = schedule(minimum_hours=3, maximum_days=2)
    with pytest.raises(Unavailable, match="at least 3"):
        check_window(strict, local(2026, 12, 1, 9), local(2026, 12, 1, 11))
    with pytest.raises(Unavailable, match="at most 2"):
        check_window(strict, local(2026, 12, 1, 9), local(2026, 12, 3, 10))


def test_a_space_holds_one_booking_at_a_time_and_back_to_back_is_fine():
    busy = schedule(spaces=[10, 11], bookings=[BookedInterval(10, local(2026, 12, 1, 9), local(2026, 12, 1, 12))])
    assert free_spaces(busy, local(2026, 12, 1, 10), local(2026, 12, 1, 11)) == [11]
    full = schedule(spaces=[10], bookings=busy.bookings)
    assert not is_bookable(full, local(2026, 12, 1, 10), local(2026, 12, 1, 11))
    assert is_bookable(full, local(2026, 12, 1, 12), local(2026, 12, 1, 14))


def test_closing_rule_and_all_day_exception_close_the_listing():
    closed_sundays = schedule(rules=[rule("weekly", days_of_week=[6], is_available=False)])
    assert not is_bookable(closed_sundays, local(2026, 12, 6, 9), local(2026, 12, 6, 10))
    assert is_bookable(closed_sundays, local(2026, 12, 7, 9), local(2026, 12, 7, 10))
    holiday = schedule(exceptions=[exception(date(2026, 12, 25))])
    assert not is_bookable(holiday, local(2026, 12, 25, 9), local(2026, 12, 25, 10))


def test_exception_beats_rules_and_opening_rule_beats_operating_hours():
    evenings = schedule(
        available_start_time=time(7),
        available_end_time=time(19),
        rules=[rule("date_range", start_date=date(2026, 12, 31), end_date=date(2027, 1, 1), start_time=time(19),
                    end_time=time(3), max_bookings=1, price_override=Decimal("12.00"))],
    )  # fmt: skip
    assert is_bookable(evenings, local(2026, 12, 31, 20), local(2027, 1, 1, 2))
    reopened = schedule(
        rules=[rule("daily", is_available=False)],
        exceptions=[exception(date(2026, 12, 2), is_available=True, start_time=time(9), end_time=time(17))],
    )
    assert is_bookable(reopened, local(2026, 12, 2, 10), local(2026, 12, 2, 12))
    assert not is_bookable(reopened, local(2026, 12, 3, 10), local(2026, 12, 3, 12))


def test_monthly_rule_repeats_on_the_same_day_of_month():
    first_of_month = schedule(rules=[rule("monthly", start_date=date(2026, 1, 1), is_available=False)])
    assert not is_bookable(first_of_month, local(2026, 12, 1, 9), local(2026, 12, 1, 10))
    assert is_bookable(first_of_month, local(2026, 12, 2, 9), local(2026, 12, 2, 10))


def test_max_bookings_caps_a_multi_space_lot_during_the_rule():
    lot = schedule(
        spaces=[1, 2, 3],
        rules=[rule("daily", start_time=time(18), end_time=time(23, 59), max_bookings=1)],
        bookings=[BookedInterval(1, local(2026, 12, 1, 19), local(2026, 12, 1, 21))],
    )
    assert not is_bookable(lot, local(2026, 12, 1, 20), local(2026, 12, 1, 22))
    assert is_bookable(lot, local(2026, 12, 1, 9), local(2026, 12, 1, 11))


def test_price_override_hours_are_reported_for_pricing():
    event = schedule(rules=[rule("daily", start_time=time(18), end_time=time(20), price_override=Decimal("9.00"))])
    start = local(2026, 12, 1, 17)
    pieces = check_window(event, start, local(2026, 12, 1, 21))
    assert override_hours(pieces, start, 4) == [Decimal("9.00"), Decimal("9.00")]


def test_intervals_show_free_busy_and_closed():
    day = schedule(
        spaces=[1],
        available_start_time=time(8),
        available_end_time=time(18),
        bookings=[BookedInterval(1, local(2026, 12, 1, 10), local(2026, 12, 1, 12))],
    )
    result = intervals(day, local(2026, 12, 1, 6), local(2026, 12, 1, 20))
    assert [(i.start.astimezone(NY).hour, i.end.astimezone(NY).hour, i.status) for i in result] == [
        (6, 8, "closed"),
        (8, 10, "free"),
        (10, 12, "busy"),
        (12, 18, "free"),
        (18, 20, "closed"),
    ]
