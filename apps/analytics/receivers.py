"""Turn "someone viewed / searched" into analytics rows, once per visitor per minute, never for bots, and off the
request path: after the request's transaction commits, the row is added to a buffer in Redis (one round trip that
also applies the once-a-minute rule), which the beat task `flush_analytics` writes in batches (buffer.py)."""

import hashlib
import logging
import re

from django.db import connection, transaction
from django.dispatch import receiver

from apps.analytics import buffer
from apps.core.security import client_ip
from apps.listings.signals import listing_viewed
from apps.search.signals import listings_searched

logger = logging.getLogger(__name__)

BOT_PATTERN = re.compile(r"bot|crawl|spider|slurp|curl|wget|python-requests|httpclient|headless|monitor", re.I)
DEDUPE_SECONDS = 60


def is_bot(request) -> bool:
    return bool(BOT_PATTERN.search(request.META.get("HTTP_USER_AGENT", "")))


def visitor(request) -> str:
    """Who is looking: the user, else their session, else their address and browser."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return f"session:{session.session_key}"
    raw = f"{client_ip(request) or ''}|{request.META.get('HTTP_USER_AGENT', '')}"
    return "anon:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _dedupe_key(kind: str, who: str, what: str) -> str:
    return "analytics:seen:" + hashlib.sha256(f"{kind}|{who}|{what}".encode()).hexdigest()


def _buffer_once(kind: str, who: str, what: str, row: dict) -> None:
    """After commit, add `row` unless this visitor had the same `what` recorded in the last minute."""

    def add() -> None:
        try:
            buffer.add_once(kind, dedupe_key=_dedupe_key(kind, who, what), seconds=DEDUPE_SECONDS, row=row)
        except Exception:  # analytics must never break the page; Redis being down loses this row
            logger.exception("could not buffer a %s row", kind)

    after_commit(add)


def after_commit(func) -> None:
    """`func` after the current transaction commits, or now outside one. Unlike `transaction.on_commit`, it does
    not connect to the database to find out: a cached page served while the database is down still records its
    view."""
    if connection.in_atomic_block:
        transaction.on_commit(func)
    else:
        func()


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


@receiver(listing_viewed)
def record_view(sender, listing_id: int, request, **kwargs) -> None:
    if is_bot(request):
        return
    who = visitor(request)
    _buffer_once(
        "view",
        who,
        str(listing_id),
        {
            "listing_id": listing_id,
            "user_id": _user_id(request),
            "session_id": who.split(":", 1)[1][:40],
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", ""),
            "referrer_url": request.META.get("HTTP_REFERER", ""),
            "utm": {key: request.GET.get(key, "") for key in ("utm_source", "utm_medium", "utm_campaign")},
        },
    )


@receiver(listings_searched)
def record_search(sender, params, result_ids: list[int], count: int, request, **kwargs) -> None:
    if is_bot(request):
        return
    who = visitor(request)
    filters = {
        key: value
        for key, value in {
            "vehicle_size": params.vehicle_size,
            "features": params.features,
            "instant_booking": params.instant_booking,
            "min_rating": str(params.min_rating) if params.min_rating is not None else None,
            "sort": params.effective_sort,
            "within": params.within is not None,
            "route": params.route is not None,
        }.items()
        if value not in (None, [], False)
    }
    _buffer_once(
        "search",
        who,
        request.META.get("QUERY_STRING", ""),
        {
            "user_id": _user_id(request),
            "session_id": who.split(":", 1)[1][:40],
            "query_text": params.q,
            "location": (params.point.x, params.point.y) if params.point is not None else None,
            "radius_m": params.radius_m if params.point is not None else None,
            "start": params.start.isoformat() if params.start else None,
            "end": params.end.isoformat() if params.end else None,
            "price_max": str(params.price_max) if params.price_max is not None else None,
            "spot_types": params.spot_types,
            "filters": filters,
            "results_count": count,
            "result_listing_ids": result_ids,
        },
    )
