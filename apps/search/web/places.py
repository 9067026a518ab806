"""Where a seeker searches, for the web pages: an address or ZIP placed on the map by the project's geocoder, the
visible map area as a box, and the time zone of the place (the times people type are local there).

A place found is remembered for a day (one not found for ten minutes), so that moving the map or changing a filter,
which repeats the search with the same words, does not ask a paying or rate-limited geocoder again.
"""

import hashlib
import math
import re
from dataclasses import dataclass

from django.contrib.gis.geos import Point, Polygon
from django.core.cache import cache

from apps.core.errors import InvalidInput
from apps.listings.geo import time_zone_for_point
from apps.listings.geocoding import Address, GeocodingError, geocode

FOUND_SECONDS = 24 * 3600
NOT_FOUND_SECONDS = 10 * 60
EARTH_RADIUS_M = 6_371_008.8  # the mean radius PostGIS's sphere uses, the measure search distances are in
MAX_LATITUDE = 85.0  # web maps stop here

# A ZIP is the number at the end ("Austin, TX 78701", "78701-1234"); a house number at the start is not one.
ZIP_PATTERN = re.compile(r"\b(\d{5})(?:-\d{4})?\s*(?:,?\s*(?:USA|US|United States))?\s*$", re.IGNORECASE)
CITY_STATE_PATTERN = re.compile(r"^(?P<city>.*\S)\s+(?P<state>[A-Za-z]{2})$")
US_STATES = frozenset(
    ("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
     "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
     "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY")
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    point: Point
    label: str

    @property
    def time_zone(self) -> str:
        return time_zone_for_point(self.point)


class PlaceNotFound(Exception):
    """The words could not be placed on the map."""


def address_from_text(text: str) -> Address:
    """One line as people type it ("78701", "Austin, TX", "100 Congress Ave, Austin, TX 78701") as an Address."""
    text = " ".join(text.split())
    zip_match = ZIP_PATTERN.search(text)
    zip_code = zip_match.group(1) if zip_match else ""
    rest = text[: zip_match.start()] + text[zip_match.end() :] if zip_match else text
    parts = [part.strip() for part in rest.split(",") if part.strip()]
    street = city = state = ""
    if parts and parts[-1].upper() in US_STATES:
        state = parts.pop().upper()
    elif parts and (match := CITY_STATE_PATTERN.match(parts[-1])) and match["state"].upper() in US_STATES:
        city, state = match["city"], match["state"].upper()
        parts.pop()
    if parts and not city and (len(parts) > 1 or not any(char.isdigit() for char in parts[-1])):
        city = parts.pop()
    street = ", ".join(parts)
    return Address(street=street, city=city, state=state, zip_code=zip_code)


def _cache_key(text: str) -> str:
    normalised = " ".join(text.lower().split())
    return "search:place:v1:" + hashlib.sha256(normalised.encode()).hexdigest()


def locate(text: str) -> Place:
    """The point the words name, from the configured geocoder (remembered); raises PlaceNotFound."""
    key = _cache_key(text)
    cached = cache.get(key)
    if cached is None:
        try:
            point = geocode(address_from_text(text))
        except GeocodingError:
            cached = ""
            cache.set(key, cached, timeout=NOT_FOUND_SECONDS)
        else:
            cached = f"{point.x:.6f},{point.y:.6f}"
            cache.set(key, cached, timeout=FOUND_SECONDS)
    if not cached:
        raise PlaceNotFound(text)
    lng, lat = (float(value) for value in cached.split(","))
    return Place(Point(lng, lat, srid=4326), text)


def parse_bbox(value: str) -> Polygon:
    """`west,south,east,north` in degrees (what the map sends) as a polygon; anything else is InvalidInput."""
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError as error:
        raise InvalidInput("The map area is not valid.", attr="bbox") from error
    numbers = (west, south, east, north)
    if not all(math.isfinite(number) for number in numbers):
        raise InvalidInput("The map area is not valid.", attr="bbox")
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -MAX_LATITUDE), min(north, MAX_LATITUDE)
    if west >= east or south >= north:
        raise InvalidInput("The map area is not valid.", attr="bbox")
    return Polygon.from_bbox((west, south, east, north))


def distance_m(a: Point, b: Point) -> float:
    """Metres on the sphere between two lng/lat points (haversine)."""
    lat1, lat2 = math.radians(a.y), math.radians(b.y)
    half_chord = (
        math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b.x - a.x) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(half_chord)))


def covering_radius_m(centre: Point, area: Polygon) -> int:
    """A radius around `centre` that reaches every corner of the box `area`, so the radius filter keeps all of it."""
    west, south, east, north = area.extent
    corners = [Point(x, y, srid=4326) for x in (west, east) for y in (south, north)]
    return math.ceil(max(distance_m(centre, corner) for corner in corners)) + 1


def box_around(centre: Point, radius_m: float) -> tuple[float, float, float, float]:
    """The `west, south, east, north` box enclosing the circle of `radius_m` around `centre` (to frame a map)."""
    lat_delta = math.degrees(radius_m / EARTH_RADIUS_M)
    lng_delta = lat_delta / max(math.cos(math.radians(centre.y)), 0.01)
    return (
        max(centre.x - lng_delta, -180.0),
        max(centre.y - lat_delta, -MAX_LATITUDE),
        min(centre.x + lng_delta, 180.0),
        min(centre.y + lat_delta, MAX_LATITUDE),
    )
