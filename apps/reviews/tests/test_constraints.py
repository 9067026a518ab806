"""The database itself refuses a second review by one person of a booking, reviews of oneself and ratings
outside 1 to 5."""

import pytest

from apps.core.tests.factories import rejected_by
from apps.reviews.models import RATING_FIELDS, Review
from apps.reviews.tests.factories import ReviewFactory
from apps.users.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_two_reviews_by_one_reviewer_for_a_booking_are_rejected():
    review = ReviewFactory()
    # Even posing as the other side, the guest cannot review the booking a second time.
    with rejected_by("unique_review_per_booking_reviewer"):
        ReviewFactory(booking=review.booking, review_type=Review.ReviewType.HOST_TO_GUEST)


def test_two_reviews_of_one_side_of_a_booking_are_rejected():
    review = ReviewFactory()
    with rejected_by("unique_review_per_booking_side"):
        ReviewFactory(booking=review.booking, reviewer=StaffFactory())


def test_the_guest_and_the_host_each_reviewing_the_booking_are_accepted():
    review = ReviewFactory()
    ReviewFactory(booking=review.booking, host_to_guest=True)
    assert review.booking.reviews.count() == 2


def test_a_review_of_oneself_is_rejected():
    review = ReviewFactory()
    with rejected_by("reviews_not_of_oneself"):
        Review.objects.filter(pk=review.pk).update(reviewee=review.reviewer)


@pytest.mark.parametrize(
    ("field", "constraint"),
    [
        ("overall_rating", "reviews_overall_rating_range"),
        ("location_rating", "reviews_location_rating_range"),
        ("value_rating", "reviews_value_rating_range"),
        ("cleanliness_rating", "reviews_cleanliness_rating_range"),
        ("communication_rating", "reviews_communication_rating_range"),
    ],
)
@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_out_of_1_to_5_is_rejected(field, constraint, rating):
    review = ReviewFactory()
    with rejected_by(constraint):
        Review.objects.filter(pk=review.pk).update(**{field: rating})


@pytest.mark.parametrize("rating", [1, 3, 5])
def test_a_rating_from_1_to_5_is_accepted(rating):
    ReviewFactory(**dict.fromkeys(RATING_FIELDS, rating))


def test_leaving_out_the_detailed_ratings_is_accepted():
    ReviewFactory(**dict.fromkeys(RATING_FIELDS[1:]))
