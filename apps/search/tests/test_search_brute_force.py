"""Search results equal a brute-force computation: haversine distances over every listing and interval overlap
checked in Python, over a few thousand random listings and bookings, on daylight-saving days and ordinary ones, and
with lots that hold several cars."""

import math
import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection

from apps.bookings.models import Booking
from apps.listings.models import Listing, ListingSpace
from apps.search.selectors import SearchParams, search_listings

User = get_user_model()
EARTH_RADIUS_M = 6_371_008.8
# Places near the edges of the contiguous US and beyond, each with its own time zone.
CENTERS = [
    ("America/New_York", -80.1918, 25.7617),  # Miami
    ("America/Chicago", -97.7431, 30.2672),  # Austin
    ("America/Los_Angeles", -124.1637, 40.8021),  # Eureka, CA (west coast edge)
    ("America/New_York", -67.0, 44.9),  # Eastport, Maine (east edge)
    ("America/Anchorage", -149.9003, 61.2181),  # Anchorage
]
SPRING_FORWARD = datetime(2027, 3, 14, tzinfo=UTC)
FALL_BACK = datetime(2027, 11, 7, tzinfo=UTC)
# Days without a clock change, a weekday and a Sunday: there the database decides operating hours itself.
ORDINARY_DAYS = [datetime(2027, 6, 9, tzinfo=UTC), datetime(2027, 6, 13, tzinfo=UTC)]


def haversine_m(lng1, lat1, lng2, lat2) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@pytest.fixture
def world(db):
    rng = random.Random(20261125)
    host = User.objects.create_user(email="host@example.com", user_type="HOST", is_email_verified=True)
    guest = User.objects.create_user(email="guest@example.com")
    listings = []
    for number in range(3000):
        zone, lng, lat = CENTERS[number % len(CENTERS)]
        # Uniform in a disc of ~8 km around the center.
        distance, bearing = 8000 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        d_lat = distance * math.cos(bearing) / 111_320
        d_lng = distance * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
        hours = rng.choice([(time(0), time(23, 59))] * 3 + [(time(6), time(22)), (time(8), time(18))])
        days = rng.choice([[0, 1, 2, 3, 4, 5, 6]] * 3 + [[0, 1, 2, 3, 4], [5, 6]])
        listings.append(
            Listing(
                host=host,
                title=f"Spot {number}",
                description="Random",
                spot_type="LOT",
                address="x",
                city="x",
                state="XX",
                zip_code="00000",
                location=Point(lng + d_lng, lat + d_lat, srid=4326),
                time_zone=zone,
                price_per_hour=Decimal(rng.randint(2, 8)),
                price_per_day=Decimal(rng.randint(15, 40)),
                spaces_available=rng.choice([1, 1, 1, 2, 3]),
                minimum_hours=rng.choice([1, 1, 2]),
                maximum_days=rng.choice([1, 7, 30]),
                available_start_time=hours[0],
                available_end_time=hours[1],
                available_days=days,
            )
        )
    listings = Listing.objects.bulk_create(listings)
    spaces = ListingSpace.objects.bulk_create(
        ListingSpace(listing=listing, label=str(n + 1)) for listing in listings for n in range(listing.spaces_available)
    )
    bookings = []
    for space in spaces:
        cursor = rng.choice([SPRING_FORWARD, FALL_BACK, *ORDINARY_DAYS]) - timedelta(hours=rng.randint(0, 30))
        for _ in range(rng.randint(0, 3)):
            cursor += timedelta(minutes=15 * rng.randint(0, 40))
            end = cursor + timedelta(minutes=15 * rng.randint(2, 60))
            status = rng.choice(["CONFIRMED", "CONFIRMED", "PENDING", "IN_PROGRESS", "CANCELLED", "COMPLETED"])
            bookings.append(
                Booking(
                    guest=guest,
                    listing_id=space.listing_id,
                    space=space,
                    start_datetime=cursor,
                    end_datetime=end,
                    duration_hours=Decimal("1"),
                    vehicle_make="x",
                    vehicle_model="x",
                    vehicle_color="x",
                    vehicle_license_plate="x",
                    vehicle_state="TX",
                    subtotal=Decimal("1"),
                    service_fee=Decimal("0"),
                    host_payout=Decimal("1"),
                    total_amount=Decimal("1"),
                    status=status,
                )
            )
            cursor = end
    Booking.objects.bulk_create(bookings)
    with connection.cursor() as cursor:
        # Fresh statistics, as a live database has them; without them the planner guesses the tables are empty.
        cursor.execute("ANALYZE listings, listing_spaces, bookings")
    return {
        "listings": {listing.pk: listing for listing in listings},
        "spaces": spaces,
        "bookings": [booking for booking in bookings if booking.status in Booking.ACTIVE_STATUSES],
    }


def brute_force_bookable(listing, spaces, bookings, start, end) -> bool:
    hours = (end - start).total_seconds() / 3600
    if hours < listing.minimum_hours or hours > listing.maximum_days * 24:
        return False
    zone = ZoneInfo(listing.time_zone)
    closing = time(23, 59, 59, 999999) if listing.available_end_time == time(23, 59) else listing.available_end_time
    moment = start
    while moment < end:  # windows and hours are on 15-minute boundaries, so sampling them is exact
        local = moment.astimezone(zone)
        if local.weekday() not in listing.available_days:
            return False
        if not (listing.available_start_time <= local.time() < closing):
            return False
        moment += timedelta(minutes=15)
    return any(
        not any(b.space_id == space.pk and b.start_datetime < end and start < b.end_datetime for b in bookings)
        for space in spaces
    )


@pytest.mark.slow
@pytest.mark.owner_role  # ANALYZE needs the tables' owner
def test_radius_and_window_search_equals_brute_force(world):
    rng = random.Random(7)
    spaces_by_listing = {}
    for space in world["spaces"]:
        spaces_by_listing.setdefault(space.listing_id, []).append(space)
    for trial in range(32):
        _, lng, lat = CENTERS[trial % len(CENTERS)]
        center = (lng + rng.uniform(-0.03, 0.03), lat + rng.uniform(-0.03, 0.03))
        radius = rng.choice([500, 1500, 4000])
        params = SearchParams(point=Point(*center, srid=4326), radius_m=radius)
        if trial % 2:
            day = rng.choice([SPRING_FORWARD, FALL_BACK, *ORDINARY_DAYS])
            params.start = day + timedelta(minutes=15 * rng.randint(0, 120))
            params.end = params.start + timedelta(minutes=15 * rng.randint(4, 100))
        result = search_listings(params, offset=0, limit=100_000)
        found = {hit.listing.pk for hit in result.hits}

        expected, ambiguous = set(), set()
        for listing in world["listings"].values():
            distance = haversine_m(*center, listing.location.x, listing.location.y)
            if abs(distance - radius) < radius * 0.0005:  # float rounding: too close to the edge to call
                ambiguous.add(listing.pk)
                continue
            if distance > radius:
                continue
            if params.has_window and not brute_force_bookable(
                listing, spaces_by_listing[listing.pk], world["bookings"], params.start, params.end
            ):
                continue
            expected.add(listing.pk)
        assert found - ambiguous == expected, f"trial {trial}"
        assert result.count == len(result.hits)
        distances = [hit.distance_m for hit in result.hits]
        assert distances == sorted(distances)
        for hit in result.hits:
            true = haversine_m(*center, hit.listing.location.x, hit.listing.location.y)
            assert abs(hit.distance_m - true) <= max(true * 0.0005, 0.5)
