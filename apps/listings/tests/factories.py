"""Factories for listings, their spaces, photos and availability.

`ListingFactory` publishes through `create_listing`, so a listing made here has its time zone derived from its
point and one active space per `spaces_available`, like every listing in production.
"""

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.contrib.gis.geos import Point
from django.utils import timezone
from factory import fuzzy
from factory.django import DjangoModelFactory

from apps.listings.geo import time_zone_for_point
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto, ListingSpace
from apps.listings.services import create_listing
from apps.users.tests.factories import HostFactory

# (longitude, latitude) of city centres, for listings that must be in a given time zone.
AUSTIN = (-97.7431, 30.2672)  # America/Chicago
DENVER = (-104.9903, 39.7392)  # America/Denver
NEW_YORK = (-74.0060, 40.7128)  # America/New_York
PHOENIX = (-112.0740, 33.4484)  # America/Phoenix (no daylight saving)


def point(lng: float, lat: float) -> Point:
    return Point(lng, lat, srid=4326)


class ListingFactory(DjangoModelFactory):
    """A driveway somewhere in central Austin, open around the clock, instantly bookable, one space."""

    class Meta:
        model = Listing

    class Params:
        # About ±5 km around downtown Austin; pass `location=` (or `lng=`/`lat=`) for a fixed place.
        lng = fuzzy.FuzzyFloat(AUSTIN[0] - 0.05, AUSTIN[0] + 0.05)
        lat = fuzzy.FuzzyFloat(AUSTIN[1] - 0.05, AUSTIN[1] + 0.05)
        request_only = factory.Trait(instant_booking=False)
        inactive = factory.Trait(is_active=False)

    host = factory.SubFactory(HostFactory)
    location = factory.LazyAttribute(lambda o: point(o.lng, o.lat))
    title = factory.Faker("sentence", nb_words=4)
    description = factory.Faker("paragraph", nb_sentences=3)
    spot_type = Listing.SpotType.DRIVEWAY
    address = factory.Faker("street_address")
    city = "Austin"
    state = "TX"
    zip_code = "78701"
    price_per_hour = Decimal("4.00")
    price_per_day = Decimal("25.00")
    max_vehicle_size = Listing.VehicleSize.SUV
    spaces_available = 1
    features = factory.LazyFunction(lambda: ["well_lit"])
    access_instructions = "Enter from the alley; park on the left."
    gate_code = "4821"

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        listing = model_class(*args, **kwargs)
        listing.time_zone = time_zone_for_point(listing.location)
        return listing

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        is_active = kwargs.pop("is_active", True)
        listing = create_listing(host=kwargs.pop("host"), location=kwargs.pop("location"), **kwargs)
        if not is_active:
            # Publishing always makes an active listing; an inactive one is a published one switched off.
            Listing.objects.filter(pk=listing.pk).update(is_active=False)
            listing.is_active = False
        return listing


class ListingSpaceFactory(DjangoModelFactory):
    """An extra concrete space. Listings already get theirs from `create_listing`; this one is beyond
    `spaces_available`, for tests about spaces themselves."""

    class Meta:
        model = ListingSpace

    listing = factory.SubFactory(ListingFactory)
    label = factory.Sequence(lambda n: f"X{n}")
    is_active = True


class ListingPhotoFactory(DjangoModelFactory):
    class Meta:
        model = ListingPhoto

    listing = factory.SubFactory(ListingFactory)
    image = factory.django.ImageField(width=32, height=24, color="steelblue", format="PNG", filename="spot.png")
    thumbnail = factory.django.ImageField(width=16, height=12, color="steelblue", format="PNG", filename="thumb.png")
    caption = factory.Faker("sentence", nb_words=5)
    display_order = factory.Sequence(lambda n: n + 1)


class AvailabilityRuleFactory(DjangoModelFactory):
    """Open every day 08:00-18:00 (listing-local time) from today on."""

    class Meta:
        model = AvailabilityRule

    class Params:
        weekdays = factory.Trait(rule_type=AvailabilityRule.RuleType.WEEKLY, days_of_week=[0, 1, 2, 3, 4])
        closed = factory.Trait(is_available=False)

    listing = factory.SubFactory(ListingFactory)
    rule_type = AvailabilityRule.RuleType.DAILY
    start_date = factory.LazyFunction(lambda: timezone.localdate())
    end_date = None
    start_time = time(8, 0)
    end_time = time(18, 0)
    days_of_week = factory.LazyFunction(list)
    is_available = True
    max_bookings = 1
    price_override = None


class AvailabilityExceptionFactory(DjangoModelFactory):
    """A whole day closed, a different day for each one made."""

    class Meta:
        model = AvailabilityException

    class Params:
        hours = factory.Trait(start_time=time(9, 0), end_time=time(12, 0))

    listing = factory.SubFactory(ListingFactory)
    exception_date = factory.Sequence(lambda n: timezone.localdate() + timedelta(days=n + 1))
    start_time = None
    end_time = None
    is_available = False
    reason = "Closed for a family event"
