"""Turning an address into a point: one small interface, an offline ZIP gazetteer and geopy-based geocoders."""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from apps.listings.geocoding.base import Address, Geocoder, GeocodingError

__all__ = ["Address", "Geocoder", "GeocodingError", "geocode", "get_geocoder"]


@lru_cache(maxsize=1)
def get_geocoder() -> Geocoder:
    return import_string(settings.GEOCODER)()


def geocode(address: Address):
    return get_geocoder().geocode(address)
