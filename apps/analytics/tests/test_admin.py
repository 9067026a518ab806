"""Views and searches are append-only records: read-only pages, a map for where people searched."""

import pytest
from django.contrib.gis.geos import Point

from apps.analytics.models import ListingView, SearchQuery
from apps.listings.tests.test_admin import admin_url, new_listing, new_user, queries_of

pytestmark = pytest.mark.django_db


def test_listing_view_pages_open_read_only(admin_client):
    view = ListingView.objects.create(listing=new_listing(), user=new_user(), session_id="s1", country="US")

    assert admin_client.get(admin_url(ListingView, "changelist")).status_code == 200
    assert admin_client.get(admin_url(ListingView, "change", view.pk)).status_code == 200
    assert admin_client.get(admin_url(ListingView, "add")).status_code == 403


def test_search_query_pages_open_with_a_map(admin_client):
    query = SearchQuery.objects.create(
        session_id="s1",
        query_text="covered",
        location=Point(-97.7431, 30.2672, srid=4326),
        radius_m=1609,
        filters={"vehicle_size": "SUV"},
        results_count=3,
    )

    assert admin_client.get(admin_url(SearchQuery, "changelist")).status_code == 200
    response = admin_client.get(admin_url(SearchQuery, "change", query.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_location_map-map"' in page
    assert "leaflet/leaflet.js" in page
    assert admin_client.get(admin_url(SearchQuery, "add")).status_code == 403


def test_a_search_without_a_point_has_no_map(admin_client):
    query = SearchQuery.objects.create(session_id="s1", query_text="garage")

    assert admin_client.get(admin_url(SearchQuery, "change", query.pk)).status_code == 200


def test_the_view_list_costs_the_same_for_one_row_or_many(admin_client, django_assert_max_num_queries):
    listing = new_listing()
    ListingView.objects.create(listing=listing, user=new_user(), session_id="s0")
    url = admin_url(ListingView, "changelist")
    one_row = queries_of(admin_client, url)
    for number in range(5):
        ListingView.objects.create(listing=new_listing(), user=new_user(), session_id=f"s{number}")

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200
