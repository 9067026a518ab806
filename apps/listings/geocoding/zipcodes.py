"""The offline default: the centroid of the address's US ZIP code, from the `zipcodes` package's gazetteer.

Good to a few hundred metres in a city, which is enough to show a listing on the map; the host can drag the pin
to the exact spot (a `location` given with the listing always wins over geocoding).
"""

import zipcodes
from django.contrib.gis.geos import Point

from apps.listings.geocoding.base import Address, GeocodingError


class ZipCentroidGeocoder:
    def geocode(self, address: Address) -> Point:
        code = (address.zip_code or "").strip()[:5]
        try:
            matches = zipcodes.matching(code) if code else []
        except (TypeError, ValueError) as error:
            raise GeocodingError(f"{address.zip_code!r} is not a US ZIP code.") from error
        if not matches:
            raise GeocodingError(f"No US ZIP code {address.zip_code!r} is known.")
        place = matches[0]
        return Point(float(place["long"]), float(place["lat"]), srid=4326)
