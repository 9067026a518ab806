"""Reviews in the browser: write one after a completed booking with radio stars (sub-ratings for the guest), answer
one about you, report one; refusals of the review service (the 14 days, a second review) shown on the form."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from apps.bookings.tests.factories import BookingFactory
from apps.reviews.models import Review
from apps.reviews.tests.factories import ReviewFactory
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GUEST_REVIEW = {
    "overall_rating": "4",
    "location_rating": "5",
    "value_rating": "4",
    "cleanliness_rating": "3",
    "communication_rating": "5",
    "title": "Easy in and out",
    "comment": "Wide driveway, the host answered at once.",
}


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def stay():
    return BookingFactory(completed=True)


def test_the_guest_rates_the_stay_with_stars_and_sub_ratings(stay):
    browser = _browser(stay.guest)
    url = reverse("review_write", args=[stay.booking_code])
    page = browser.get(url).content.decode()
    for legend in ("Overall", "Location", "Value", "Cleanliness", "Communication"):
        assert f"<legend>{legend}" in page
    # Five labelled radios per rating: a keyboard and a screen reader can use them.
    assert page.count('type="radio" name="overall_rating"') == 5 and "5 stars: excellent" in page
    response = browser.post(url, GUEST_REVIEW)
    assert response.status_code == 302 and response["Location"] == reverse("booking_detail", args=[stay.booking_code])
    review = Review.objects.get()
    assert (review.reviewer, review.reviewee, review.review_type) == (stay.guest, stay.listing.host, "G2H")
    assert (review.overall_rating, review.location_rating, review.cleanliness_rating) == (4, 5, 3)
    assert not review.is_published  # until the host writes theirs
    followed = browser.get(response["Location"]).content.decode()
    assert "Your review appears once the host writes theirs" in followed


def test_the_host_rates_the_guest_overall_only_and_both_reviews_are_published(stay):
    ReviewFactory(booking=stay)
    browser = _browser(stay.listing.host)
    url = reverse("review_write", args=[stay.booking_code])
    page = browser.get(url).content.decode()
    assert "<legend>Overall" in page and "<legend>Location" not in page
    browser.post(url, {"overall_rating": "5", "comment": "Left the space spotless.", "location_rating": "1"})
    review = Review.objects.get(review_type="H2G")
    assert review.overall_rating == 5 and review.location_rating is None
    assert Review.objects.filter(is_published=True).count() == 2


def test_missing_stars_and_comment_are_shown_next_to_their_fields_and_the_typing_is_kept(stay):
    response = _browser(stay.guest).post(
        reverse("review_write", args=[stay.booking_code]), {"title": "Nice", "location_rating": "9"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_overall_rating_error">Choose from 1 to 5 stars', body)
    assert re.search(r'id="id_comment_error">Say a few words about it', body)
    assert re.search(r'id="id_location_rating_error">Select a valid choice', body)
    assert 'value="Nice"' in body and not Review.objects.exists()


def test_after_the_14_days_the_form_says_so(stay):
    with freeze_time(stay.checked_out_at + timedelta(days=14, minutes=1)):
        response = _browser(stay.guest).post(reverse("review_write", args=[stay.booking_code]), GUEST_REVIEW)
    body = response.content.decode()
    assert response.status_code == 400 and "The 14 days for reviewing this booking have passed." in body
    assert "Wide driveway" in body and not Review.objects.exists()


def test_a_second_review_is_refused_and_the_first_one_is_shown(stay):
    browser = _browser(stay.guest)
    url = reverse("review_write", args=[stay.booking_code])
    browser.post(url, GUEST_REVIEW)
    page = browser.get(url).content.decode()
    assert "You reviewed this booking on" in page and "Wide driveway" in page and "<form" not in page.split("<main")[1]
    browser.post(url, GUEST_REVIEW | {"comment": "Again"})
    assert Review.objects.count() == 1


def test_a_booking_not_completed_cannot_be_reviewed_yet(guest, listing):
    booking = BookingFactory(guest=guest, listing=listing)
    browser = _browser(guest)
    url = reverse("review_write", args=[booking.booking_code])
    assert "once it is completed" in browser.get(url).content.decode()
    response = browser.post(url, GUEST_REVIEW)
    assert response.status_code == 400 and "once it is completed" in response.content.decode()
    assert not Review.objects.exists()


def test_someone_elses_booking_cannot_be_reviewed(stay):
    stranger = _browser(UserFactory())
    url = reverse("review_write", args=[stay.booking_code])
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, GUEST_REVIEW).status_code == 404
    assert not Review.objects.exists()


def test_the_host_responds_once_to_a_published_review_about_them(stay):
    review = ReviewFactory(booking=stay, published=True)
    host = _browser(stay.listing.host)
    reviews = host.get(reverse("my_reviews")).content.decode()
    assert review.comment in reviews and reverse("review_respond", args=[review.pk]) in reviews
    url = reverse("review_respond", args=[review.pk])
    blank = host.post(url, {"response": "  "})
    assert blank.status_code == 400 and 'id="id_response_error"' in blank.content.decode()
    assert host.post(url, {"response": "Thanks, come back soon!"})["Location"] == reverse("my_reviews")
    review.refresh_from_db()
    assert review.response == "Thanks, come back soon!"
    assert "You have already responded" in host.get(url).content.decode()
    assert reverse("review_respond", args=[review.pk]) not in host.get(reverse("my_reviews")).content.decode()


def test_only_the_person_reviewed_can_respond(stay):
    review = ReviewFactory(booking=stay, published=True)
    stranger = _browser(UserFactory())
    assert (
        "Only the person reviewed can respond."
        in stranger.get(reverse("review_respond", args=[review.pk])).content.decode()
    )
    response = stranger.post(reverse("review_respond", args=[review.pk]), {"response": "Hijack"})
    assert response.status_code == 400 and "Only the person reviewed can respond." in response.content.decode()
    review.refresh_from_db()
    assert review.response == ""


def test_an_unpublished_review_is_not_found_by_others(stay):
    review = ReviewFactory(booking=stay)
    assert _browser(stay.listing.host).get(reverse("review_respond", args=[review.pk])).status_code == 404
    assert _browser(UserFactory()).get(reverse("review_report", args=[review.pk])).status_code == 404


def test_anyone_signed_in_reports_a_review_with_a_reason(stay):
    review = ReviewFactory(booking=stay, published=True)
    reporter = _browser(UserFactory())
    url = reverse("review_report", args=[review.pk])
    empty = reporter.post(url, {"reason": ""})
    assert empty.status_code == 400 and "Tell us what is wrong with this review." in empty.content.decode()
    response = reporter.post(url, {"reason": "Insults the host", "next": f"/listings/{stay.listing_id}/"})
    assert response["Location"] == f"/listings/{stay.listing_id}/"
    review.refresh_from_db()
    assert review.is_reported and "Insults the host" in review.report_reason
    elsewhere = reporter.post(url, {"reason": "Spam", "next": "https://evil.example/"})
    assert elsewhere["Location"] == reverse("my_reviews")  # never sent off the site
    assert Client().get(url).status_code == 302  # signing in is required


def test_the_reviews_page_costs_the_same_queries_for_one_review_or_many(stay, django_assert_max_num_queries):
    host = stay.listing.host
    ReviewFactory(booking=stay, published=True)
    browser = _browser(host)
    with CaptureQueriesContext(connection) as one:
        browser.get(reverse("my_reviews"))
    for _ in range(5):
        ReviewFactory(booking=BookingFactory(completed=True, listing=stay.listing), published=True)
        ReviewFactory(booking=BookingFactory(completed=True, guest=host))
    with django_assert_max_num_queries(len(one)):
        assert browser.get(reverse("my_reviews")).status_code == 200
