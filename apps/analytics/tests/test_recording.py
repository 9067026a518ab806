"""Views and searches are recorded once per visitor per minute, never for bots, and never for the host's own look."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from apps.analytics.models import ListingView, SearchQuery
from apps.listings.services import create_listing

User = get_user_model()
pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


@pytest.fixture
def listing():
    host = User.objects.create_user(email="h@example.com", password="x", user_type="HOST", is_email_verified=True)
    return create_listing(
        host=host, location=Point(-97.74, 30.27, srid=4326), title="Spot", description="Nice", spot_type="LOT",
        address="1 Main", city="Austin", state="TX", zip_code="78701", price_per_day=Decimal("10.00"),
    )  # fmt: skip


def test_a_view_is_recorded_once_per_visitor_per_minute(listing, django_capture_on_commit_callbacks):
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            client.get(f"/api/v1/listings/{listing.pk}?utm_source=newsletter", HTTP_USER_AGENT=BROWSER)
        APIClient().get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT=BROWSER + " other", REMOTE_ADDR="10.1.1.1")
    assert ListingView.objects.count() == 2
    assert ListingView.objects.filter(utm_source="newsletter").count() == 1


def test_bots_and_the_host_are_not_counted(listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        APIClient().get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT="Googlebot/2.1")
        host = APIClient()
        host.force_authenticate(listing.host)
        host.get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT=BROWSER)
    assert ListingView.objects.count() == 0


def test_a_search_records_its_filters_point_and_result_count(listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            APIClient().get(
                "/api/v1/listings",
                {"lat": 30.27, "lng": -97.74, "radius_m": 2000, "features": "", "q": ""},
                HTTP_USER_AGENT=BROWSER,
            )
    [query] = SearchQuery.objects.all()
    assert query.results_count == 1 and query.result_listing_ids == [listing.pk]
    assert query.radius_m == 2000 and round(query.location.y, 2) == 30.27
