"""The search's hand-written cards, made from rows without model instances, say exactly what SearchResultSerializer
says of the same search's model instances, field for field and in its order."""

from datetime import time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.utils import timezone

from apps.listings.models import ListingPhoto
from apps.search.api.serializers import SearchResultSerializer, search_cards
from apps.search.selectors import SearchParams, search_listing_rows, search_listings


def _instances(params: SearchParams) -> list:
    """The listings of the search as model instances, with what the serializer reads of the search."""
    listings = []
    for hit in search_listings(params, offset=0, limit=20).hits:
        hit.listing.quote_total = hit.quote.total_amount if hit.quote else None
        hit.listing.distance_m = round(hit.distance_m, 1) if hit.distance_m is not None else None
        listings.append(hit.listing)
    return listings


@pytest.mark.django_db
@pytest.mark.parametrize("with_request", [True, False])
@pytest.mark.parametrize("with_window", [True, False])
def test_cards_equal_the_serializers_output(make_listing, with_request, with_window):
    plain = make_listing(title="Plain")
    detailed = make_listing(
        title="Detailed",
        lng=-97.7421,
        price_per_week=Decimal("99.50"),
        price_per_month=None,
        width=Decimal("2.5"),
        height_clearance=Decimal("2.1"),
        features=["covered", "ev_charging"],
        available_days=[0, 1, 2, 3, 4],
        available_start_time=time(0),
        available_end_time=time(23, 59),
        spot_type="GARAGE",
        cancellation_policy="STRICT",
    )
    ListingPhoto.objects.create(listing=detailed, image="listings/front.jpg", thumbnail="listings/front_t.jpg")
    ListingPhoto.objects.create(listing=detailed, image="listings/side.jpg", caption="Side", display_order=1)
    start = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    while start.astimezone(ZoneInfo(detailed.time_zone)).weekday() not in detailed.available_days:
        start += timedelta(days=1)  # a weekday where the listing is: run on a weekend, the window fell on one
    window = {"start": start, "end": start + timedelta(hours=3)} if with_window else {}
    params = SearchParams(point=plain.location, radius_m=2000, **window)
    request = RequestFactory().get("/api/v1/listings", secure=True) if with_request else None

    expected = SearchResultSerializer(_instances(params), many=True, context={"request": request}).data
    cards = search_cards(search_listing_rows(params, offset=0, limit=20).rows, request)

    assert [card["title"] for card in cards] == ["Plain", "Detailed"]
    assert cards == expected
    assert [list(card) for card in cards] == [list(row) for row in expected]
    photos = cards[1]["photos"]
    assert [photo["thumbnail"] is None for photo in photos] == [False, True]
    assert photos[0]["image"].startswith("https://testserver/" if with_request else "/")
    assert (cards[0]["quote_total"] is not None) == with_window


@pytest.mark.django_db
def test_a_page_of_results_loads_only_what_its_cards_show(make_listing, django_assert_num_queries):
    listing = make_listing(gate_code="4321", access_instructions="Behind the blue door")
    params = SearchParams(point=listing.location, radius_m=2000)

    (found,) = _instances(params)
    assert {"gate_code", "access_instructions", "search_vector"} <= found.get_deferred_fields()
    assert {"password", "email", "phone_number", "driver_license_number"} <= found.host.get_deferred_fields()

    with django_assert_num_queries(3):  # page and total, the page's listings with their hosts, their photos
        (row,) = search_listing_rows(params, offset=0, limit=20).rows
    assert not {"gate_code", "access_instructions", "search_vector", "host_email", "email"} & set(row.values)
    with django_assert_num_queries(0):
        search_cards([row], None)  # everything a card shows is loaded


@pytest.mark.django_db
def test_the_page_and_its_total_come_from_one_scan(make_listing, django_assert_num_queries):
    listings = [make_listing(lng=-97.7431 + number * 0.001, title=f"Spot {number}") for number in range(5)]
    params = SearchParams(point=listings[0].location, radius_m=5000)

    with django_assert_num_queries(3):  # page and total, the page's listings, their photos
        result = search_listings(params, offset=2, limit=2)
    assert result.count == 5
    assert [hit.listing.title for hit in result.hits] == ["Spot 2", "Spot 3"]

    with django_assert_num_queries(2):  # past the end no row carries the total: it is counted apart
        beyond = search_listings(params, offset=10, limit=2)
    assert (beyond.count, beyond.hits) == (5, [])
    nowhere = SearchParams(point=listings[0].location, radius_m=5000, q="nothing like it")
    with django_assert_num_queries(1):  # an empty first page: the total is 0 without counting
        assert search_listings(nowhere, offset=0, limit=2).count == 0
    with django_assert_num_queries(1):  # nor any listing or photo to load
        assert search_listing_rows(nowhere, offset=0, limit=2).rows == []
