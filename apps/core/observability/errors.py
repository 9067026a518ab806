"""A database that cannot be reached is a passing outage, not a bug: 503 with `Retry-After`, in the error shape of
API.md, instead of a 500 page. The connection heals by itself: Django's `CONN_HEALTH_CHECKS` drops a broken
persistent connection at the start of the next request and connects again, so nothing needs restarting when
PostgreSQL is back.

Two places see such errors: the API's exception handler (an error inside a DRF view) and `server_error`, the
`handler500` of the URL configuration (an error anywhere else: the row-level security middleware, sessions,
template views).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import server_error as django_server_error
from rest_framework import status
from rest_framework.exceptions import APIException

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_DETAIL = "The service is briefly unavailable. Please try again in a few seconds."


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = UNAVAILABLE_DETAIL
    default_code = "service_unavailable"
    # drf-standardized-errors turns `wait` into the Retry-After header.
    wait = RETRY_AFTER_SECONDS


def is_database_unavailable(error: BaseException | None) -> bool:
    """Connection refused or lost, the server shutting down, a query cancelled by an administrator: psycopg's
    OperationalError. Programming and integrity errors are bugs and stay 500s."""
    return isinstance(error, OperationalError | InterfaceError)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _error_body(*, code: str, detail: str) -> dict:
    return {"type": "server_error", "errors": [{"code": code, "detail": detail, "attr": None}]}


def service_unavailable(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        response = JsonResponse(_error_body(code="service_unavailable", detail=UNAVAILABLE_DETAIL), status=503)
    else:
        # No template: rendering one runs context processors, which query the database that is down.
        response = HttpResponse(
            "<!doctype html><html lang=en><meta charset=utf-8><title>Back in a moment</title>"
            f"<h1>Back in a moment</h1><p>{UNAVAILABLE_DETAIL}</p></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: called by Django while it handles the uncaught exception, so `sys.exc_info()` names it."""
    if is_database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    if _wants_json(request):
        return JsonResponse(_error_body(code="error", detail="Server Error (500)"), status=500)
    return django_server_error(request)
