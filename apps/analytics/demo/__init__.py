"""Demo data for a first start: hosts, seekers, listings at real US ZIP-code centroids, bookings with their ledger,
reviews, conversations, payouts and listing views, so that search, the map and the dashboards show something real.

It lives in `analytics`, the top app, because it writes to every domain's tables and may import them all; `core`'s
`seed_demo` command only parses its arguments and calls `build_demo_data`.
"""

from apps.analytics.demo.builder import DemoReport, build_demo_data
from apps.analytics.demo.catalog import ADMIN_EMAIL, DEFAULT_CITIES, DEMO_HOST_EMAIL, DEMO_PASSWORD, DEMO_SEEKER_EMAIL
from apps.analytics.demo.places import DemoCity, UnknownCity, resolve_cities

__all__ = [
    "ADMIN_EMAIL",
    "DEFAULT_CITIES",
    "DEMO_HOST_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_SEEKER_EMAIL",
    "DemoCity",
    "DemoReport",
    "UnknownCity",
    "build_demo_data",
    "resolve_cities",
]
