"""Reads of the review domain."""

from django.db.models import Q, QuerySet

from apps.core.errors import NotFound
from apps.reviews.models import Review


def published_listing_reviews(listing_id: int) -> QuerySet[Review]:
    """What guests said about a listing, newest first (host-to-guest reviews are about people, not places)."""
    return (
        Review.objects.filter(listing_id=listing_id, is_published=True, review_type=Review.ReviewType.GUEST_TO_HOST)
        .select_related("reviewer")
        .order_by("-published_at", "-id")
    )


def review_visible_to(review_id: int, user) -> Review:
    """A published review (anyone signed in may see, answer if theirs, or report it), or an unpublished one to its
    own author; anything else does not exist."""
    review = (
        Review.objects.select_related("listing", "reviewee")
        .filter(Q(is_published=True) | Q(reviewer=user), pk=review_id)
        .first()
    )
    if review is None:
        raise NotFound("No such review.")
    return review


def review_by(booking_id: int, reviewer) -> Review | None:
    """What `reviewer` wrote about the booking, if anything (there is at most one)."""
    return Review.objects.filter(booking_id=booking_id, reviewer=reviewer).first()


def reviews_about(user) -> QuerySet[Review]:
    """The published reviews of `user` (as a host or as a guest), newest first, each with its author and place."""
    return (
        Review.objects.filter(reviewee=user, is_published=True)
        .select_related("reviewer", "listing", "booking")
        .order_by("-published_at", "-id")
    )


def reviews_by(user) -> QuerySet[Review]:
    """The reviews `user` wrote, published or still waiting for the other side, newest first."""
    return (
        Review.objects.filter(reviewer=user)
        .select_related("reviewee", "listing", "booking")
        .order_by("-created_at", "-id")
    )
