"""The offline default: the centroid of the address's US ZIP code, from the `zipcodes` package's gazetteer.

Good to a few hundred metres in a city, which is enough to show a listing on the map; the host can drag the pin
to the exact spot (a `location` given with the listing always wins over geocoding).
"""

from collections import defaultdict
from functools import lru_cache
from statistics import median

import zipcodes
from django.contrib.gis.geos import Point

from apps.listings.geocoding.base import Address, GeocodingError


@lru_cache(maxsize=1)
def _city_index() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(city, state) in lower case -> the centroids of its active ZIP codes (built once, ~40,000 entries)."""
    index: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for place in zipcodes.list_all():
        if place.get("active") and place.get("lat") and place.get("long"):
            index[(place["city"].lower(), place["state"].lower())].append((float(place["long"]), float(place["lat"])))
    return dict(index)


class ZipCentroidGeocoder:
    """The ZIP code's centroid; without a ZIP code, the middle of the city's ZIP codes ("Austin, TX")."""

    def geocode(self, address: Address) -> Point:
        code = (address.zip_code or "").strip()[:5]
        if not code and address.city and address.state:
            return self._city(address)
        try:
            matches = zipcodes.matching(code) if code else []
        except (TypeError, ValueError) as error:
            raise GeocodingError(f"{address.zip_code!r} is not a US ZIP code.") from error
        if not matches:
            raise GeocodingError(f"No US ZIP code {address.zip_code!r} is known.")
        place = matches[0]
        return Point(float(place["long"]), float(place["lat"]), srid=4326)

    @staticmethod
    def _city(address: Address) -> Point:
        centroids = _city_index().get((address.city.strip().lower(), address.state.strip().lower()))
        if not centroids:
            raise GeocodingError(f"No US city {address.city!r}, {address.state!r} is known.")
        # The median of the ZIP centroids: the city's middle, not pulled away by a far-flung PO-box ZIP.
        return Point(median(x for x, _ in centroids), median(y for _, y in centroids), srid=4326)
