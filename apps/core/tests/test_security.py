"""Hardening (README, "Security and hardening"): production settings pass Django's deploy checks, production refuses
to start without its own secrets, every answer carries the security headers, oversized requests get 413 in the
API's error shape, and uploaded media is served with safe content types."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory

from apps.core import security_settings
from apps.core.security import client_ip

ROOT = Path(django_settings.BASE_DIR)
PRODUCTION_SECRETS = ("DJANGO_", "FIELD_ENCRYPTION_KEYS", "PAYMENT_WEBHOOK_SECRET", "CSP_", "SECURE_")


def run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with production-like variables (none inherited from this one)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(PRODUCTION_SECRETS)}
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def production(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "example.com",
        **extra,
    }


# --- Production settings -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_production_settings_pass_the_deploy_checks_without_a_single_warning():
    result = run_django("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_its_own_secret_key():
    environment = production()
    del environment["DJANGO_SECRET_KEY"]

    result = run_django("manage.py", "check", **environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.slow
def test_a_production_web_process_refuses_to_start_without_the_encryption_keys_and_webhook_secret():
    result = run_django("-c", "from config.wsgi import application", **production())

    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr
    assert "PAYMENT_WEBHOOK_SECRET is not set" in result.stderr


@pytest.mark.parametrize(
    ("secret_key", "message"),
    [
        ("", "is not set"),
        (security_settings.DEVELOPMENT_SECRET_KEY, "is not set"),
        ("change-me-to-64-random-characters-" + secrets.token_urlsafe(40), "is not set"),
        ("short-but-random-3kd9", "too weak"),
        ("a" * 60, "too weak"),
        ("django-insecure-" + secrets.token_urlsafe(50), "too weak"),
    ],
)
def test_a_missing_default_or_weak_secret_key_is_refused_in_production(secret_key, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        security_settings.require_secret_key(debug=False, secret_key=secret_key)


def test_local_development_may_use_the_development_key():
    security_settings.require_secret_key(debug=True, secret_key=security_settings.DEVELOPMENT_SECRET_KEY)


def test_a_malformed_field_encryption_key_is_named_by_its_position():
    good = "x" * 43 + "="  # 32 bytes in URL-safe base64

    assert security_settings.check_field_encryption_keys([f" {good} ", ""]) == [good]
    with pytest.raises(ImproperlyConfigured, match="key number 2 is not a Fernet key"):
        security_settings.check_field_encryption_keys([good, "not-a-key"])


def test_the_web_handler_refuses_to_load_in_production_until_the_secrets_are_set(settings):
    settings.REQUIRE_PRODUCTION_SECRETS = True
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        WSGIHandler()

    settings.FIELD_ENCRYPTION_KEYS = ["x" * 43 + "="]
    settings.PAYMENT_WEBHOOK_SECRET = "whsec_change-me"
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_WEBHOOK_SECRET"):
        WSGIHandler()

    settings.PAYMENT_WEBHOOK_SECRET = "whsec_" + secrets.token_hex(16)
    WSGIHandler()  # starts


def test_the_proxy_ssl_header_is_trusted_only_when_named():
    assert security_settings.proxy_ssl_header("") is None
    assert security_settings.proxy_ssl_header("X-Forwarded-Proto") == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
def test_https_is_enforced_except_for_health_probes(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    assert client.get("/healthz").status_code == 200
    redirect = client.get("/api/v1/listings")
    assert redirect.status_code == 301
    assert redirect["Location"].startswith("https://")


@pytest.mark.django_db
def test_behind_a_tls_proxy_its_forwarded_protocol_counts_as_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    assert Client().get("/api/v1/listings", HTTP_X_FORWARDED_PROTO="https").status_code == 200


# --- Headers -------------------------------------------------------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_every_page_carries_the_content_security_policy_and_the_other_security_headers(client):
    response = client.get("/accounts/login/")

    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and all(
        source.startswith("'nonce-") for source in policy["script-src"][1:]
    )
    assert policy["style-src"][0] == "'self'" and "'unsafe-inline'" not in policy["style-src"]
    assert policy["img-src"] == ["'self'", "data:", security_settings.tile_source(django_settings.MAP_TILES_URL)]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    assert "geolocation=(self)" in permissions
    for feature in ("camera", "microphone", "payment"):
        assert f"{feature}=()" in permissions


@pytest.mark.django_db
def test_a_page_uses_the_nonce_its_policy_allows(client):
    response = client.get("/accounts/login/")
    policy = directives(response["Content-Security-Policy"])
    nonces = [source[len("'nonce-") : -1] for source in policy["script-src"] if source.startswith("'nonce-")]

    assert len(nonces) == 1, "base.html hands htmx the page's nonce"
    assert f"'nonce-{nonces[0]}'" in policy["style-src"]
    assert f'"inlineStyleNonce":"{nonces[0]}"' in response.content.decode()
    assert nonces[0] not in directives(client.get("/accounts/login/")["Content-Security-Policy"])["script-src"][1]


@pytest.mark.django_db
def test_an_admin_map_drawn_without_the_request_still_gets_the_page_nonce(client, django_user_model):
    from apps.analytics.tests.factories import SearchQueryFactory

    staff = django_user_model.objects.create_superuser(email="staff@example.com", password="x")
    client.force_login(staff)
    query = SearchQueryFactory()

    response = client.get(f"/admin/analytics/searchquery/{query.pk}/change/")

    assert response.status_code == 200
    nonce = next(
        source[len("'nonce-") : -1]
        for source in directives(response["Content-Security-Policy"])["script-src"]
        if source.startswith("'nonce-")
    )
    assert f'<script nonce="{nonce}">' in response.content.decode()


TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)


def csp_violations(template: Path) -> list[str]:
    """What the policy would block in a template: inline scripts without the nonce, inline event handlers,
    `javascript:` URLs and inline style attributes."""
    found = []
    for tag in TAG.findall(template.read_text()):
        name = tag[1:].split(None, 1)[0].rstrip(">").lower()
        if name == "script" and "src=" not in tag and 'nonce="{{ request.csp_nonce }}"' not in tag:
            found.append(f"inline script without the nonce: {tag}")
        if re.search(r"\son[a-z]+\s*=", tag):
            found.append(f"inline event handler: {tag}")
        if "javascript:" in tag:
            found.append(f"javascript: URL: {tag}")
        if re.search(r"\sstyle\s*=", tag):
            found.append(f"inline style attribute: {tag}")
    return found


def test_templates_only_use_what_the_content_security_policy_allows():
    violations = {
        str(template.relative_to(ROOT)): problems
        for template in sorted((ROOT / "templates").rglob("*.html"))
        if (problems := csp_violations(template))
    }

    assert not violations, violations


@pytest.mark.parametrize(
    ("tiles_url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.com/v1/{z}/{x}/{y}.png", "https://*.tiles.example.com"),
        ("/static/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_the_map_tile_host_allowed_for_images_comes_from_the_tiles_url(tiles_url, source):
    assert security_settings.tile_source(tiles_url) == source


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_url_under_the_policy(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html, "no inline script: the start-up script comes from ?script="
    assert "'unsafe-inline'" in directives(page["Content-Security-Policy"])["style-src"]
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- Request sizes -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_json_body_over_the_limit_is_refused_with_413_in_the_api_error_shape(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(
        "/api/v1/auth/token", data='{"email": "' + "a" * 2000 + '"}', content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "request_too_large", "detail": response.json()["errors"][0]["detail"], "attr": None}],
    }


@pytest.mark.django_db
def test_an_upload_over_the_upload_limit_is_refused_with_413(client, settings):
    settings.REQUEST_MAX_UPLOAD_BYTES = 5000

    response = client.post("/api/v1/me/picture", data={"profile_picture": ("x" * 6000).encode()})

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


@pytest.mark.django_db
def test_a_web_form_over_the_limit_is_refused_with_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(
        "/accounts/login/", data="email=" + "a" * 2000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413


@pytest.mark.django_db
def test_a_multipart_field_over_the_limit_inside_an_api_view_is_413_not_500(guest, settings):
    from rest_framework.test import APIClient

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # the upload as a whole stays under REQUEST_MAX_UPLOAD_BYTES
    client = APIClient()
    client.force_authenticate(guest)

    response = client.post("/api/v1/conversations", data={"message": "m" * 2000}, format="multipart")

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


@pytest.mark.django_db
def test_too_many_form_fields_are_refused_with_413(guest, settings):
    from rest_framework.test import APIClient

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = APIClient()
    client.force_authenticate(guest)

    response = client.post(
        "/api/v1/conversations", data={f"field{number}": "x" for number in range(10)}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_many_fields"


# --- Errors Django answers before any view -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_api_url_answers_404_in_the_api_error_shape(client):
    response = client.get("/api/v1/bookings/not-a-booking-code")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


@pytest.mark.django_db
def test_an_unknown_page_is_still_an_html_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- Uploaded media ------------------------------------------------------------------------------------------------


@pytest.fixture
def media_file(settings):
    def write(name: str, content: bytes) -> str:
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"/{settings.MEDIA_URL.strip('/')}/{name}"

    return write


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.django_db
def test_an_uploaded_image_is_served_inline_with_nosniff(client, media_file):
    response = client.get(media_file("listings/photo.png", PNG))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "inline").startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "notes.txt", "no-extension"])
def test_anything_that_is_not_an_image_is_served_as_a_download(client, media_file, name):
    response = client.get(media_file(f"profiles/{name}", b"<script>alert(1)</script>"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_media_outside_the_media_folder_is_not_served(client, media_file):
    media_file("listings/photo.png", PNG)

    assert client.get("/media/../config/settings.py").status_code == 404
    assert client.get("/media/%2e%2e/config/settings.py").status_code == 404
    assert client.get("/media/listings/missing.png").status_code == 404


# --- The client's address ------------------------------------------------------------------------------------------


def test_the_client_address_ignores_forwarded_headers_unless_a_proxy_is_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")

    settings.NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "203.0.113.7", "the address our proxy saw, not what the client claimed"
    settings.NUM_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
