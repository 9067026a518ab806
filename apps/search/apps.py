from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Finding listings: reads across listings and bookings (availability), so it sits above both."""

    name = "apps.search"
    label = "search"
