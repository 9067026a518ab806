"""`GET /api/v1/listings`: every parameter of API.md, alone and combined, and its errors."""

import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.bookings.models import Booking

pytestmark = pytest.mark.django_db
AUSTIN = {"lat": 30.2672, "lng": -97.7431}


def search(api_client, **params):
    query = urlencode(params, doseq=True)
    return api_client.get(f"/api/v1/listings?{query}")


def window(days=3, hours=2, hour=10):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def book(listing, start, end, status=Booking.Status.CONFIRMED, space=None, guest=None):
    from django.contrib.auth import get_user_model

    guest = guest or get_user_model().objects.create_user(email=f"g{Booking.objects.count()}@example.com")
    return Booking.objects.create(
        guest=guest, listing=listing, space=space or listing.spaces.first(), start_datetime=start, end_datetime=end,
        duration_hours=Decimal("2"), vehicle_make="Honda", vehicle_model="Fit", vehicle_color="Red",
        vehicle_license_plate="ABC123", vehicle_state="TX", subtotal=Decimal("6.00"), service_fee=Decimal("0.60"),
        host_fee=Decimal("0.18"), host_payout=Decimal("5.82"), total_amount=Decimal("6.60"), status=status,
    )  # fmt: skip


def test_radius_search_is_nearest_first_with_distances(api_client, make_listing):
    far = make_listing(lng=-97.7431, lat=30.2852, title="Far")  # ~2 km north
    near = make_listing(lng=-97.7431, lat=30.2690, title="Near")  # ~200 m
    make_listing(lng=-97.9, lat=30.5, title="Out of range")
    response = search(api_client, **AUSTIN, radius_m=3000)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [near.pk, far.pk]
    assert 150 < body["results"][0]["distance_m"] < 250
    assert 1900 < body["results"][1]["distance_m"] < 2100
    assert "gate_code" not in body["results"][0] and "access_instructions" not in body["results"][0]
    assert body["results"][0]["location"] == {"type": "Point", "coordinates": [-97.7431, 30.269]}


def test_polygon_and_route_searches(api_client, make_listing):
    inside = make_listing(lng=-97.74, lat=30.27)
    make_listing(lng=-97.70, lat=30.30)
    ring = [[-97.75, 30.26], [-97.73, 30.26], [-97.73, 30.28], [-97.75, 30.28], [-97.75, 30.26]]
    square = {"type": "Polygon", "coordinates": [ring]}
    response = search(api_client, within=json.dumps(square))
    assert [row["id"] for row in response.json()["results"]] == [inside.pk]

    route = {"type": "LineString", "coordinates": [[-97.76, 30.27], [-97.72, 30.27]]}
    assert [row["id"] for row in search(api_client, route=json.dumps(route), route_buffer_m=300).json()["results"]] == [
        inside.pk
    ]
    import polyline

    encoded = polyline.encode([(30.27, -97.76), (30.27, -97.72)])
    assert [row["id"] for row in search(api_client, polyline=encoded).json()["results"]] == [inside.pk]


def test_window_search_excludes_taken_and_closed_listings_and_quotes_the_rest(api_client, make_listing):
    start, end = window()
    free = make_listing(title="Free")
    taken = make_listing(title="Taken")
    book(taken, start - timedelta(hours=1), start + timedelta(hours=1))
    lot = make_listing(title="Lot", spaces_available=2)
    book(lot, start, end)  # one of two spaces left
    make_listing(title="Closed at night", available_start_time="11:00", available_end_time="12:00")
    response = search(api_client, **AUSTIN, start=start.isoformat(), end=end.isoformat())
    body = response.json()
    assert {row["title"] for row in body["results"]} == {"Free", "Lot"}
    assert all(row["quote_total"] == "6.60" for row in body["results"])
    assert free.pk in {row["id"] for row in body["results"]}


def test_filters_combine(api_client, make_listing):
    make_listing(title="Small", max_vehicle_size="COMPACT", features=["covered"])
    suv = make_listing(
        title="SUV garage",
        spot_type="GARAGE",
        max_vehicle_size="SUV",
        features=["covered", "gated"],
        instant_booking=False,
    )
    make_listing(title="Pricey", max_vehicle_size="OVERSIZED", price_per_day=Decimal("90.00"))
    ids = lambda **params: [row["id"] for row in search(api_client, **AUSTIN, **params).json()["results"]]  # noqa: E731
    assert ids(vehicle_size="SEDAN", features="covered,gated") == [suv.pk]
    assert ids(spot_type=["GARAGE", "LOT"]) == [suv.pk]
    assert ids(instant_booking="false") == [suv.pk]
    assert len(ids(price_max="50")) == 2


def test_full_text_and_sorts(api_client, make_listing):
    make_listing(title="Covered garage by the stadium", description="Game day parking", price_per_day=Decimal("30.00"))
    make_listing(title="Driveway", description="Quiet street near the stadium", price_per_day=Decimal("10.00"))
    make_listing(title="Lot", description="Downtown", price_per_day=Decimal("15.00"))
    by_relevance = search(api_client, q="stadium garage").json()["results"]
    assert by_relevance[0]["title"] == "Covered garage by the stadium"
    by_price = search(api_client, **AUSTIN, sort="price").json()["results"]
    assert [row["price_per_day"] for row in by_price] == ["10.00", "15.00", "30.00"]


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"lat": "91", "lng": "0"}, "lat"),
        ({"lat": "30", "lng": "-181"}, "lng"),
        ({"lat": "30"}, "lng"),
        ({"lat": "abc", "lng": "1"}, "lat"),
        ({"lat": "30", "lng": "-97", "radius_m": "50001"}, "radius_m"),
        ({"within": '{"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}'}, "within"),
        ({"within": "not json"}, "within"),
        ({"route": '{"type": "LineString", "coordinates": [[0,0]]}'}, "route"),
        ({"polyline": "!!"}, "polyline"),
        ({"start": "2026-12-01T10:00:00Z", "end": "2026-12-01T09:00:00Z"}, "end"),
        ({"start": "2026-12-01T10:00:00"}, "start"),
        ({"vehicle_size": "TANK"}, "vehicle_size"),
        ({"spot_type": "CASTLE"}, "spot_type"),
        ({"features": "moat"}, "features"),
        ({"sort": "random"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"page_size": "101"}, "page_size"),
        ({"min_rating": "6"}, "min_rating"),
        ({"price_max": "cheap"}, "price_max"),
    ],
)
def test_bad_parameters_answer_400_naming_them(api_client, params, attr):
    response = search(api_client, **params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.parametrize("with_window", [False, True])
def test_query_count_does_not_grow_with_page_size(api_client, make_listing, with_window):
    for number in range(12):
        make_listing(lng=-97.7431 + number * 0.001, title=f"Spot {number}")
    start, end = window()
    params = {**AUSTIN, "radius_m": 5000} | (
        {"start": start.isoformat(), "end": end.isoformat()} if with_window else {}
    )
    counts = []
    for page_size in (1, 10):
        with CaptureQueriesContext(connection) as queries:
            assert search(api_client, page_size=page_size, **params).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.owner_role  # ANALYZE needs the tables' owner
def test_radius_and_nearest_first_use_the_geography_gist_index(host):
    from django.contrib.gis.geos import Point

    from apps.listings.models import Listing
    from apps.search.selectors import SearchParams, page_statement

    # Enough listings spread over a region that a 2 km radius picks a few: the shape of a real table.
    Listing.objects.bulk_create(
        Listing(
            host=host,
            title=f"Spot {number}",
            description="x",
            spot_type="LOT",
            address="x",
            city="Austin",
            state="TX",
            zip_code="78701",
            time_zone="America/Chicago",
            price_per_day=Decimal("10.00"),
            location=Point(-98.5 + (number % 60) * 0.03, 29.5 + (number // 60) * 0.03, srid=4326),
        )
        for number in range(3000)
    )
    params = SearchParams(point=Point(-97.7431, 30.2672, srid=4326), radius_m=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings, users")
    statement = page_statement(params, offset=0, limit=20)  # a page, as the API asks for
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {statement.sql}", statement.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "idx_listings_location_geog" in plan, plan
