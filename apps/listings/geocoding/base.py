from dataclasses import dataclass
from typing import Protocol

from django.contrib.gis.geos import Point


class GeocodingError(Exception):
    """The address could not be placed on the map."""


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    zip_code: str

    def one_line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.zip_code}, USA"


class Geocoder(Protocol):
    def geocode(self, address: Address) -> Point: ...
