"""A window search loads whole schedules only for listings with a rule or an exception around the window; the others
are decided by their operating hours (checked once per distinct set) and priced only where a price is needed. The
answers are those of the availability module for every listing (see also test_search_brute_force.py)."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from apps.bookings import pricing
from apps.bookings import selectors as booking_selectors
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing
from apps.search import selectors as search_selectors
from apps.search.selectors import SearchParams, search_listings


def _window(days: int = 3) -> tuple[datetime, datetime]:
    # 16:00-19:00 UTC is 10:00-13:00 or 11:00-14:00 in Austin, inside daytime hours.
    start = (timezone.now() + timedelta(days=days)).astimezone(UTC).replace(hour=16, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=3)


@pytest.fixture
def spy_schedules(monkeypatch):
    """The listings whose whole schedule a search loaded."""
    loaded: list[int] = []
    real = booking_selectors.schedules_for

    def spy(listings, start, end):
        loaded.extend(listing.pk for listing in listings)
        return real(listings, start, end)

    monkeypatch.setattr(booking_selectors, "schedules_for", spy)
    return loaded


@pytest.fixture
def spy_quotes(monkeypatch):
    """How many quotes made without a schedule (the listings without rules or exceptions) a search priced."""
    calls = []
    real = pricing.quote

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(search_selectors.pricing, "quote", spy)
    return calls


def _ids(result) -> list[int]:
    return [hit.listing.pk for hit in result.hits]


def test_only_listings_with_rules_or_exceptions_have_their_schedule_loaded(make_listing, spy_schedules):
    start, end = _window()
    local_day = start.astimezone(timezone.get_default_timezone()).date()
    plain = make_listing(title="Plain")
    daytime = make_listing(title="Daytime", lng=-97.7432, available_start_time=time(7), available_end_time=time(20))
    nights = make_listing(title="Nights", lng=-97.7433, available_start_time=time(20), available_end_time=time(23, 59))
    closed_today = make_listing(title="Closed by an exception", lng=-97.7434)
    AvailabilityException.objects.create(listing=closed_today, exception_date=local_day, is_available=False)
    ruled = make_listing(title="Weekend price rule", lng=-97.7435)
    AvailabilityRule.objects.create(
        listing=ruled,
        rule_type="daily",
        start_date=local_day - timedelta(days=10),
        start_time=time(0),
        end_time=time(23, 59),
        price_override=Decimal("9.00"),
    )
    old_rule = make_listing(title="A rule that ended last month", lng=-97.7436)
    AvailabilityRule.objects.create(
        listing=old_rule,
        rule_type="daily",
        start_date=local_day - timedelta(days=60),
        end_date=local_day - timedelta(days=30),
        start_time=time(0),
        end_time=time(1),
        is_available=False,
    )
    params = SearchParams(point=plain.location, radius_m=2000, start=start, end=end)

    result = search_listings(params, offset=0, limit=10)

    assert set(_ids(result)) == {plain.pk, daytime.pk, ruled.pk, old_rule.pk}
    assert nights.pk not in _ids(result) and closed_today.pk not in _ids(result)
    assert sorted(spy_schedules) == sorted([closed_today.pk, ruled.pk])
    by_id = {hit.listing.pk: hit.quote for hit in result.hits}
    assert by_id[ruled.pk].subtotal == Decimal("27.00")  # 3 h at the rule's 9.00 override
    for listing in (plain, daytime, old_rule):
        assert by_id[listing.pk] == booking_selectors.quote_window(Listing.objects.get(pk=listing.pk), start, end)


def test_listings_without_calendar_entries_are_priced_only_for_the_page(make_listing, spy_quotes):
    start, end = _window()
    listings = [make_listing(title=f"Spot {number}", lng=-97.7431 + number * 0.0001) for number in range(6)]
    params = SearchParams(point=listings[0].location, radius_m=2000, start=start, end=end)

    result = search_listings(params, offset=2, limit=2)

    assert result.count == 6
    assert _ids(result) == [listing.pk for listing in listings[2:4]]
    assert len(spy_quotes) == 2


def test_a_price_filter_or_order_prices_every_bookable_listing(make_listing, spy_quotes):
    start, end = _window()
    prices = [Decimal("4.00"), Decimal("2.00"), Decimal("3.00"), Decimal("6.00")]
    listings = [
        make_listing(title=f"Spot {number}", lng=-97.7431 + number * 0.0001, price_per_hour=price)
        for number, price in enumerate(prices)
    ]
    cheapest_first = SearchParams(point=listings[0].location, radius_m=2000, start=start, end=end, sort="price")
    assert _ids(search_listings(cheapest_first, offset=0, limit=2)) == [listings[1].pk, listings[2].pk]
    assert len(spy_quotes) == 4

    # 3 h at 3.00 is 9.00 before the service fee; at 4.00, 12.00.
    at_most = SearchParams(point=listings[0].location, radius_m=2000, start=start, end=end, price_max=Decimal("11"))
    result = search_listings(at_most, offset=0, limit=10)
    assert _ids(result) == [listings[1].pk, listings[2].pk]
    assert result.count == 2
    assert all(hit.quote.total_amount <= Decimal("11") for hit in result.hits)


def test_a_listing_outside_its_duration_limits_is_not_bookable(make_listing):
    start, end = _window()
    fits = make_listing(title="Fits")
    long_stays = make_listing(title="Four hours at least", lng=-97.7432, minimum_hours=4)
    params = SearchParams(point=fits.location, radius_m=2000, start=start, end=end)
    without_window = SearchParams(point=fits.location, radius_m=2000)

    assert long_stays.pk in _ids(search_listings(without_window, offset=0, limit=10))
    assert _ids(search_listings(params, offset=0, limit=10)) == [fits.pk]


def test_only_a_listing_without_any_positive_rate_cannot_be_priced():
    # The database requires a positive daily price; the rule is the pricing module's own.
    assert pricing.can_price(pricing.Rates(per_hour=None, per_day=Decimal("20.00")))
    assert pricing.can_price(pricing.Rates(per_hour=None, per_day=None, per_month=Decimal("300.00")))
    assert not pricing.can_price(pricing.Rates(per_hour=Decimal("0"), per_day=None))
    with pytest.raises(pricing.NotPriceable):
        start, end = _window()
        pricing.quote(rates=pricing.Rates(per_hour=Decimal("0"), per_day=None), start=start, end=end)


def test_operating_hours_are_checked_in_the_listings_own_time_zone(make_listing):
    # 16:00-19:00 UTC is morning in Los Angeles and evening in London: a listing open 08:00-13:00 local is
    # bookable in the first and closed in the second, although the two share their hours.
    start, end = _window()
    los_angeles = make_listing(title="LA", available_start_time=time(8), available_end_time=time(13))
    london = make_listing(title="London", lng=-97.7432, available_start_time=time(8), available_end_time=time(13))
    Listing.objects.filter(pk=los_angeles.pk).update(time_zone="America/Los_Angeles")
    Listing.objects.filter(pk=london.pk).update(time_zone="Europe/London")
    params = SearchParams(point=los_angeles.location, radius_m=2000, start=start, end=end)

    assert _ids(search_listings(params, offset=0, limit=10)) == [los_angeles.pk]


def test_listings_with_calendar_entries_are_checked_for_all_but_priced_only_for_the_page(make_listing, spy_quotes):
    start, end = _window()
    local_day = start.astimezone(timezone.get_default_timezone()).date()
    listings = [make_listing(title=f"Spot {number}", lng=-97.7431 + number * 0.0001) for number in range(6)]
    for listing in listings:
        AvailabilityRule.objects.create(
            listing=listing,
            rule_type="daily",
            start_date=local_day - timedelta(days=1),
            start_time=time(0),
            end_time=time(23, 59),
            price_override=Decimal("9.00"),
            max_bookings=5,
        )
    params = SearchParams(point=listings[0].location, radius_m=2000, start=start, end=end)

    result = search_listings(params, offset=2, limit=2)

    assert result.count == 6
    assert _ids(result) == [listing.pk for listing in listings[2:4]]
    assert [hit.quote.subtotal for hit in result.hits] == [Decimal("27.00")] * 2  # the rule's override, 3 h
    assert len(spy_quotes) == 2


def _next_weekday(weekday: int, *, after_days: int = 3) -> datetime:
    day = (timezone.now() + timedelta(days=after_days)).astimezone(UTC)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day.replace(hour=16, minute=0, second=0, microsecond=0)


def test_weekly_and_monthly_rules_of_other_days_do_not_load_a_schedule(make_listing, spy_schedules):
    # A Wednesday window: in any time zone its local dates lie between Tuesday and Thursday.
    start = _next_weekday(2)
    end = start + timedelta(hours=3)
    wednesday = start.date()
    weekend_rule = make_listing(title="Weekend prices")
    midweek_rule = make_listing(title="Midweek prices", lng=-97.7432)
    monthly_elsewhere = make_listing(title="Closed on the month's day ten days away", lng=-97.7433)
    monthly_today = make_listing(title="Closed on this day of each month", lng=-97.7434)
    rule = {"start_time": time(0), "end_time": time(23, 59), "start_date": wednesday - timedelta(days=40)}
    AvailabilityRule.objects.create(
        listing=weekend_rule, rule_type="weekly", days_of_week=[5, 6], price_override=Decimal("9.00"), **rule
    )
    AvailabilityRule.objects.create(
        listing=midweek_rule, rule_type="weekly", days_of_week=[2], price_override=Decimal("9.00"), **rule
    )
    AvailabilityRule.objects.create(
        listing=monthly_elsewhere,
        rule_type="monthly",
        is_available=False,
        **(rule | {"start_date": wednesday - timedelta(days=10)}),
    )
    AvailabilityRule.objects.create(
        listing=monthly_today,
        rule_type="monthly",
        is_available=False,
        **(rule | {"start_date": wednesday}),
    )
    params = SearchParams(point=weekend_rule.location, radius_m=2000, start=start, end=end)

    result = search_listings(params, offset=0, limit=10)

    assert sorted(spy_schedules) == sorted([midweek_rule.pk, monthly_today.pk])
    assert set(_ids(result)) == {weekend_rule.pk, midweek_rule.pk, monthly_elsewhere.pk}
    by_id = {hit.listing.pk: hit.quote for hit in result.hits}
    assert by_id[weekend_rule.pk].subtotal == Decimal("9.00")  # 3 h at the listing's own 3.00
    assert by_id[midweek_rule.pk].subtotal == Decimal("27.00")  # 3 h at the Wednesday override


def test_the_free_space_probe_can_be_answered_by_two_btree_indexes_alone(make_listing):
    """Asked of every candidate: the listing's active spaces, then each space's active bookings that end after the
    start. Both are plain comparisons that a covering btree index answers from the index alone; the range overlap
    `&&` could only use the exclusion constraint's GiST index, about ten times the cost a probe at 5M bookings. (Which
    index the planner picks depends on the table's size, so the test reads the statement and the indexes.)"""
    start, end = _window()
    listing = make_listing(title="Probe")
    params = SearchParams(point=listing.location, radius_m=2000, start=start, end=end)
    sql = search_selectors.candidates_statement(params).sql
    probe = sql[sql.index('FROM "bookings"') :]

    assert '"end_datetime" >' in probe and '"start_datetime" <' in probe, probe
    assert "&&" not in probe and "TSTZRANGE" not in probe.upper(), probe
    # The statuses written as the index predicate's constants, not bound: else the prepared statement's generic
    # plan could not use the partial index.
    assert f'"status" IN {booking_selectors.ACTIVE_STATUSES_SQL}' in probe, probe
    assert booking_selectors.ACTIVE_STATUSES_SQL == "('PENDING', 'CONFIRMED', 'IN_PROGRESS')"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('bookings_active_space_end', 'listing_spaces_active')"
        )
        indexes = dict(cursor.fetchall())
    assert "(space_id, end_datetime) INCLUDE (start_datetime) WHERE" in indexes["bookings_active_space_end"]
    assert "'CONFIRMED'" in indexes["bookings_active_space_end"]
    assert indexes["listing_spaces_active"].endswith("(listing_id, id) WHERE is_active")


def _candidate_ids(params: SearchParams) -> list[int]:
    return [candidate.pk for candidate in search_selectors._candidates(params)]


def test_the_database_leaves_out_listings_its_operating_hours_close(make_listing):
    """Closed listings take no place among the (at most 2,000) candidates; a rule may still open one."""
    start, end = _window()  # 10:00-13:00 or 11:00-14:00 in Austin
    local_day = start.astimezone(timezone.get_default_timezone()).date()
    around_the_clock = make_listing(title="Always")
    daytime = make_listing(title="Daytime", lng=-97.7432, available_start_time=time(7), available_end_time=time(20))
    nights = make_listing(title="Nights", lng=-97.7433, available_start_time=time(20), available_end_time=time(23, 59))
    other_days = [day for day in range(7) if day != local_day.weekday()]
    not_today = make_listing(title="Not on this weekday", lng=-97.7434, available_days=other_days)
    opened_by_rule = make_listing(
        title="Nights, but open today by a rule",
        lng=-97.7435,
        available_start_time=time(20),
        available_end_time=time(23, 59),
    )
    AvailabilityRule.objects.create(
        listing=opened_by_rule, rule_type="date_range", start_date=local_day, end_date=local_day,
        start_time=time(0), end_time=time(23, 59),
    )  # fmt: skip
    params = SearchParams(point=around_the_clock.location, radius_m=2000, start=start, end=end)

    candidates = _candidate_ids(params)

    assert set(candidates) == {around_the_clock.pk, daytime.pk, opened_by_rule.pk}
    assert nights.pk not in candidates and not_today.pk not in candidates
    assert set(_ids(search_listings(params, offset=0, limit=10))) == set(candidates)


def test_a_window_ending_at_local_midnight_fits_hours_that_end_at_2359(make_listing):
    zone = ZoneInfo("America/Chicago")
    day = (timezone.now() + timedelta(days=5)).astimezone(zone).date()
    start = datetime.combine(day, time(21), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    weekdays = [day.weekday()]
    evening = make_listing(
        title="Evenings, this weekday only",
        available_start_time=time(18),
        available_end_time=time(23, 59),
        available_days=weekdays,
    )
    ends_earlier = make_listing(
        title="Until 23:30",
        lng=-97.7432,
        available_start_time=time(18),
        available_end_time=time(23, 30),
        available_days=weekdays,
    )
    params = SearchParams(point=evening.location, radius_m=2000, start=start, end=end)

    assert _candidate_ids(params) == [evening.pk]
    assert _ids(search_listings(params, offset=0, limit=10)) == [evening.pk]
    assert ends_earlier.pk not in _ids(search_listings(params, offset=0, limit=10))


def test_on_a_day_the_clocks_change_the_database_leaves_operating_hours_to_python(make_listing):
    """On the night clocks go back, 01:30 comes twice: an opening at 01:45 (its first occurrence, as the
    availability module reads wall times) is before a window from the second 01:30. Wall-clock arithmetic would say
    closed; the database lets the listing through and the availability module decides."""
    zone = ZoneInfo("America/Chicago")
    second_0130 = datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=zone)
    start, end = second_0130.astimezone(UTC), (second_0130 + timedelta(hours=2)).astimezone(UTC)
    early = make_listing(title="Opens 01:45", available_start_time=time(1, 45), available_end_time=time(23, 59))
    params = SearchParams(point=early.location, radius_m=2000, start=start, end=end)

    assert early.pk in _candidate_ids(params)
    assert _ids(search_listings(params, offset=0, limit=10)) == [early.pk]


def test_over_local_midnight_the_hours_of_listings_without_calendar_entries_are_read_and_checked(make_listing):
    """The database lets every listing through a window over local midnight (it judges one local day only); the
    candidates are read without their hours, which are then read and checked here."""
    zone = ZoneInfo("America/Chicago")
    day = (timezone.now() + timedelta(days=5)).astimezone(zone).date()
    start = datetime.combine(day, time(22), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(2), tzinfo=zone)
    around_the_clock = make_listing(title="Always")
    daytime = make_listing(title="Daytime", lng=-97.7432, available_start_time=time(8), available_end_time=time(20))
    evenings = make_listing(
        title="Evenings until midnight", lng=-97.7433, available_start_time=time(20), available_end_time=time(23, 59)
    )
    params = SearchParams(point=around_the_clock.location, radius_m=2000, start=start, end=end)

    assert set(_candidate_ids(params)) == {around_the_clock.pk, daytime.pk, evenings.pk}
    assert _ids(search_listings(params, offset=0, limit=10)) == [around_the_clock.pk]


# The part of `_open_by_hours` that says whether it judged a listing by its hours: the window ends by the local
# midnight after its start and that local day lasts 24 hours.
JUDGED_SQL = """
SELECT le <= (ls::date + 1)::timestamp
       AND ((ls::date + 1)::timestamp AT TIME ZONE z) - (ls::date::timestamp AT TIME ZONE z) = interval '24 hours'
  FROM (SELECT %(start)s::timestamptz AT TIME ZONE %(zone)s AS ls, %(end)s::timestamptz AT TIME ZONE %(zone)s AS le,
               %(zone)s::text AS z) AS window_
"""


@pytest.mark.parametrize(
    "zone_name",
    ["America/Chicago", "America/Los_Angeles", "Europe/London", "Australia/Lord_Howe", "America/Havana", "UTC"],
)
def test_python_knows_which_windows_the_database_judged_by_operating_hours(db, zone_name):
    """A candidate without rules or exceptions is taken as open where the statement judged its hours, so Python's
    test of that (`_hours_judged_in_sql`) must never say judged where the statement did not: on ordinary days, over
    midnight, ending at midnight, over several days and on the days clocks change (Havana's at midnight, Lord
    Howe's by 30 minutes). It may say not judged where the statement did (the listing's hours are then checked
    twice): on the night Havana's midnight comes twice, PostgreSQL reads that midnight at the later offset and
    measures the day at 24 hours, Python at the first and 25 hours."""
    zone = ZoneInfo(zone_name)
    days = [date(2027, 1, 12), date(2027, 3, 14), date(2027, 3, 28), date(2027, 4, 4), date(2027, 10, 3)]
    days += [date(2027, 10, 31), date(2027, 11, 7)]
    windows = []
    for day in days:
        for hour, hours in ((0, 2), (9, 3), (21, 3), (22, 4), (1, 24), (12, 50), (23, 1)):
            start = datetime.combine(day, time(hour), tzinfo=zone)
            windows.append((start, start + timedelta(hours=hours)))
    disagreements = set()
    with connection.cursor() as cursor:
        for start, end in windows:
            cursor.execute(JUDGED_SQL, {"start": start, "end": end, "zone": zone_name})
            in_sql = cursor.fetchone()[0]
            judged = search_selectors._hours_judged_in_sql(zone, start, end)
            assert in_sql or not judged, (start, end)
            if judged != in_sql:
                disagreements.add(start.date())
    assert disagreements == ({date(2027, 11, 7)} if zone_name == "America/Havana" else set())
    assert {search_selectors._hours_judged_in_sql(zone, start, end) for start, end in windows} == {True, False}


def test_rates_are_read_with_the_candidates_only_where_every_one_is_priced(make_listing):
    """In nearest-first order the page's rates come with its cards; a price order or limit reads them all."""
    start, end = _window()
    listing = make_listing(title="Priced", price_per_hour=Decimal("3.00"), price_per_day=Decimal("20.00"))
    near = SearchParams(point=listing.location, radius_m=2000, start=start, end=end)

    def reads_rates(params: SearchParams) -> bool:
        sql = search_selectors.candidates_statement(params).sql
        return '"listings"."price_per_hour"' in sql[: sql.index(' FROM "listings"')]

    assert not reads_rates(near)
    assert reads_rates(SearchParams(**{**near.__dict__, "sort": "price"}))
    assert reads_rates(SearchParams(**{**near.__dict__, "price_max": Decimal("50")}))
    for params in (near, SearchParams(**{**near.__dict__, "sort": "price"})):
        [api_row] = search_selectors.search_listing_rows(params, offset=0, limit=10).rows
        [web_hit] = search_listings(params, offset=0, limit=10).hits
        assert api_row.quote.subtotal == web_hit.quote.subtotal == Decimal("9.00")  # 3 hours at 3.00
        assert api_row.quote == web_hit.quote
