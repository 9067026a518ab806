"""Writes of the review domain: publishing and moderating reviews, and the ratings that follow from them.

A listing's `rating_average`/`rating_count` come from the published guest-to-host reviews of it; a person's from
the published reviews of them (as a host or as a guest). They are recomputed from the reviews, in the transaction
that changed a review, never adjusted by increments.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from apps.bookings.models import Booking
from apps.core.errors import Conflict, InvalidInput, PermissionDenied
from apps.core.models import AuditLog
from apps.core.services import log_action
from apps.listings import cache
from apps.listings.models import Listing
from apps.reviews.models import Review
from apps.reviews.signals import review_published
from apps.users import rls
from apps.users.models import User

RATING_PLACES = Decimal("0.01")


def _average(total: int | None, count: int) -> Decimal | None:
    if not count:
        return None
    # Exact decimal division then one half-up rounding: 4.125 shows as 4.13, as a person would round it.
    return (Decimal(total) / Decimal(count)).quantize(RATING_PLACES, rounding=ROUND_HALF_UP)


def _lock_row(queryset) -> None:
    """Take the row's lock (SELECT ... FOR UPDATE) without loading the row."""
    list(queryset.select_for_update().values_list("pk", flat=True))


def recompute_ratings(*, listing: Listing | None = None, user: User | None = None) -> None:
    """Set the ratings of `listing` and/or `user` from their published reviews.

    The listing's and the user's rows are locked first, so two reviews changing at once are counted one after the
    other: the second transaction waits and then reads what the first committed.
    """
    with transaction.atomic():
        if listing is not None:
            _lock_row(Listing.objects.filter(pk=listing.pk))
            totals = Review.objects.filter(
                listing_id=listing.pk, is_published=True, review_type=Review.ReviewType.GUEST_TO_HOST
            ).aggregate(total=Sum("overall_rating"), count=Count("id"))
            listing.rating_average = _average(totals["total"], totals["count"])
            listing.rating_count = totals["count"]
            # `update()` so that a rating does not count as an edit of the listing (`updated_at` stays).
            Listing.objects.filter(pk=listing.pk).update(
                rating_average=listing.rating_average, rating_count=listing.rating_count
            )
            listing_id = listing.pk
            transaction.on_commit(lambda: cache.invalidate_listing(listing_id))
        if user is not None:
            # A person's rating belongs to their account row, which only they may write: recompute it as the system.
            with rls.as_system():
                _lock_row(User.objects.filter(pk=user.pk))
                totals = Review.objects.filter(reviewee_id=user.pk, is_published=True).aggregate(
                    total=Sum("overall_rating"), count=Count("id")
                )
                user.rating_average = _average(totals["total"], totals["count"])
                user.rating_count = totals["count"]
                User.objects.filter(pk=user.pk).update(
                    rating_average=user.rating_average, rating_count=user.rating_count
                )


def _ensure_moderator(moderator: User) -> None:
    if not getattr(moderator, "is_staff", False):
        raise PermissionDenied("Only staff can moderate reviews.")


def _locked(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("listing", "reviewee").get(pk=review.pk)


def publish_review(*, review: Review, moderator: User | None = None) -> Review:
    """Make a review visible and count it in the ratings.

    Without a moderator, this is the system publishing it (both sides have reviewed, or the window has closed);
    the system never overrules staff, so a review a moderator has hidden stays hidden. A moderator may publish any
    review. Publishing a published review changes nothing.
    """
    if moderator is not None:
        _ensure_moderator(moderator)
    with transaction.atomic():
        review = _locked(review)
        if review.is_published or (moderator is None and review.moderated_at is not None):
            return review
        now = timezone.now()
        first_time = review.published_at is None
        review.is_published = True
        # A review shown again after moderation keeps its first publication date, so lists stay in the same order.
        review.published_at = review.published_at or now
        update_fields = ["is_published", "published_at", "updated_at"]
        if moderator is not None:
            review.moderated_by, review.moderated_at = moderator, now
            update_fields += ["moderated_by", "moderated_at"]
        review.save(update_fields=update_fields)
        recompute_ratings(listing=review.listing, user=review.reviewee)
        if first_time:
            transaction.on_commit(lambda: review_published.send(sender=Review, review=review), robust=True)
        log_action(
            actor=moderator,
            action=AuditLog.Action.MODERATE if moderator is not None else AuditLog.Action.UPDATE,
            target=review,
            description="Review published",
            old_values={"is_published": False},
            new_values={"is_published": True},
        )
    return review


def unpublish_review(*, review: Review, moderator: User, reason: str = "") -> Review:
    """Hide a review (staff moderation) and take it out of the listing's and the reviewee's ratings.

    A review not yet published can be hidden too, so that the system does not publish it later. Hiding a review
    that staff have already hidden changes nothing.
    """
    _ensure_moderator(moderator)
    with transaction.atomic():
        review = _locked(review)
        if not review.is_published and review.moderated_at is not None:
            return review
        was_published = review.is_published
        review.is_published = False
        review.moderated_by, review.moderated_at = moderator, timezone.now()
        review.save(update_fields=["is_published", "moderated_by", "moderated_at", "updated_at"])
        recompute_ratings(listing=review.listing, user=review.reviewee)
        log_action(
            actor=moderator,
            action=AuditLog.Action.MODERATE,
            target=review,
            description=f"Review unpublished. {reason}".strip(),
            old_values={"is_published": was_published},
            new_values={"is_published": False},
            additional_data={"reason": reason},
        )
    return review


def dismiss_review_report(*, review: Review, moderator: User) -> Review:
    """Staff looked at a reported, published review and keep it as it is: it leaves the moderation queue
    (`moderated_by`/`moderated_at` are set), its reports stay on it and in the audit log.

    Only a published review: setting `moderated_at` on one still waiting for publication would stop the system
    from ever publishing it. A review not reported, or already moderated, is left as it is.
    """
    _ensure_moderator(moderator)
    with transaction.atomic():
        review = _locked(review)
        if not review.is_reported or review.moderated_at is not None:
            return review
        if not review.is_published:
            raise Conflict(
                "This review is not published yet: publish or unpublish it instead.", code="review_not_published"
            )
        review.moderated_by, review.moderated_at = moderator, timezone.now()
        review.save(update_fields=["moderated_by", "moderated_at", "updated_at"])
        log_action(
            actor=moderator,
            action=AuditLog.Action.MODERATE,
            target=review,
            description="Review report dismissed: the review stays published",
            new_values={"moderated_at": review.moderated_at.isoformat()},
        )
    return review


# --- Writing, answering and reporting reviews -----------------------------------------------------------------------

REVIEW_WINDOW = timedelta(days=14)


def _completed_at(booking: Booking):
    return booking.checked_out_at or booking.end_datetime


def write_review(
    *, booking: Booking, reviewer: User, ratings: dict[str, int | None], comment: str, title: str = ""
) -> Review:
    """The guest reviews the host and the space (G2H, with sub-ratings), or the host reviews the guest (H2G): once
    each, after the booking is completed and within 14 days. Reviews stay hidden until both sides have written
    theirs (then both are published together) or the window closes (`publish_due_reviews`), so neither side can
    answer the other's review with a retaliatory one."""
    if booking.status != Booking.Status.COMPLETED:
        raise Conflict("You can review a booking once it is completed.", code="not_completed")
    if timezone.now() > _completed_at(booking) + REVIEW_WINDOW:
        raise Conflict("The 14 days for reviewing this booking have passed.", code="review_window_closed")
    is_guest = reviewer.pk == booking.guest_id
    review_type = Review.ReviewType.GUEST_TO_HOST if is_guest else Review.ReviewType.HOST_TO_GUEST
    reviewee = booking.listing.host if is_guest else booking.guest
    for field, value in ratings.items():
        if value is not None and not 1 <= value <= 5:
            raise InvalidInput("Ratings go from 1 to 5.", attr=field)
    if not is_guest:
        ratings = {"overall_rating": ratings.get("overall_rating")}  # sub-ratings describe a space, not a person
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput("Say a few words about it.", code="required", attr="comment")
    with transaction.atomic():
        Booking.objects.select_for_update().filter(pk=booking.pk).first()
        if Review.objects.filter(booking=booking, reviewer=reviewer).exists():
            raise Conflict("You have already reviewed this booking.", code="duplicate_review")
        review = Review.objects.create(
            booking=booking,
            reviewer=reviewer,
            reviewee=reviewee,
            listing=booking.listing,
            review_type=review_type,
            title=title[:100],
            comment=comment[:5000],
            **{field: value for field, value in ratings.items() if value is not None},
        )
        log_action(actor=reviewer, action=AuditLog.Action.CREATE, target=review, description="Review written")
        reviews = list(Review.objects.filter(booking=booking))
        if len(reviews) == 2:
            for each in reviews:
                publish_review(review=each)
            review.refresh_from_db()
    return review


def publish_due_reviews(*, now=None) -> int:
    """Publish the reviews whose booking's review window has closed (a beat task; safe to repeat)."""
    now = now or timezone.now()
    published = 0
    for review in Review.objects.filter(is_published=False, moderated_at__isnull=True).select_related("booking"):
        if now > _completed_at(review.booking) + REVIEW_WINDOW:
            publish_review(review=review)
            published += 1
    return published


def respond_to_review(*, review: Review, responder: User, response: str) -> Review:
    """The person reviewed may answer once, publicly, under a published review."""
    if review.reviewee_id != responder.pk:
        raise PermissionDenied("Only the person reviewed can respond.")
    response = (response or "").strip()
    if not response:
        raise InvalidInput("Write a response.", code="required", attr="response")
    with transaction.atomic():
        review = _locked(review)
        if not review.is_published:
            raise Conflict("You can respond once the review is published.", code="not_published")
        if review.response:
            raise Conflict("You have already responded to this review.", code="duplicate_response")
        review.response, review.response_date = response[:2000], timezone.now()
        review.save(update_fields=["response", "response_date", "updated_at"])
        log_action(actor=responder, action=AuditLog.Action.UPDATE, target=review, description="Review answered")
        listing_id = review.listing_id
        transaction.on_commit(lambda: cache.invalidate_listing(listing_id))
    return review


def report_review(*, review: Review, reporter: User, reason: str) -> Review:
    """Anyone signed in may flag a review for staff; the reason is kept (a later report adds to it). A new report
    on a published review that staff already looked at puts it back in their queue (who decided before stays in
    the audit log)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Tell us what is wrong with this review.", code="required", attr="reason")
    with transaction.atomic():
        review = _locked(review)
        entry = f"[{timezone.now():%Y-%m-%d %H:%M}] user {reporter.pk}: {reason[:500]}"
        review.is_reported = True
        review.report_reason = f"{review.report_reason}\n{entry}".strip()
        fields = ["is_reported", "report_reason", "updated_at"]
        if review.is_published and review.moderated_at is not None:
            review.moderated_at = review.moderated_by = None
            fields += ["moderated_at", "moderated_by"]
        review.save(update_fields=fields)
        log_action(actor=reporter, action=AuditLog.Action.MODERATE, target=review, description="Review reported")
    return review
