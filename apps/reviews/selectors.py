"""Reads of the review domain."""

from django.db.models import QuerySet

from apps.reviews.models import Review


def published_listing_reviews(listing_id: int) -> QuerySet[Review]:
    """What guests said about a listing, newest first (host-to-guest reviews are about people, not places)."""
    return (
        Review.objects.filter(listing_id=listing_id, is_published=True, review_type=Review.ReviewType.GUEST_TO_HOST)
        .select_related("reviewer")
        .order_by("-published_at", "-id")
    )
