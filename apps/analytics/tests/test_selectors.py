"""The host's figures per local day against hand-computed expectations: views and searches by the listing's day,
booked and open space-hours (across a daylight-saving change), occupancy, earnings after refunds, and a fixed number
of queries however much there is to count."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from apps.analytics import selectors
from apps.analytics.tests.history import MONDAY, SATURDAY, SUNDAY, book, listing_of, local, searched, viewed
from apps.bookings.models import Booking
from apps.core.errors import InvalidInput, NotFound
from apps.listings.models import Listing
from apps.listings.tests.factories import NEW_YORK, ListingFactory, point
from apps.users.tests.factories import HostFactory

pytestmark = pytest.mark.django_db

Status, PaymentStatus = Booking.Status, Booking.PaymentStatus


def by_day(report) -> dict[date, selectors.Period]:
    return {period.start: period for period in report.days}


def test_occupancy_is_booked_over_open_space_hours_of_each_local_day():
    host = HostFactory()
    # Open 08:00-18:00 local time every day, two spaces: 2 x 10 = 20 open space-hours a day, the DST day too.
    listing = listing_of(host, available_start_time=time(8), available_end_time=time(18), spaces_available=2)
    first, second = listing.spaces.order_by("label")
    book(listing, local(SATURDAY, 9), local(SATURDAY, 12), space=first)  # 3 h, confirmed
    book(listing, local(SATURDAY, 10), local(SATURDAY, 18), space=second, status=Status.COMPLETED)  # 8 h
    book(listing, local(SUNDAY, 8), local(SUNDAY, 10), space=first, status=Status.NO_SHOW)  # 2 h: the space was held
    book(listing, local(SUNDAY, 12), local(SUNDAY, 16), space=second, pending=True)  # not approved: not counted
    book(listing, local(SUNDAY, 12), local(SUNDAY, 17), space=first, cancelled=True)  # cancelled: not counted
    book(listing, local(MONDAY, 8), local(MONDAY, 18), space=first, status=Status.IN_PROGRESS)  # 10 h
    book(listing, local(MONDAY, 8), local(MONDAY, 18), space=second)  # 10 h: both spaces all day

    report = selectors.host_analytics(host, first_day=SATURDAY, last_day=MONDAY, listing_id=listing.pk)

    days = by_day(report)
    assert report.time_zone == "America/Chicago"
    assert [days[day].available_hours for day in (SATURDAY, SUNDAY, MONDAY)] == [Decimal("20.00")] * 3
    assert [days[day].booked_hours for day in (SATURDAY, SUNDAY, MONDAY)] == [
        Decimal("11.00"),
        Decimal("2.00"),
        Decimal("20.00"),
    ]
    assert [days[day].occupancy for day in (SATURDAY, SUNDAY, MONDAY)] == [
        Decimal("0.5500"),
        Decimal("0.1000"),
        Decimal("1.0000"),
    ]
    assert report.totals.occupancy == Decimal("0.5500")  # 33 of 60 hours


def test_a_booking_across_midnight_counts_its_real_hours_on_each_local_day_across_daylight_saving():
    host = HostFactory()
    listing = listing_of(host)  # open around the clock, one space
    # 22:00 CST Saturday to 04:00 CDT Sunday: 2 hours on Saturday, 3 real hours on Sunday (02:00-03:00 never was).
    book(listing, local(SATURDAY, 22), local(SUNDAY, 4))

    days = by_day(selectors.host_analytics(host, first_day=SATURDAY, last_day=SUNDAY))

    assert (days[SATURDAY].booked_hours, days[SATURDAY].available_hours) == (Decimal("2.00"), Decimal("24.00"))
    assert (days[SUNDAY].booked_hours, days[SUNDAY].available_hours) == (Decimal("3.00"), Decimal("23.00"))
    assert days[SATURDAY].occupancy == Decimal("0.0833") and days[SUNDAY].occupancy == Decimal("0.1304")


def test_a_day_with_nothing_open_has_no_occupancy_and_a_listing_counts_from_its_creation():
    host = HostFactory()
    listing = listing_of(host, available_days=[0, 1, 2, 3, 4])  # closed at weekends
    Listing.objects.filter(pk=listing.pk).update(created_at=local(MONDAY, 12))  # published at noon on Monday

    days = by_day(selectors.host_analytics(host, first_day=SATURDAY, last_day=date(2026, 3, 10)))

    assert days[SATURDAY].occupancy is None and days[SUNDAY].available_hours == 0
    assert days[MONDAY].available_hours == Decimal("12.00")
    assert days[date(2026, 3, 10)].available_hours == Decimal("24.00")


def test_views_and_searches_are_counted_on_the_listings_local_day_and_only_for_the_host():
    host = HostFactory()
    listing, other = listing_of(host, title="A lot"), listing_of(host, title="B lot")
    stranger_listing = listing_of(HostFactory())
    viewed(listing, datetime(2026, 3, 8, 5, 30, tzinfo=UTC))  # 23:30 on Saturday in Chicago
    viewed(listing, local(SUNDAY, 9))
    viewed(other, local(SUNDAY, 10))
    viewed(stranger_listing, local(SUNDAY, 10))
    searched([listing.pk, other.pk], local(SATURDAY, 12))  # one search showing both: once for "all listings"
    searched([stranger_listing.pk, other.pk], local(SUNDAY, 12))
    searched([stranger_listing.pk], local(SUNDAY, 13))

    everything = by_day(selectors.host_analytics(host, first_day=SATURDAY, last_day=SUNDAY))
    one = by_day(selectors.host_analytics(host, first_day=SATURDAY, last_day=SUNDAY, listing_id=listing.pk))

    assert (everything[SATURDAY].views, everything[SUNDAY].views) == (1, 2)
    assert (one[SATURDAY].views, one[SUNDAY].views) == (1, 1)
    assert (everything[SATURDAY].searches_shown_in, everything[SUNDAY].searches_shown_in) == (1, 1)
    assert (one[SATURDAY].searches_shown_in, one[SUNDAY].searches_shown_in) == (1, 0)


def test_bookings_made_are_counted_on_the_day_they_were_made_whatever_became_of_them():
    host = HostFactory()
    listing = listing_of(host)
    book(listing, local(MONDAY, 9), local(MONDAY, 11), made_at=local(SATURDAY, 23, 59))
    book(listing, local(MONDAY, 12), local(MONDAY, 14), made_at=local(SUNDAY, 0, 1), cancelled=True)
    book(listing, local(MONDAY, 15), local(MONDAY, 17), made_at=local(SUNDAY, 8), pending=True)

    days = by_day(selectors.host_analytics(host, first_day=SATURDAY, last_day=MONDAY))

    assert [days[day].bookings for day in (SATURDAY, SUNDAY, MONDAY)] == [1, 2, 0]


def test_earnings_are_the_host_share_of_captured_money_on_the_day_the_stay_starts():
    host = HostFactory()
    listing = listing_of(host)
    money = {"subtotal": Decimal("100.00"), "service_fee": Decimal("10.00"), "host_fee": Decimal("3.00")}
    book(listing, local(SATURDAY, 23), local(SUNDAY, 3), **money)  # paid in full: 97.00 on Saturday
    book(  # half the 110.00 refunded: the host keeps half of 97.00
        listing,
        local(SUNDAY, 9),
        local(SUNDAY, 11),
        status=Status.CANCELLED,
        payment_status=PaymentStatus.PARTIAL_REFUND,
        refund_amount=Decimal("55.00"),
        **money,
    )
    book(listing, local(SUNDAY, 12), local(SUNDAY, 14), cancelled=True, **money)  # refunded in full: nothing
    book(listing, local(SUNDAY, 15), local(SUNDAY, 17), pending=True, **money)  # only authorised: nothing yet

    report = selectors.host_analytics(host, first_day=SATURDAY, last_day=SUNDAY)

    days = by_day(report)
    assert days[SATURDAY].earnings == Decimal("97.00")
    assert days[SUNDAY].earnings == Decimal("48.50")
    assert report.totals.earnings == Decimal("145.50") and report.currency == "USD"


def test_weeks_run_from_monday_and_add_up_their_days():
    host = HostFactory()
    listing = listing_of(host, available_start_time=time(8), available_end_time=time(18))
    book(listing, local(SATURDAY, 8), local(SATURDAY, 13))  # 5 of 10 hours
    book(listing, local(MONDAY, 8), local(MONDAY, 18))  # 10 of 10

    report = selectors.host_analytics(host, first_day=date(2026, 3, 6), last_day=date(2026, 3, 10))
    weeks = report.weeks()

    assert [(week.start, week.end) for week in weeks] == [(date(2026, 3, 6), SUNDAY), (MONDAY, date(2026, 3, 10))]
    assert (weeks[0].booked_hours, weeks[0].available_hours, weeks[0].occupancy) == (
        Decimal("5.00"),
        Decimal("30.00"),
        Decimal("0.1667"),
    )
    assert weeks[1].occupancy == Decimal("0.5000")  # 10 of 20 hours
    assert weeks[0].bookings + weeks[1].bookings == report.totals.bookings


def test_all_listings_are_counted_in_the_zone_most_of_them_are_in():
    host = HostFactory()
    listing_of(host)
    listing_of(host)
    new_york = ListingFactory(host=host, location=point(*NEW_YORK))
    assert selectors.report_time_zone(Listing.objects.filter(host=host)) == "America/Chicago"
    assert selectors.host_analytics(host).time_zone == "America/Chicago"
    assert selectors.host_analytics(host, listing_id=new_york.pk).time_zone == "America/New_York"
    assert selectors.report_time_zone([]) == "UTC"


@freeze_time("2026-03-09 03:00:00")  # still Sunday evening in Chicago
def test_by_default_the_range_is_the_last_thirty_local_days_up_to_today():
    host = HostFactory()
    listing_of(host)
    report = selectors.host_analytics(host)
    assert (report.first_day, report.last_day) == (SUNDAY - timedelta(days=29), SUNDAY)
    assert len(report.days) == 30
    only_start = selectors.host_analytics(host, first_day=date(2026, 3, 1))
    assert (only_start.first_day, only_start.last_day) == (date(2026, 3, 1), SUNDAY)


def test_a_range_out_of_order_or_too_long_is_refused_naming_the_parameter():
    host = HostFactory()
    with pytest.raises(InvalidInput) as backwards:
        selectors.host_analytics(host, first_day=MONDAY, last_day=SATURDAY)
    assert backwards.value.attr == "to"
    with pytest.raises(InvalidInput) as too_long:
        selectors.host_analytics(host, first_day=date(2025, 1, 1), last_day=date(2026, 1, 2))
    assert too_long.value.attr == "from"
    exactly = selectors.host_analytics(host, first_day=date(2025, 1, 1), last_day=date(2026, 1, 1))
    assert len(exactly.days) == selectors.MAX_DAYS


def test_somebody_elses_or_a_deleted_listing_is_not_found():
    host = HostFactory()
    stranger_listing = listing_of(HostFactory())
    with pytest.raises(NotFound):
        selectors.host_analytics(host, listing_id=stranger_listing.pk)
    mine = listing_of(host)
    Listing.objects.filter(pk=mine.pk).update(is_deleted=True, deleted_at=local(SATURDAY, 9))
    with pytest.raises(NotFound):
        selectors.host_analytics(host, listing_id=mine.pk)


def test_a_host_without_listings_gets_empty_days_in_one_query():
    host = HostFactory()
    with CaptureQueriesContext(connection) as queries:
        report = selectors.host_analytics(host, first_day=SATURDAY, last_day=MONDAY)
    assert len(queries) == 1
    assert [day.views + day.bookings for day in report.days] == [0, 0, 0] and report.totals.occupancy is None


def _queries_for(host) -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.host_analytics(host, first_day=date(2026, 2, 1), last_day=date(2026, 3, 31))
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_listings_bookings_views_or_days():
    host = HostFactory()
    listing = listing_of(host)
    book(listing, local(SATURDAY, 9), local(SATURDAY, 11))
    viewed(listing, local(SATURDAY, 9))
    few = _queries_for(host)
    for number in range(4):
        more = listing_of(host, spaces_available=2)
        book(more, local(SUNDAY, 9 + number), local(SUNDAY, 10 + number))
        viewed(more, local(SUNDAY, 9))
        searched([more.pk, listing.pk], local(SUNDAY, 9))
    assert _queries_for(host) == few <= 11
