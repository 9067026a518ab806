"""Factories for the append-only analytics records: listing views and searches."""

from datetime import timedelta

import factory
from django.contrib.gis.geos import Point
from django.utils import timezone
from factory import fuzzy
from factory.django import DjangoModelFactory

from apps.analytics.models import ListingView, SearchQuery
from apps.listings.tests.factories import AUSTIN, ListingFactory

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


class ListingViewFactory(DjangoModelFactory):
    """An anonymous visitor's look at a listing, arriving from a newsletter."""

    class Meta:
        model = ListingView

    listing = factory.SubFactory(ListingFactory)
    user = None
    session_id = factory.Sequence(lambda n: f"session{n:08d}")
    ip_address = factory.Faker("ipv4_public")
    user_agent = BROWSER
    referrer_url = "https://news.example.com/parking"
    utm_source = "newsletter"
    utm_medium = "email"
    utm_campaign = "spring"
    country = "US"
    city = "Austin"


class SearchQueryFactory(DjangoModelFactory):
    """A search within 2 km of a point near downtown Austin for a two-hour window tomorrow."""

    class Meta:
        model = SearchQuery

    class Params:
        lng = fuzzy.FuzzyFloat(AUSTIN[0] - 0.02, AUSTIN[0] + 0.02)
        lat = fuzzy.FuzzyFloat(AUSTIN[1] - 0.02, AUSTIN[1] + 0.02)

    user = None
    session_id = factory.Sequence(lambda n: f"session{n:08d}")
    query_text = "covered"
    location = factory.LazyAttribute(lambda o: Point(o.lng, o.lat, srid=4326))
    location_text = "Downtown Austin, TX"
    radius_m = 2000
    start_datetime = factory.LazyFunction(
        lambda: timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    )
    end_datetime = factory.LazyAttribute(lambda o: o.start_datetime + timedelta(hours=2))
    spot_types = factory.LazyFunction(lambda: ["GARAGE", "COVERED"])
    filters = factory.LazyFunction(lambda: {"features": ["covered"]})
    results_count = 0
    result_listing_ids = factory.LazyFunction(list)
    clicked_listing_id = None
