"""The database itself refuses bad listings, spaces and availability rows, whatever code writes them.

Each bad value is written with a queryset `update()`, which skips model validation and the services' checks.
"""

from datetime import date, time
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.tests.factories import rejected_by
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto, ListingSpace
from apps.listings.tests.factories import (
    AvailabilityExceptionFactory,
    AvailabilityRuleFactory,
    ListingFactory,
    ListingPhotoFactory,
    ListingSpaceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    return ListingFactory()


def update_listing(listing, **values):
    Listing.objects.filter(pk=listing.pk).update(**values)


# --- Listings -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [[0, 1, 7], [-1], [7]])
def test_a_listing_whose_available_days_leave_monday_to_sunday_is_rejected(listing, days):
    with rejected_by("listings_available_days_range"):
        update_listing(listing, available_days=days)


@pytest.mark.parametrize("days", [[], [0], [5, 6], [0, 1, 2, 3, 4, 5, 6]])
def test_available_days_within_monday_to_sunday_are_accepted(listing, days):
    update_listing(listing, available_days=days)


@pytest.mark.parametrize(
    ("field", "constraint"),
    [
        ("price_per_day", "listings_price_per_day_positive"),
        ("price_per_hour", "listings_price_per_hour_positive"),
        ("price_per_week", "listings_price_per_week_positive"),
        ("price_per_month", "listings_price_per_month_positive"),
    ],
)
@pytest.mark.parametrize("price", [Decimal("0.00"), Decimal("-5.00")])
def test_a_price_of_zero_or_less_is_rejected(listing, field, constraint, price):
    with rejected_by(constraint):
        update_listing(listing, **{field: price})


@pytest.mark.parametrize("field", ["price_per_hour", "price_per_week", "price_per_month"])
def test_an_optional_rate_may_be_left_out(listing, field):
    update_listing(listing, **{field: None})


@pytest.mark.parametrize(
    ("field", "constraint"),
    [
        ("spaces_available", "listings_has_a_space"),
        ("minimum_hours", "listings_minimum_hours_positive"),
        ("maximum_days", "listings_maximum_days_positive"),
    ],
)
def test_a_listing_with_zero_spaces_minimum_hours_or_maximum_days_is_rejected(listing, field, constraint):
    with rejected_by(constraint):
        update_listing(listing, **{field: 0})


def test_a_negative_rating_count_is_rejected(listing):
    # (The column checks of spaces_available, minimum_hours and maximum_days, >= 0, are implied by the >= 1 above.)
    with rejected_by("listings_rating_count_check"):
        update_listing(listing, rating_count=-1)


@pytest.mark.parametrize(("opens", "closes"), [(time(18), time(8)), (time(9), time(9))])
def test_operating_hours_that_close_at_or_before_opening_are_rejected(listing, opens, closes):
    with rejected_by("listings_operating_hours_order"):
        update_listing(listing, available_start_time=opens, available_end_time=closes)


def test_operating_hours_until_23_59_are_accepted(listing):
    update_listing(listing, available_start_time=time(0), available_end_time=time(23, 59))


@pytest.mark.parametrize("rating", [Decimal("0.50"), Decimal("5.01")])
def test_a_listing_rating_average_outside_1_to_5_is_rejected(listing, rating):
    with rejected_by("listings_rating_average_range"):
        update_listing(listing, rating_average=rating)


def test_a_deleted_listing_without_a_deletion_time_is_rejected(listing):
    with rejected_by("listings_deleted_has_timestamp"):
        update_listing(listing, is_deleted=True)
    update_listing(listing, is_deleted=True, deleted_at=timezone.now())


# --- Spaces and photos ------------------------------------------------------------------------------------------


def test_two_spaces_of_one_listing_with_the_same_label_are_rejected(listing):
    with rejected_by("listing_spaces_unique_label"):
        ListingSpaceFactory(listing=listing, label="1")


def test_the_same_space_label_on_two_listings_is_accepted(listing):
    other = ListingFactory()
    assert ListingSpace.objects.filter(label="1", listing__in=[listing, other]).count() == 2


def test_a_negative_photo_order_is_rejected(listing):
    photo = ListingPhotoFactory(listing=listing)
    with rejected_by("listing_photos_display_order_check"):
        ListingPhoto.objects.filter(pk=photo.pk).update(display_order=-1)


# --- Availability rules -----------------------------------------------------------------------------------------


def update_rule(rule, **values):
    AvailabilityRule.objects.filter(pk=rule.pk).update(**values)


def test_a_rule_ending_before_it_starts_is_rejected(listing):
    rule = AvailabilityRuleFactory(listing=listing, start_date=date(2026, 6, 10))
    with rejected_by("availability_rules_date_order"):
        update_rule(rule, end_date=date(2026, 6, 9))


@pytest.mark.parametrize("rule_type", ["daily", "weekly", "monthly"])
def test_a_repeating_rule_whose_window_ends_at_or_before_its_start_is_rejected(listing, rule_type):
    rule = AvailabilityRuleFactory(listing=listing, rule_type=rule_type, days_of_week=[0])
    with rejected_by("availability_rules_time_order"):
        update_rule(rule, start_time=time(18), end_time=time(8))


def test_a_date_range_may_end_earlier_in_the_day_than_it_starts(listing):
    AvailabilityRuleFactory(
        listing=listing,
        rule_type="date_range",
        start_date=date(2026, 7, 1),
        end_date=date(2026, 7, 3),
        start_time=time(18),
        end_time=time(9),
    )


def test_a_rule_with_a_day_outside_monday_to_sunday_is_rejected(listing):
    rule = AvailabilityRuleFactory(listing=listing, weekdays=True)
    with rejected_by("availability_rules_days_range"):
        update_rule(rule, days_of_week=[1, 7])


def test_a_weekly_rule_without_days_is_rejected(listing):
    rule = AvailabilityRuleFactory(listing=listing, weekdays=True)
    with rejected_by("availability_rules_weekly_has_days"):
        update_rule(rule, days_of_week=[])


@pytest.mark.parametrize("price", [Decimal("0.00"), Decimal("-1.00")])
def test_a_rule_price_of_zero_or_less_is_rejected(listing, price):
    rule = AvailabilityRuleFactory(listing=listing)
    with rejected_by("availability_rules_price_positive"):
        update_rule(rule, price_override=price)


def test_a_negative_max_bookings_is_rejected(listing):
    rule = AvailabilityRuleFactory(listing=listing)
    with rejected_by("availability_rules_max_bookings_check"):
        update_rule(rule, max_bookings=-1)


# --- Availability exceptions --------------------------------------------------------------------------------------


def test_two_exceptions_on_one_day_of_a_listing_are_rejected(listing):
    exception = AvailabilityExceptionFactory(listing=listing)
    with rejected_by("availability_exceptions_one_per_day"):
        AvailabilityExceptionFactory(listing=listing, exception_date=exception.exception_date)


def test_exceptions_on_the_same_day_of_two_listings_are_accepted(listing):
    exception = AvailabilityExceptionFactory(listing=listing)
    AvailabilityExceptionFactory(exception_date=exception.exception_date)


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(9), None), (None, time(12)), (time(12), time(9)), (time(9), time(9))],
)
def test_an_exception_with_one_time_or_times_out_of_order_is_rejected(listing, start, end):
    exception = AvailabilityExceptionFactory(listing=listing)
    with rejected_by("availability_exceptions_time_order"):
        AvailabilityException.objects.filter(pk=exception.pk).update(start_time=start, end_time=end)


def test_a_whole_day_exception_and_one_with_hours_are_accepted(listing):
    AvailabilityExceptionFactory(listing=listing)
    AvailabilityExceptionFactory(listing=listing, hours=True)
