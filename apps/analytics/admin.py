"""What people looked at and searched for: append-only records, read-only here."""

from django.contrib import admin
from django.db import models
from django.utils.text import Truncator

from apps.analytics.models import ListingView, SearchQuery
from apps.core.admin import ReadOnlyAdminMixin, ReadOnlyMapMixin, point_map, pretty_json


@admin.register(ListingView)
class ListingViewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("viewed_at", "listing", "user", "session_id", "ip_address", "country", "city", "utm_source")
    list_filter = ("country", "utm_source", "utm_medium")
    search_fields = ("listing__title", "listing__id__exact", "user__email", "session_id", "utm_campaign")
    list_select_related = ("listing", "user")
    date_hierarchy = "viewed_at"
    # The (read-only) form is still built; say which scheme Django 6 will assume, as it asks.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SearchQuery)
class SearchQueryAdmin(ReadOnlyMapMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("searched_at", "short_query", "location_text", "radius_m", "results_count", "user")
    search_fields = ("query_text", "location_text", "user__email", "session_id")
    list_select_related = ("user",)
    date_hierarchy = "searched_at"
    fields = (
        ("searched_at", "user", "session_id"),
        "query_text",
        "location_text",
        "location_map",
        "radius_m",
        ("start_datetime", "end_datetime"),
        ("price_min", "price_max"),
        "spot_types",
        "filters_json",
        ("results_count", "clicked_listing_id"),
        "result_listing_ids",
    )
    readonly_fields = ("searched_at", "location_map", "filters_json")

    @admin.display(description="Query")
    def short_query(self, query: SearchQuery) -> str:
        return Truncator(query.query_text).chars(60) or "-"

    @admin.display(description="Where")
    def location_map(self, query: SearchQuery) -> str:
        return point_map("location", query.location)

    @admin.display(description="Filters")
    def filters_json(self, query: SearchQuery) -> str:
        return pretty_json(query.filters)
