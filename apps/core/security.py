"""HTTP hardening the settings alone do not give (README, "Security and hardening"):

- `client_ip`: the client's address, behind as many trusted proxies as configured (throttles, lockouts);
- `ProductionSecretsCheck`: a web process with DEBUG off refuses to start without its production secrets;
- `RequestSizeLimitMiddleware`: a body over the limits is refused with 413 before anything reads it;
- `CspNonceContextMiddleware`: the page's CSP nonce for HTML rendered without the request (admin maps);
- `PermissionsPolicyMiddleware`: the browser features pages may use (geolocation for "near me", nothing else);
- `serve_media`: uploaded files with safe headers (images inline, anything else as a download);
- `api_docs_view`: Swagger UI that works under the Content Security Policy.
"""

import posixpath
import re
from contextvars import ContextVar

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed, SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularSwaggerSplitView

from apps.core.api.handlers import error_json, is_api_request
from apps.core.security_settings import missing_production_secrets, permissions_policy_header

MULTIPART = "multipart/form-data"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind NUM_PROXIES trusted reverse proxies the address the outermost
    of them saw, read from X-Forwarded-For counting NUM_PROXIES from the right (each proxy appends what it saw;
    entries further left are the client's say and can be forged). The same rule as DRF's throttles
    (REST_FRAMEWORK["NUM_PROXIES"]); django-axes uses it too."""
    remote_address = request.META.get("REMOTE_ADDR") or None
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote_address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote_address
    return forwarded[-min(proxies, len(forwarded))]


def refuse_to_start_without_secrets() -> None:
    """With DEBUG off, raise ImproperlyConfigured listing every production secret that is missing. Called when a
    web process builds its middleware chain and when a Celery worker or beat starts (config/celery.py)."""
    if not settings.REQUIRE_PRODUCTION_SECRETS:
        return
    problems = missing_production_secrets(
        field_encryption_keys=settings.FIELD_ENCRYPTION_KEYS, payment_webhook_secret=settings.PAYMENT_WEBHOOK_SECRET
    )
    if problems:
        raise ImproperlyConfigured("Refusing to start in production:\n- " + "\n- ".join(problems))


class ProductionSecretsCheck:
    """Runs once, when the WSGI handler loads its middleware (gunicorn booting a worker, runserver starting), and
    then takes itself out of the chain."""

    def __init__(self, get_response):
        refuse_to_start_without_secrets()
        raise MiddlewareNotUsed


class RequestSizeLimitMiddleware:
    """413 for a request whose declared body is over the limit: DATA_UPLOAD_MAX_MEMORY_SIZE for JSON and forms,
    REQUEST_MAX_UPLOAD_BYTES for multipart uploads. Django enforces the first only when something reads
    `request.body` or `request.POST`, and DRF's JSON parser reads the stream itself, so without this a JSON body of
    any size would be read into memory. A body without Content-Length is never read by Django's WSGI request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        is_upload = request.META.get("CONTENT_TYPE", "").lower().startswith(MULTIPART)
        limit = settings.REQUEST_MAX_UPLOAD_BYTES if is_upload else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            detail = f"The request body is {length} bytes; at most {limit} are accepted here."
            if is_api_request(request):
                return error_json(status=413, code="request_too_large", detail=detail)
            return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


_request_nonce: ContextVar[HttpRequest | None] = ContextVar("csp_nonce_request", default=None)


class CspNonceContextMiddleware:
    """Lets code that renders HTML without the request at hand (an admin display method drawing a map) give its
    inline script the page's nonce: `current_csp_nonce()`. Placed after django-csp's middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_nonce.set(request)
        try:
            return self.get_response(request)
        finally:
            _request_nonce.reset(token)


def current_csp_nonce() -> str | None:
    """The CSP nonce of the request being handled (creating it, so the policy will carry it), or None outside one."""
    request = _request_nonce.get()
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    return str(nonce) if nonce is not None else None


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` from settings.PERMISSIONS_POLICY on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# What `apps.core.images.clean_image` writes: re-encoded pixels, safe to show inline.
INLINE_MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp"}


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """A file under MEDIA_ROOT (listing photos, profile pictures). Images are shown inline; any other type is sent
    as `application/octet-stream` with `Content-Disposition: attachment`, so a file that slipped in (an SVG or
    HTML page) can never run in our origin. `nosniff` stops browsers second-guessing the type, and the file's own
    CSP forbids everything should it be opened anyway."""
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation as error:  # a path leading out of MEDIA_ROOT: there is nothing there for you
        raise Http404("No such file.") from error
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in INLINE_MEDIA_TYPES:
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", posixpath.basename(path)) or "download"
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-site"
    response["Cache-Control"] = f"public, max-age={settings.MEDIA_CACHE_SECONDS}"
    return response


def media_urlpatterns() -> list:
    """The URL of uploaded media when this process serves it (SERVE_MEDIA, on by default; off when a proxy or a
    bucket serves MEDIA_URL with the same headers)."""
    prefix = settings.MEDIA_URL.lstrip("/")
    if not settings.SERVE_MEDIA or not prefix or "://" in settings.MEDIA_URL:
        return []
    return [re_path(rf"^{re.escape(prefix)}(?P<path>.*)$", serve_media, name="media")]


def api_docs_view():
    """Swagger UI (/api/docs/) under the site's CSP: the split view loads its start-up script from a URL instead of
    an inline block; the small inline <style> of drf-spectacular's template is allowed on this page only."""
    view = SpectacularSwaggerSplitView.as_view(url_name="schema")
    return csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(view)
