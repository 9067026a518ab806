"""The price rules, checked on examples and, with hypothesis, on every window and rate card."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.bookings.pricing import NotPriceable, Rates, billed_hours, cheapest_cover, quote

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
D = Decimal


def test_short_stay_is_hourly_and_fees_round_half_up():
    result = quote(rates=Rates(D("3.25"), D("20.00")), start=START, end=START + timedelta(hours=3))
    assert [(line.unit, line.count, line.amount) for line in result.breakdown] == [("hour", 3, D("9.75"))]
    assert result.subtotal == D("9.75")
    assert result.service_fee == D("0.98")  # 0.975 rounds half-up
    assert result.total_amount == D("10.73")
    assert result.host_fee == D("0.29") and result.host_payout == D("9.46")


def test_a_long_afternoon_costs_no_more_than_a_day():
    result = quote(rates=Rates(D("4.00"), D("20.00")), start=START, end=START + timedelta(hours=7))
    assert result.subtotal == D("20.00")
    assert [line.unit for line in result.breakdown] == ["day"]


def test_nine_days_mixes_a_week_and_days():
    rates = Rates(D("3.00"), D("15.00"), D("70.00"), D("200.00"))
    result = quote(rates=rates, start=START, end=START + timedelta(days=9))
    assert {line.unit: line.count for line in result.breakdown} == {"week": 1, "day": 2}
    assert result.subtotal == D("100.00")


def test_partial_hours_are_billed_as_whole_hours():
    assert billed_hours(START, START + timedelta(minutes=70)) == 2
    assert billed_hours(START, START + timedelta(minutes=60)) == 1
    assert billed_hours(START, START + timedelta(minutes=5)) == 1


def test_daily_only_listing_rounds_up_to_days():
    result = quote(rates=Rates(None, D("25.00")), start=START, end=START + timedelta(hours=30))
    assert result.subtotal == D("50.00")


def test_override_hours_are_billed_at_their_own_price():
    result = quote(
        rates=Rates(D("3.00"), D("20.00")),
        start=START,
        end=START + timedelta(hours=5),
        override_hours=[D("10.00"), D("10.00")],
    )
    assert [(line.unit, line.count, line.unit_price) for line in result.breakdown] == [
        ("hour", 2, D("10.00")),
        ("hour", 3, D("3.00")),
    ]
    assert result.subtotal == D("29.00")


def test_no_rates_cannot_be_priced():
    with pytest.raises(NotPriceable):
        cheapest_cover(3, Rates(None, None))


money = st.decimals(min_value=D("0.50"), max_value=D("500.00"), places=2)
optional_money = st.one_of(st.none(), money)
rate_cards = st.builds(Rates, optional_money, money, optional_money, optional_money)
window_minutes = st.integers(min_value=1, max_value=60 * 24 * 75)


def _pure(rates: Rates, unit_price: Decimal | None, unit_hours: int, hours: int) -> Decimal | None:
    if unit_price is None:
        return None
    return unit_price * -(-hours // unit_hours)


@settings(max_examples=300, deadline=None)
@given(rates=rate_cards, minutes=window_minutes)
def test_quote_never_exceeds_pure_hourly_or_pure_daily(rates, minutes):
    result = quote(rates=rates, start=START, end=START + timedelta(minutes=minutes))
    hours = result.billed_hours
    for pure in (_pure(rates, rates.per_hour, 1, hours), _pure(rates, rates.per_day, 24, hours)):
        if pure is not None:
            assert result.subtotal <= pure


@settings(max_examples=300, deadline=None)
@given(rates=rate_cards, minutes=window_minutes, extra=st.integers(min_value=1, max_value=60 * 24 * 10))
def test_quote_is_monotone_in_window_length(rates, minutes, extra):
    shorter = quote(rates=rates, start=START, end=START + timedelta(minutes=minutes))
    longer = quote(rates=rates, start=START, end=START + timedelta(minutes=minutes + extra))
    assert longer.subtotal >= shorter.subtotal
    assert longer.total_amount >= shorter.total_amount


@settings(max_examples=200, deadline=None)
@given(rates=rate_cards, minutes=window_minutes)
def test_money_lines_add_up(rates, minutes):
    result = quote(rates=rates, start=START, end=START + timedelta(minutes=minutes))
    assert result.subtotal == sum(line.amount for line in result.breakdown)
    assert result.total_amount == result.subtotal + result.service_fee
    assert result.host_payout == result.subtotal - result.host_fee
    assert all(value.as_tuple().exponent == -2 for value in (result.subtotal, result.service_fee, result.host_fee))
    covered = sum(
        line.count * {"hour": 1, "day": 24, "week": 168, "month": 720}[line.unit] for line in result.breakdown
    )
    assert covered >= result.billed_hours


@settings(max_examples=100, deadline=None)
@given(rates=rate_cards, hours=st.integers(min_value=1, max_value=24 * 40))
def test_cheapest_cover_matches_brute_force_dynamic_programming(rates, hours):
    prices = rates.by_unit()
    sizes = {"hour": 1, "day": 24, "week": 168, "month": 720}
    best = [D(0)] + [None] * hours
    for covered in range(1, hours + 1):
        options = [price + best[max(covered - sizes[unit], 0)] for unit, price in prices.items()]
        best[covered] = min(options)
    assert sum(line.amount for line in cheapest_cover(hours, rates)) == best[hours]
