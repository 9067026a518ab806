"""Review moderation: publish/unpublish from the admin, one audit row each, ratings always equal a recomputation."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Avg, Count

from apps.bookings.models import Booking
from apps.bookings.tests.test_admin import new_booking
from apps.core.errors import PermissionDenied
from apps.listings.models import Listing
from apps.listings.tests.test_admin import (
    admin_url,
    audit_trail_is_open,
    moderation_rows,
    new_listing,
    new_user,
    queries_of,
)
from apps.reviews import services
from apps.reviews.models import Review

pytestmark = pytest.mark.django_db


def new_review(listing: Listing | None = None, *, rating: int = 5, review_type: str = "G2H", **fields) -> Review:
    """A review of a completed booking: by the guest of the host (G2H) or by the host of the guest (H2G)."""
    listing = listing or new_listing()
    booking = new_booking(listing, status=Booking.Status.COMPLETED, days_ahead=-(Review.objects.count() + 2))
    guest, host = booking.guest, listing.host
    reviewer, reviewee = (guest, host) if review_type == "G2H" else (host, guest)
    values = {
        "booking": booking,
        "listing": listing,
        "reviewer": reviewer,
        "reviewee": reviewee,
        "review_type": review_type,
        "overall_rating": rating,
        "comment": "Fine spot.",
        "is_published": True,
    } | fields
    return Review.objects.create(**values)


def expected_ratings(*, listing: Listing, user) -> tuple:
    """The ratings worked out independently, from the published reviews."""
    listing_stats = Review.objects.filter(listing=listing, is_published=True, review_type="G2H").aggregate(
        average=Avg("overall_rating"), count=Count("id")
    )
    user_stats = Review.objects.filter(reviewee=user, is_published=True).aggregate(
        average=Avg("overall_rating"), count=Count("id")
    )

    def rounded(value):
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return (
        rounded(listing_stats["average"]),
        listing_stats["count"],
        rounded(user_stats["average"]),
        user_stats["count"],
    )


def actual_ratings(*, listing: Listing, user) -> tuple:
    listing.refresh_from_db()
    user.refresh_from_db()
    return (listing.rating_average, listing.rating_count, user.rating_average, user.rating_count)


def test_review_list_and_change_pages_open(admin_client):
    review = new_review()

    assert admin_client.get(admin_url(Review, "changelist")).status_code == 200
    assert admin_client.get(admin_url(Review, "change", review.pk)).status_code == 200
    assert admin_client.get(admin_url(Review, "add")).status_code == 403


def test_unpublishing_hides_the_review_with_one_moderation_row_and_recomputes_ratings(admin_client, admin_user):
    listing = new_listing()
    new_review(listing, rating=5)
    hidden = new_review(listing, rating=2)
    services.recompute_ratings(listing=listing, user=listing.host)
    action = {"action": "unpublish_reviews", "_selected_action": [hidden.pk], "reason": "Insults the host"}

    response = admin_client.post(admin_url(Review, "changelist"), action, follow=True)

    hidden.refresh_from_db()
    assert hidden.is_published is False
    assert (hidden.moderated_by, hidden.moderated_at is not None) == (admin_user, True)
    [row] = moderation_rows(hidden)
    assert row.user == admin_user
    assert "Insults the host" in row.description
    assert actual_ratings(listing=listing, user=listing.host) == expected_ratings(listing=listing, user=listing.host)
    assert actual_ratings(listing=listing, user=listing.host) == (Decimal("5.00"), 1, Decimal("5.00"), 1)
    assert "Unpublished: 1." in [str(message) for message in response.context["messages"]]


def test_unpublishing_twice_changes_nothing_the_second_time(admin_client):
    review = new_review()
    action = {"action": "unpublish_reviews", "_selected_action": [review.pk]}
    admin_client.post(admin_url(Review, "changelist"), action)

    response = admin_client.post(admin_url(Review, "changelist"), action, follow=True)

    assert len(moderation_rows(review)) == 1
    assert "Unpublished: 0. 1 needed no change." in [str(m) for m in response.context["messages"]]


def test_the_last_review_unpublished_leaves_no_rating(admin_user):
    review = new_review(rating=4)
    services.recompute_ratings(listing=review.listing, user=review.reviewee)

    services.unpublish_review(review=review, moderator=admin_user)

    assert actual_ratings(listing=review.listing, user=review.reviewee) == (None, 0, None, 0)


def test_publishing_from_the_admin_counts_the_review_again(admin_client, admin_user):
    review = new_review(rating=3)
    services.unpublish_review(review=review, moderator=admin_user)

    admin_client.post(admin_url(Review, "changelist"), {"action": "publish_reviews", "_selected_action": [review.pk]})

    review.refresh_from_db()
    assert review.is_published is True
    assert review.published_at is not None
    assert len(moderation_rows(review)) == 2  # hidden, then shown again
    assert actual_ratings(listing=review.listing, user=review.reviewee) == (Decimal("3.00"), 1, Decimal("3.00"), 1)


def test_the_system_does_not_publish_a_review_staff_have_hidden(admin_user):
    review = new_review(is_published=False)
    services.unpublish_review(review=review, moderator=admin_user)

    services.publish_review(review=review)

    review.refresh_from_db()
    assert review.is_published is False


def test_the_system_publishes_a_review_nobody_moderated():
    review = new_review(is_published=False, rating=4)

    services.publish_review(review=review)

    review.refresh_from_db()
    assert review.is_published is True
    assert review.moderated_by is None
    assert actual_ratings(listing=review.listing, user=review.reviewee) == (Decimal("4.00"), 1, Decimal("4.00"), 1)


def test_averages_round_half_up_to_two_places():
    listing = new_listing()
    # 33 / 8 = 4.125: half-up gives 4.13 (banker's rounding would give 4.12).
    for rating in (5, 5, 5, 4, 4, 4, 3, 3):
        new_review(listing, rating=rating)

    services.recompute_ratings(listing=listing, user=listing.host)

    assert actual_ratings(listing=listing, user=listing.host) == (Decimal("4.13"), 8, Decimal("4.13"), 8)


def test_a_listing_counts_only_reviews_of_the_place_and_a_person_every_review_of_them():
    listing = new_listing()
    guest_review = new_review(listing, rating=5)  # guest about the host's place
    host_review = new_review(listing, rating=2, review_type="H2G")  # host about a guest

    services.recompute_ratings(listing=listing, user=host_review.reviewee)

    listing.refresh_from_db()
    assert (listing.rating_average, listing.rating_count) == (Decimal("5.00"), 1)
    assert actual_ratings(listing=listing, user=host_review.reviewee)[2:] == (Decimal("2.00"), 1)
    assert guest_review.reviewee == listing.host


def test_staff_who_may_change_reviews_get_the_moderation_actions(client):
    moderator = new_user(is_staff=True)
    moderator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="reviews", codename__in=["view_review", "change_review"])
    )
    review = new_review()
    client.force_login(moderator)

    client.post(admin_url(Review, "changelist"), {"action": "unpublish_reviews", "_selected_action": [review.pk]})

    review.refresh_from_db()
    assert (review.is_published, review.moderated_by) == (False, moderator)


def test_only_staff_moderate_reviews():
    review = new_review()

    with pytest.raises(PermissionDenied):
        services.unpublish_review(review=review, moderator=new_user())


def test_the_reported_filter_is_the_moderation_queue(admin_client, admin_user):
    waiting = new_review(is_reported=True, report_reason="Spam")
    moderated = new_review(is_reported=True)
    services.unpublish_review(review=moderated, moderator=admin_user)
    new_review()  # not reported
    url = admin_url(Review, "changelist")

    assert list(admin_client.get(url, {"reported": "waiting"}).context["cl"].result_list) == [waiting]
    assert set(admin_client.get(url, {"reported": "any"}).context["cl"].result_list) == {waiting, moderated}


def test_a_review_change_page_shows_its_audit_trail(admin_client, admin_user):
    review = new_review()
    services.unpublish_review(review=review, moderator=admin_user, reason="Off topic")

    page = admin_client.get(admin_url(Review, "change", review.pk)).content.decode()

    assert "Review unpublished. Off topic" in page


def test_the_review_list_costs_the_same_queries_for_one_row_or_many(admin_client, django_assert_max_num_queries):
    new_review()
    url = admin_url(Review, "changelist")
    one_row = queries_of(admin_client, url)
    for _ in range(5):
        new_review()

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200


def test_keeping_a_reported_review_dismisses_its_reports_and_empties_the_queue(admin_client, admin_user):
    review = new_review(is_reported=True, report_reason="I disagree")
    url = admin_url(Review, "changelist")
    action = {"action": "dismiss_reports", "_selected_action": [review.pk]}

    response = admin_client.post(url, action, follow=True)
    admin_client.post(url, action)  # twice: nothing more happens

    review.refresh_from_db()
    assert review.is_published and review.is_reported and review.report_reason == "I disagree"
    assert (review.moderated_by, review.moderated_at is not None) == (admin_user, True)
    [row] = moderation_rows(review)
    assert row.user == admin_user and "dismissed" in row.description
    assert "Reports dismissed: 1." in [str(m) for m in response.context["messages"]]
    assert list(admin_client.get(url, {"reported": "waiting"}).context["cl"].result_list) == []
    assert list(admin_client.get(url, {"reported": "moderated"}).context["cl"].result_list) == [review]


def test_a_new_report_on_a_kept_review_puts_it_back_in_the_queue(admin_client, admin_user):
    review = new_review(is_reported=True, report_reason="I disagree")
    services.dismiss_review_report(review=review, moderator=admin_user)
    url = admin_url(Review, "changelist")
    assert list(admin_client.get(url, {"reported": "waiting"}).context["cl"].result_list) == []

    services.report_review(review=review, reporter=new_user(), reason="Contains a phone number")

    review.refresh_from_db()
    assert review.moderated_at is None and review.moderated_by is None
    assert "Contains a phone number" in review.report_reason and "I disagree" in review.report_reason
    assert list(admin_client.get(url, {"reported": "waiting"}).context["cl"].result_list) == [review]


def test_a_review_waiting_for_publication_is_not_kept_by_dismissing(admin_client, admin_user):
    review = new_review(is_published=False, is_reported=True)

    response = admin_client.post(
        admin_url(Review, "changelist"), {"action": "dismiss_reports", "_selected_action": [review.pk]}, follow=True
    )

    review.refresh_from_db()
    assert review.moderated_at is None  # the system may still publish it
    assert any("publish or unpublish it instead" in str(m) for m in response.context["messages"])
    services.publish_review(review=review)
    review.refresh_from_db()
    assert review.is_published


def test_dismissing_reports_is_for_staff_only():
    review = new_review(is_reported=True)

    with pytest.raises(PermissionDenied):
        services.dismiss_review_report(review=review, moderator=new_user())


def test_the_audit_trail_is_open_on_the_review_page(admin_client, admin_user):
    review = new_review(is_reported=True)
    services.dismiss_review_report(review=review, moderator=admin_user)

    page = admin_client.get(admin_url(Review, "change", review.pk)).content.decode()

    assert audit_trail_is_open(page)
    assert "Review report dismissed" in page and admin_user.email in page
