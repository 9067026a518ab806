"""GeoJSON and encoded polylines from clients, parsed by our own code into SRID 4326 geometries.

We never hand user-supplied WKT or spatial references to GDAL (Debian's GDAL 3.6 cannot sandbox them), and
every coordinate is range-checked, so a bad shape is a 400 naming the parameter, never a 500.
"""

import json
import math
from typing import Any

import polyline
from django.contrib.gis.geos import LineString, Point, Polygon

from apps.core.errors import InvalidInput

MAX_VERTICES = 2000


def _position(value: Any, attr: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise InvalidInput("Each position must be [longitude, latitude].", attr=attr)
    try:
        lng, lat = float(value[0]), float(value[1])
    except (TypeError, ValueError) as error:
        raise InvalidInput("Coordinates must be numbers.", attr=attr) from error
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise InvalidInput("Longitude must be within ±180 and latitude within ±90.", attr=attr)
    return lng, lat


def _load(value: Any, attr: str) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise InvalidInput("This is not valid JSON.", attr=attr) from error
    if not isinstance(value, dict):
        raise InvalidInput("Expected a GeoJSON object.", attr=attr)
    return value


def point_from_lat_lng(lat: Any, lng: Any, *, attr: str = "lat") -> Point:
    lng_value, lat_value = _position([lng, lat], attr)
    return Point(lng_value, lat_value, srid=4326)


def parse_point(value: Any, *, attr: str = "location") -> Point:
    data = _load(value, attr)
    if data.get("type") != "Point":
        raise InvalidInput('Expected {"type": "Point", "coordinates": [lng, lat]}.', attr=attr)
    lng, lat = _position(data.get("coordinates"), attr)
    return Point(lng, lat, srid=4326)


def parse_polygon(value: Any, *, attr: str = "within") -> Polygon:
    data = _load(value, attr)
    rings = data.get("coordinates")
    if data.get("type") != "Polygon" or not isinstance(rings, list) or not rings:
        raise InvalidInput("Expected a GeoJSON Polygon.", attr=attr)
    parsed = []
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4 or len(ring) > MAX_VERTICES:
            raise InvalidInput(f"Each ring needs 4 to {MAX_VERTICES} positions.", attr=attr)
        positions = [_position(position, attr) for position in ring]
        if positions[0] != positions[-1]:
            raise InvalidInput("A polygon ring must end where it starts.", attr=attr)
        parsed.append(positions)
    polygon = Polygon(*parsed, srid=4326)
    if not polygon.valid:
        raise InvalidInput(f"The polygon is not valid: {polygon.valid_reason}.", code="invalid_geometry", attr=attr)
    return polygon


def parse_linestring(value: Any, *, attr: str = "route") -> LineString:
    data = _load(value, attr)
    coordinates = data.get("coordinates")
    if data.get("type") != "LineString" or not isinstance(coordinates, list):
        raise InvalidInput("Expected a GeoJSON LineString.", attr=attr)
    return _line([_position(position, attr) for position in coordinates], attr)


def decode_polyline(value: str, *, attr: str = "polyline") -> LineString:
    try:
        positions = [(lng, lat) for lat, lng in polyline.decode(value)]
    except (ValueError, IndexError, TypeError) as error:
        raise InvalidInput("This is not a valid encoded polyline.", attr=attr) from error
    return _line([_position(position, attr) for position in positions], attr)


def _line(positions: list[tuple[float, float]], attr: str) -> LineString:
    if len(positions) < 2 or len(set(positions)) < 2:
        raise InvalidInput("A route needs at least two different points.", attr=attr)
    if len(positions) > MAX_VERTICES:
        raise InvalidInput(f"A route can have at most {MAX_VERTICES} points.", attr=attr)
    return LineString(positions, srid=4326)


def point_to_geojson(point: Point) -> dict:
    return {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]}
