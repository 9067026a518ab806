"""Two-sided reviews of a completed booking: guest to host (G2H) and host to guest (H2G)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
RATING_FIELDS = ("overall_rating", "location_rating", "value_rating", "cleanliness_rating", "communication_rating")


class Review(models.Model):
    class ReviewType(models.TextChoices):
        GUEST_TO_HOST = "G2H", "Guest to host"
        HOST_TO_GUEST = "H2G", "Host to guest"

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_given")
    reviewee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_received")
    # Denormalised from the booking so that a listing's reviews are one indexed read.
    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="reviews")
    review_type = models.CharField(max_length=3, choices=ReviewType.choices)

    overall_rating = models.IntegerField(validators=RATING_VALIDATORS)
    location_rating = models.IntegerField(validators=RATING_VALIDATORS, null=True, blank=True)
    value_rating = models.IntegerField(validators=RATING_VALIDATORS, null=True, blank=True)
    cleanliness_rating = models.IntegerField(validators=RATING_VALIDATORS, null=True, blank=True)
    communication_rating = models.IntegerField(validators=RATING_VALIDATORS, null=True, blank=True)

    title = models.CharField(max_length=100, blank=True)
    comment = models.TextField()

    response = models.TextField(blank=True)
    response_date = models.DateTimeField(null=True, blank=True)

    # Hidden until both sides have written theirs or the review window has closed.
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    is_reported = models.BooleanField(default=False)
    report_reason = models.TextField(blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderated_reviews",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "reviews"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["overall_rating"], name="reviews_overall_rating_idx"),
            models.Index(fields=["is_published"], name="reviews_is_published_idx"),
            models.Index(
                fields=["listing", "-created_at"],
                condition=models.Q(is_published=True, review_type="G2H"),
                name="reviews_listing_published_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["booking", "reviewer"], name="unique_review_per_booking_reviewer"),
            models.UniqueConstraint(fields=["booking", "review_type"], name="unique_review_per_booking_side"),
            models.CheckConstraint(condition=~models.Q(reviewer=models.F("reviewee")), name="reviews_not_of_oneself"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__isnull": True})
                    | models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"reviews_{field}_range",
                )
                for field in RATING_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.review_type} review of booking {self.booking_id}: {self.overall_rating}/5"
