"""A window search nearest first asks the database for the KNN order alone (so the GiST scan can stop early) and
orders listings at the very same point by id itself: the order the API promises is unchanged."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.utils import timezone

from apps.listings.services import create_listing
from apps.search.selectors import SearchParams, candidates_statement, search_listing_rows, search_listings


def test_ties_at_one_point_come_by_id_and_nearer_ones_first(host, make_listing):
    farther = create_listing(
        host=host,
        location=Point(-97.7300, 30.2590, srid=4326),
        title="Farther",
        description="Driveway",
        spot_type="DRIVEWAY",
        address="1 Far St",
        city="Austin",
        state="TX",
        zip_code="78701",
        price_per_hour=Decimal("5.00"),
        price_per_day=Decimal("30.00"),
    )
    same_point = [make_listing(title=f"Twin {number}") for number in range(4)]
    start = (timezone.now() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    params = SearchParams(point=same_point[0].location, radius_m=5000, start=start, end=start + timedelta(hours=2))
    result = search_listings(params, offset=0, limit=10)
    assert [hit.listing.pk for hit in result.hits] == [*sorted(twin.pk for twin in same_point), farther.pk]


def test_the_candidates_are_ordered_by_the_knn_distance_alone(make_listing):
    make_listing()
    start = timezone.now() + timedelta(days=2)
    params = SearchParams(
        point=Point(-97.7385, 30.2590, srid=4326), radius_m=5000, start=start, end=start + timedelta(hours=2)
    )
    assert candidates_statement(params).sql.endswith("ORDER BY knn_m LIMIT %s")
    params.sort = "price"
    assert candidates_statement(params).sql.endswith('ORDER BY "listings"."price_per_day", "listings"."id" LIMIT %s')


def test_a_window_search_checks_at_most_the_cap_of_nearest_candidates_and_says_so(make_listing, monkeypatch, client):
    monkeypatch.setattr("apps.search.selectors.MAX_WINDOW_CANDIDATES", 3)
    nearest_first = [make_listing(title=f"Spot {index}", lng=-97.7431 + index * 0.001) for index in range(5)]
    start = (timezone.now() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    params = SearchParams(
        point=Point(-97.7431, 30.2672, srid=4326), radius_m=5000, start=start, end=start + timedelta(hours=2)
    )
    result = search_listings(params, offset=0, limit=10)
    assert (result.count, result.capped) == (3, True)
    assert [hit.listing.pk for hit in result.hits] == [listing.pk for listing in nearest_first[:3]]
    rows = search_listing_rows(params, offset=2, limit=10)
    assert (rows.count, rows.capped, [row.values["id"] for row in rows.rows]) == (3, True, [nearest_first[2].pk])

    params.radius_m = 150  # the two nearest only: fewer than the cap, the whole answer
    result = search_listings(params, offset=0, limit=10)
    assert (result.count, result.capped) == (2, False)
    assert search_listings(SearchParams(point=params.point, radius_m=5000), offset=0, limit=10).count == 5

    # The API says so in a header (its list envelope is the same for every list).
    query = {
        "lat": 30.2672,
        "lng": -97.7431,
        "radius_m": 5000,
        "start": start.isoformat(),
        "end": params.end.isoformat(),
    }
    response = client.get("/api/v1/listings", query)
    assert (response.status_code, response.json()["count"], response["X-Count-Capped"]) == (200, 3, "true")
    response = client.get("/api/v1/listings", {**query, "radius_m": 150})
    assert (response.json()["count"], response["X-Count-Capped"]) == (2, "false")
    assert client.get("/api/v1/listings", {"lat": 30.2672, "lng": -97.7431})["X-Count-Capped"] == "false"
