"""Facts about a point on the map that the listing domain needs: its IANA time zone."""

from functools import lru_cache

from django.contrib.gis.geos import Point
from timezonefinder import TimezoneFinder


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    # Loading the zone polygons takes a moment: do it once per process.
    return TimezoneFinder(in_memory=True)


def time_zone_for_point(point: Point) -> str:
    """The IANA time zone at `point` (lng/lat, SRID 4326); open sea gives the nautical `Etc/GMT±N` zone."""
    return _finder().timezone_at(lng=point.x, lat=point.y) or "UTC"
