"""Error pages Django itself answers (a URL that matches no route, a request it refuses before any view runs) in
API.md's error shape when the request is for the API; everything else gets Django's usual pages.

DRF handles errors raised inside its views; these cover the rest: `/api/v1/bookings/not-a-uuid` matches no URL
pattern at all, and a body over the size limits or a disallowed host is refused by Django before a view exists.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_body(*, status: int, code: str, detail: str, attr: str | None = None) -> dict:
    error_type = "server_error" if status >= 500 else "client_error"
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def error_json(*, status: int, code: str, detail: str, attr: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(status=status, code=code, detail=detail, attr=attr), status=status)


def too_large_body(exception: Exception) -> dict:
    """413: a body over the size limits, or with too many fields or files (Django's DATA_UPLOAD_* settings)."""
    code = {TooManyFieldsSent: "too_many_fields", TooManyFilesSent: "too_many_files"}.get(
        type(exception), "request_too_large"
    )
    return error_body(status=413, code=code, detail=f"The request is too large: {exception}")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_json(status=404, code="not_found", detail="Not found.")
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        if isinstance(exception, TOO_LARGE):
            return JsonResponse(too_large_body(exception), status=413)
        return error_json(status=400, code="bad_request", detail="The request was refused.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_json(status=403, code="permission_denied", detail="You may not do this.")
    return defaults.permission_denied(request, exception)
