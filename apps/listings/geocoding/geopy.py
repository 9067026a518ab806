"""Real geocoders through geopy: Google's Geocoding API (GoogleV3) or OpenStreetMap's Nominatim."""

from django.conf import settings
from django.contrib.gis.geos import Point
from geopy.exc import GeopyError
from geopy.geocoders import GoogleV3, Nominatim

from apps.listings.geocoding.base import Address, GeocodingError


class _GeopyGeocoder:
    service = None

    def geocode(self, address: Address) -> Point:
        try:
            location = self.service.geocode(address.one_line(), exactly_one=True)
        except GeopyError as error:
            raise GeocodingError(f"The geocoding service failed: {error}") from error
        if location is None:
            raise GeocodingError("The address could not be found.")
        return Point(float(location.longitude), float(location.latitude), srid=4326)


def _endpoint() -> dict:
    options = {"timeout": settings.GEOCODER_TIMEOUT_SECONDS}
    if settings.GEOCODER_DOMAIN:  # another host (a proxy, or a fake in tests)
        options.update(domain=settings.GEOCODER_DOMAIN, scheme=settings.GEOCODER_SCHEME)
    return options


class GoogleGeocoder(_GeopyGeocoder):
    def __init__(self) -> None:
        self.service = GoogleV3(api_key=settings.GOOGLE_MAPS_API_KEY, **_endpoint())


class NominatimGeocoder(_GeopyGeocoder):
    def __init__(self) -> None:
        self.service = Nominatim(user_agent=settings.NOMINATIM_USER_AGENT, **_endpoint())
