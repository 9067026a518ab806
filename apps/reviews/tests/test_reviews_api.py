"""Two-sided reviews: after completion, once each within 14 days, hidden until both are in or the window closes."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from apps.bookings import services as booking_services
from apps.bookings.tests.conftest import VEHICLE, client_for, window
from apps.reviews import services
from apps.reviews.models import Review

pytestmark = pytest.mark.django_db
GUEST_REVIEW = {"overall_rating": 4, "location_rating": 5, "value_rating": 4, "cleanliness_rating": 3,
                "communication_rating": 5, "comment": "Easy to find, a bit dusty."}  # fmt: skip


@pytest.fixture
def completed(guest, listing):
    start, end = window(days=1)
    booking = booking_services.create_booking(
        guest=guest, listing_id=listing.pk, start_datetime=start, end_datetime=end, vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )  # fmt: skip
    with freeze_time(start):
        booking_services.check_in(booking=booking, actor=guest)
        booking_services.check_out(booking=booking, actor=guest)
    booking.refresh_from_db()
    return booking


def post_review(user, booking, body):
    return client_for(user).post(f"/api/v1/bookings/{booking.booking_code}/reviews", body, format="json")


def test_reviews_stay_hidden_until_both_sides_wrote_then_ratings_follow(guest, host, listing, completed):
    first = post_review(guest, completed, GUEST_REVIEW)
    assert first.status_code == 201 and first.json()["is_published"] is False
    assert client_for(guest).get(f"/api/v1/listings/{listing.pk}/reviews").json()["count"] == 0
    second = post_review(host, completed, {"overall_rating": 5, "comment": "Great guest."})
    assert second.json()["is_published"] is True
    listing.refresh_from_db()
    host.refresh_from_db()
    guest.refresh_from_db()
    assert (listing.rating_average, listing.rating_count) == (4, 1)
    assert (host.rating_average, guest.rating_average) == (4, 5)
    body = client_for(guest).get(f"/api/v1/listings/{listing.pk}/reviews").json()
    assert body["count"] == 1 and body["results"][0]["cleanliness_rating"] == 3


def test_a_lone_review_is_published_when_the_window_closes(guest, listing, completed):
    post_review(guest, completed, GUEST_REVIEW)
    assert services.publish_due_reviews() == 0
    with freeze_time(completed.checked_out_at + timedelta(days=14, minutes=1)):
        assert services.publish_due_reviews() == 1
        assert services.publish_due_reviews() == 0
    listing.refresh_from_db()
    assert listing.rating_count == 1


def test_review_refusals(guest, host, listing, completed, django_user_model):
    bad = post_review(guest, completed, GUEST_REVIEW | {"overall_rating": 6})
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "overall_rating"
    assert post_review(guest, completed, GUEST_REVIEW).status_code == 201
    again = post_review(guest, completed, GUEST_REVIEW)
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "duplicate_review"
    stranger = django_user_model.objects.create_user(email="x@example.com")
    assert post_review(stranger, completed, GUEST_REVIEW).status_code == 404
    with freeze_time(completed.checked_out_at + timedelta(days=15)):
        late = post_review(host, completed, {"overall_rating": 3, "comment": "Late"})
        assert late.status_code == 409 and late.json()["errors"][0]["code"] == "review_window_closed"
    start, end = window(days=4)
    upcoming = booking_services.create_booking(
        guest=guest, listing_id=listing.pk, start_datetime=start, end_datetime=end, vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )  # fmt: skip
    early = post_review(guest, upcoming, GUEST_REVIEW)
    assert early.status_code == 409 and early.json()["errors"][0]["code"] == "not_completed"
    assert Review.objects.count() == 1


def test_the_reviewee_responds_once_and_anyone_signed_in_may_report(guest, host, completed, django_user_model):
    review_id = post_review(guest, completed, GUEST_REVIEW).json()["id"]
    post_review(host, completed, {"overall_rating": 5, "comment": "Great guest."})
    respond = lambda user: client_for(user).post(  # noqa: E731
        f"/api/v1/reviews/{review_id}/response", {"response": "Thanks, we swept it."}, format="json"
    )
    assert respond(guest).status_code == 403
    assert respond(host).json()["response"] == "Thanks, we swept it."
    assert respond(host).status_code == 409
    reporter = django_user_model.objects.create_user(email="r@example.com")
    report = client_for(reporter).post(f"/api/v1/reviews/{review_id}/report", {"reason": "Spam"}, format="json")
    assert report.status_code == 200
    assert Review.objects.get(pk=review_id).is_reported
    assert client_for(reporter).post(f"/api/v1/reviews/{review_id}/report", {}, format="json").status_code == 400
    assert client_for(reporter).post("/api/v1/reviews/999999/report", {"reason": "x"}, format="json").status_code == 404
