"""The outermost middleware: the request id, the access log, request metrics, and `/metrics` itself.

It runs before everything else (sessions, authentication, row-level security), so that every log line of the
request carries the id, the latency covers the whole stack, and `/metrics` answers even when the database is down.
"""

import logging
import time

import sentry_sdk
from django.conf import settings
from django.core.signals import request_finished

from apps.core.observability.context import (
    REQUEST_ID_HEADER,
    clean_request_id,
    end_request,
    new_request_id,
    start_request,
)
from apps.core.observability.metrics import metrics_response, observe_request

access_logger = logging.getLogger("pinch.access")

METRICS_PATH = "/metrics"
# Probes and scrapes come every few seconds: counted in the metrics, left out of the access log.
QUIET_PATHS = frozenset({METRICS_PATH, "/healthz", "/readyz"})
UNRESOLVED_VIEW = "<unresolved>"


def _forget_request_id(**kwargs) -> None:
    end_request()


request_finished.connect(_forget_request_id, dispatch_uid="observability.forget_request_id")


def view_name(request) -> str:
    """The URL's name (or the view's dotted path): a bounded set of values, unlike the path itself."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else UNRESOLVED_VIEW


class ObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        # Unbound when the response has been sent (`request_finished`), so Django's own line about a 4xx/5xx
        # answer, written after the middleware returns, still carries the id.
        start_request(request_id)
        sentry_sdk.set_tag("request_id", request_id)
        if request.path == METRICS_PATH:
            response = metrics_response(request)
        else:
            started = time.perf_counter()
            response = self.get_response(request)
            self._record(request, response, time.perf_counter() - started)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def _record(self, request, response, seconds: float) -> None:
        view = view_name(request)
        observe_request(view=view, method=request.method, status=response.status_code, seconds=seconds)
        if settings.LOG_REQUESTS and request.path not in QUIET_PATHS:
            access_logger.info(
                '"%s %s" %s %.1fms',
                request.method,
                request.path,
                response.status_code,
                seconds * 1000,
                extra={
                    "http_method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "view": view,
                },
            )
