"""Prometheus metrics and their exposition at `/metrics`.

What is measured: the latency of every HTTP request by view, method and status; bookings created and cancelled;
payments authorised, captured, declined, released and refunded; Celery tasks finished, failed and retried, and
how long they ran.

Several processes (gunicorn's workers, Celery's pool) each count their own share. With `PROMETHEUS_MULTIPROC_DIR`
set in the environment *before* the process starts, prometheus_client keeps every process's values in files there
and the exposition adds them up; without it (development, tests) the values live in the process that serves
`/metrics`. README, "Observability", says how to set it up.

Who may read them: a request carrying `Authorization: Bearer <METRICS_TOKEN>`, or one that comes straight (not
through the proxy, which adds `X-Forwarded-For`) from an address in `METRICS_ALLOWED_IPS`. Everyone else gets 403.
"""

import hmac
import ipaddress
import os
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from apps.core.observability.networks import Network, ip_networks

HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

HTTP_REQUEST_DURATION = Histogram(
    "pinch_http_request_duration_seconds",
    "Time from the request entering Django to the response leaving it, by view (URL name), method and status.",
    ["view", "method", "status"],
)
BOOKINGS_CREATED = Counter(
    "pinch_bookings_created",
    "Bookings created, by the status they were created in (PENDING: a request, CONFIRMED: instant).",
    ["status"],
)
BOOKINGS_CANCELLED = Counter(
    "pinch_bookings_cancelled",
    "Bookings cancelled, declined or expired, by who called them off (guest, host or system).",
    ["by"],
)
PAYMENTS = Counter(
    "pinch_payments",
    "Payment ledger events by outcome: authorized, captured, declined, released, refunded, payout.",
    ["outcome"],
)
CELERY_TASKS_FINISHED = Counter(
    "pinch_celery_tasks_finished", "Celery task runs that ended, by task and final state.", ["task", "state"]
)
CELERY_TASK_FAILURES = Counter(
    "pinch_celery_task_failures", "Celery task runs that raised, by task and exception class.", ["task", "exception"]
)
CELERY_TASK_RETRIES = Counter("pinch_celery_task_retries", "Celery task retries scheduled, by task.", ["task"])
CELERY_TASK_DURATION = Histogram(
    "pinch_celery_task_duration_seconds",
    "How long Celery task runs took, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, float("inf")),
)

BOOKING_CREATED_STATUSES = ("PENDING", "CONFIRMED")
CANCELLED_BY = ("guest", "host", "system")
PAYMENT_OUTCOMES = ("authorized", "captured", "declined", "released", "refunded", "payout")

# Series at zero from the start, so that dashboards and `rate()` see them before the first event.
for _status in BOOKING_CREATED_STATUSES:
    BOOKINGS_CREATED.labels(status=_status)
for _by in CANCELLED_BY:
    BOOKINGS_CANCELLED.labels(by=_by)
for _outcome in PAYMENT_OUTCOMES:
    PAYMENTS.labels(outcome=_outcome)


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    method = method.upper() if method.upper() in HTTP_METHODS else "OTHER"
    HTTP_REQUEST_DURATION.labels(view=view, method=method, status=str(status)).observe(seconds)


def collector_registry() -> CollectorRegistry:
    """This process's metrics, or with `PROMETHEUS_MULTIPROC_DIR` those of every process writing there."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(collector_registry())


# --- Who may read them ----------------------------------------------------------------------------------------------

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple[Network, ...]:
    return ip_networks(allowed, name="METRICS_ALLOWED_IPS")


def _has_token(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _from_allowed_address(request: HttpRequest) -> bool:
    # A request that came through the proxy has the proxy's address: only the token lets it in.
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_IPS)))


def metrics_access_allowed(request: HttpRequest) -> bool:
    return _has_token(request) or _from_allowed_address(request)


def metrics_response(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse(
            {
                "type": "client_error",
                "errors": [{"code": "method_not_allowed", "detail": "Use GET.", "attr": None}],
            },
            status=405,
        )
        response["Allow"] = "GET, HEAD"
        return response
    if not metrics_access_allowed(request):
        response = JsonResponse(
            {
                "type": "client_error",
                "errors": [
                    {
                        "code": "permission_denied",
                        "detail": "Metrics are served to allowed addresses or with the metrics bearer token.",
                        "attr": None,
                    }
                ],
            },
            status=403,
        )
        if settings.METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
