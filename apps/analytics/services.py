"""Writes of analytics: what people looked at and searched for. Append-only; never on a request's hot path (the
receivers add each row to a buffer in Redis after the response's transaction commits, and `flush_analytics` writes
the buffers in batches: apps/analytics/buffer.py)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from apps.analytics.models import ListingView, SearchQuery
from apps.listings.models import Listing


def record_listing_view(**fields: Any) -> ListingView:
    """One view, written at once (the fields of `_listing_view`)."""
    view = _listing_view(**fields)
    view.save(force_insert=True)
    return view


def _listing_view(
    *,
    listing_id: int,
    user_id: int | None,
    session_id: str,
    ip_address: str | None,
    user_agent: str,
    referrer_url: str = "",
    utm: dict[str, str] | None = None,
) -> ListingView:
    utm = utm or {}
    return ListingView(
        listing_id=listing_id,
        user_id=user_id,
        session_id=session_id[:40],
        ip_address=ip_address,
        user_agent=user_agent[:1000],
        referrer_url=referrer_url[:500],
        utm_source=utm.get("utm_source", "")[:100],
        utm_medium=utm.get("utm_medium", "")[:100],
        utm_campaign=utm.get("utm_campaign", "")[:100],
    )


def record_search(**fields: Any) -> SearchQuery:
    """One search, written at once (the fields of `_search_query`)."""
    search = _search_query(**fields)
    search.save(force_insert=True)
    return search


def _search_query(
    *,
    user_id: int | None,
    session_id: str,
    query_text: str,
    location: list[float] | tuple[float, float] | None,
    radius_m: int | None,
    start: str | None,
    end: str | None,
    price_max: str | None,
    spot_types: list[str],
    filters: dict[str, Any],
    results_count: int,
    result_listing_ids: list[int],
) -> SearchQuery:
    return SearchQuery(
        user_id=user_id,
        session_id=session_id[:40],
        query_text=query_text[:255],
        location=Point(*location, srid=4326) if location else None,
        radius_m=radius_m,
        start_datetime=start,
        end_datetime=end,
        price_max=price_max,
        spot_types=spot_types,
        filters=filters,
        results_count=results_count,
        result_listing_ids=result_listing_ids,
    )


def _existing_users(rows: list[dict]) -> set[int]:
    ids = {row["user_id"] for row in rows if row.get("user_id") is not None}
    return set(get_user_model().objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def record_listing_views(rows: list[dict]) -> int:
    """Write buffered views (the fields of `record_listing_view`) in one INSERT; rows written. A view of a listing
    deleted since is dropped, and a visitor whose account was deleted since becomes anonymous, as the foreign keys
    would have it had the row been written at once."""
    listings = set(Listing.objects.filter(pk__in={row["listing_id"] for row in rows}).values_list("pk", flat=True))
    users = _existing_users(rows)
    views = [
        _listing_view(**(row | {"user_id": row.get("user_id") if row.get("user_id") in users else None}))
        for row in rows
        if row["listing_id"] in listings
    ]
    ListingView.objects.bulk_create(views)
    return len(views)


def record_searches(rows: list[dict]) -> int:
    """Write buffered searches (the fields of `record_search`) in one INSERT; rows written."""
    users = _existing_users(rows)
    searches = [
        _search_query(**(row | {"user_id": row.get("user_id") if row.get("user_id") in users else None}))
        for row in rows
    ]
    SearchQuery.objects.bulk_create(searches)
    return len(searches)
