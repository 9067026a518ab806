"""The cached public detail of a listing. Written on first read, deleted after every committed change to the
listing, its photos, rules or reviews. Availability is never cached (it changes with every booking)."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache


def detail_key(listing_id: int) -> str:
    return f"listings:detail:v1:{listing_id}"


def cached_detail(listing_id: int, build: Callable[[], dict | None]) -> dict | None:
    key = detail_key(listing_id)
    detail = cache.get(key)
    if detail is None:
        detail = build()
        if detail is not None:
            cache.set(key, detail, timeout=settings.LISTING_DETAIL_CACHE_SECONDS)
    return detail


def invalidate_listing(listing_id: int) -> None:
    cache.delete(detail_key(listing_id))
