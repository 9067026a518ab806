"""What a locked-out login attempt sees (django-axes calls this)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = f"Too many failed sign-in attempts. Try again in {minutes} minutes, or reset your password."
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"type": "client_error", "errors": [{"code": "locked_out", "detail": detail, "attr": None}]},
            status=status,
        )
    else:
        html = render_to_string("users/locked_out.html", {"detail": detail}, request=request)
        response = HttpResponse(html, status=status)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def lockout_username(request, credentials=None) -> str | None:
    """The account an attempt was for: the API posts `email`, the web form posts it as `username`."""
    credentials = credentials or {}
    for key in ("email", "username"):
        value = credentials.get(key) or request.POST.get(key)
        if value:
            return str(value).strip().lower()
    data = getattr(request, "data", None)
    if isinstance(data, dict) and data.get("email"):
        return str(data["email"]).strip().lower()
    return None
