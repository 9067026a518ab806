"""Where demo listings go: real US ZIP-code centroids from the offline `zipcodes` gazetteer, nudged a little so that
several listings in one ZIP code do not sit on the same point."""

import math
import random
from dataclasses import dataclass

import zipcodes

from apps.analytics.demo.catalog import CITY_PROFILES, DEFAULT_PROFILE, CityProfile

METRES_PER_DEGREE_LATITUDE = 111_320


class UnknownCity(ValueError):
    """A `--cities` entry that is malformed or names no city the gazetteer knows."""


@dataclass(frozen=True)
class ZipCentroid:
    zip_code: str
    latitude: float
    longitude: float
    area_code: str


@dataclass(frozen=True)
class DemoCity:
    name: str
    state: str
    zips: tuple[ZipCentroid, ...]
    profile: CityProfile

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"


def resolve_cities(spec: str) -> list[DemoCity]:
    """Parse `"Austin,TX;Denver,CO"` into cities with their street-address ZIP codes (PO boxes and single-building
    codes have no neighborhood to park in). Raise `UnknownCity` with a message a person can act on."""
    parts = [part.strip() for part in spec.split(";") if part.strip()]
    if not parts:
        raise UnknownCity('Name at least one city as "City,ST", e.g. --cities "Austin,TX;Denver,CO".')
    cities: dict[tuple[str, str], DemoCity] = {}
    for part in parts:
        name, separator, state = part.rpartition(",")
        name, state = " ".join(name.split()), state.strip().upper()
        if not separator or not name or len(state) != 2 or not state.isalpha():
            raise UnknownCity(f'"{part}" is not a city: write each as "City,ST", e.g. "Austin,TX".')
        entries = [
            entry
            for entry in zipcodes.filter_by(state=state)
            if entry["city"].casefold() == name.casefold()
            and entry["zip_code_type"] == "STANDARD"
            and entry["active"]
            and entry["lat"]
            and entry["long"]
        ]
        if not entries:
            raise UnknownCity(
                f'No ZIP codes found for "{name}, {state}" in the US ZIP-code gazetteer; check the spelling and '
                'the two-letter state, e.g. "San Francisco,CA".'
            )
        canonical = entries[0]["city"]
        zips = tuple(
            ZipCentroid(
                zip_code=entry["zip_code"],
                latitude=float(entry["lat"]),
                longitude=float(entry["long"]),
                area_code=(entry.get("area_codes") or ["555"])[0],
            )
            for entry in sorted(entries, key=lambda entry: entry["zip_code"])
        )
        profile = CITY_PROFILES.get((canonical, state), DEFAULT_PROFILE)
        cities.setdefault((canonical, state), DemoCity(canonical, state, zips, profile))
    return list(cities.values())


def jitter(centroid: ZipCentroid, rng: random.Random, *, max_distance_m: float) -> tuple[float, float]:
    """A point (longitude, latitude) uniformly distributed within `max_distance_m` of the centroid."""
    distance_m = max_distance_m * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    latitude = centroid.latitude + distance_m * math.cos(bearing) / METRES_PER_DEGREE_LATITUDE
    longitude = centroid.longitude + distance_m * math.sin(bearing) / (
        METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(centroid.latitude))
    )
    return round(longitude, 6), round(latitude, 6)
