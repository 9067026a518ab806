"""Factories for reviews of completed bookings."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.bookings.tests.factories import BookingFactory
from apps.reviews.models import Review


class ReviewFactory(DjangoModelFactory):
    """The guest's review of the host (G2H) after a completed booking; unpublished until `published=True`."""

    class Meta:
        model = Review

    class Params:
        host_to_guest = factory.Trait(
            reviewer=factory.SelfAttribute("booking.listing.host"),
            reviewee=factory.SelfAttribute("booking.guest"),
            review_type=Review.ReviewType.HOST_TO_GUEST,
        )
        published = factory.Trait(is_published=True, published_at=factory.LazyFunction(timezone.now))

    booking = factory.SubFactory(BookingFactory, completed=True)
    reviewer = factory.SelfAttribute("booking.guest")
    reviewee = factory.SelfAttribute("booking.listing.host")
    listing = factory.SelfAttribute("booking.listing")
    review_type = Review.ReviewType.GUEST_TO_HOST
    overall_rating = 5
    location_rating = 5
    value_rating = 4
    cleanliness_rating = 5
    communication_rating = 5
    title = "Easy and safe"
    comment = factory.Faker("paragraph", nb_sentences=2)
