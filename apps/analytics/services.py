"""Writes of analytics: what people looked at and searched for. Append-only; never on a request's hot path
(the receivers queue a task after the response's transaction commits)."""

from typing import Any

from django.contrib.gis.geos import Point

from apps.analytics.models import ListingView, SearchQuery


def record_listing_view(
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
    return ListingView.objects.create(
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


def record_search(
    *,
    user_id: int | None,
    session_id: str,
    query_text: str,
    location: tuple[float, float] | None,
    radius_m: int | None,
    start: str | None,
    end: str | None,
    price_max: str | None,
    spot_types: list[str],
    filters: dict[str, Any],
    results_count: int,
    result_listing_ids: list[int],
) -> SearchQuery:
    return SearchQuery.objects.create(
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
