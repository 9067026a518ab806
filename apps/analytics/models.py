"""Append-only records of what people looked at and searched for, for hosts' dashboards and for tuning search."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField


class ListingView(models.Model):
    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    session_id = models.CharField(max_length=40)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)

    referrer_url = models.URLField(max_length=500, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)

    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=100, blank=True)

    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "listing_views"
        indexes = [
            models.Index(fields=["listing", "viewed_at"], name="listing_views_listing_idx"),
            models.Index(fields=["user", "viewed_at"], name="listing_views_user_idx"),
            models.Index(fields=["session_id"], name="listing_views_session_idx"),
            models.Index(fields=["viewed_at"], name="listing_views_viewed_idx"),
        ]


class SearchQuery(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    session_id = models.CharField(max_length=40)

    query_text = models.CharField(max_length=255, blank=True)
    location = models.PointField(null=True, blank=True, srid=4326)
    location_text = models.CharField(max_length=255, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    start_datetime = models.DateTimeField(null=True, blank=True)
    end_datetime = models.DateTimeField(null=True, blank=True)

    price_min = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    spot_types = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    filters = models.JSONField(default=dict, blank=True)

    results_count = models.PositiveIntegerField(default=0)
    # The listings shown on the first page, so hosts can see how often they appeared in search.
    result_listing_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    clicked_listing_id = models.PositiveBigIntegerField(null=True, blank=True)

    searched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "search_queries"
        indexes = [
            models.Index(fields=["searched_at"], name="search_queries_searched_idx"),
            models.Index(fields=["query_text"], name="search_queries_text_idx"),
        ]
