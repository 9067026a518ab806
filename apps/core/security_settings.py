"""Security decisions the settings module makes at import time (README, "Security and hardening").

Kept apart from `apps.core.security` (middleware, views) so that `config/settings.py` can import it before Django
is configured: nothing here imports Django's HTTP machinery or reads `django.conf.settings`.
"""

import base64
import binascii
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Public placeholders for local development and tests; production refuses to start with either.
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-change-me-in-production-0123456789"  # noqa: S105
DEVELOPMENT_WEBHOOK_SECRET = "whsec_local_development_secret"  # noqa: S105
PLACEHOLDER = "change-me"  # what deploy/*.env.example put where a secret goes
MIN_SECRET_KEY_LENGTH = 50  # Django's own deploy check (security.W009) asks for 50 characters, 5 of them distinct
MIN_SECRET_KEY_DISTINCT = 5


def require_secret_key(*, debug: bool, secret_key: str) -> None:
    """Production (DEBUG off) needs its own long random DJANGO_SECRET_KEY: it signs sessions, password-reset and
    email-verification tokens; the development default is public."""
    if debug:
        return
    if not secret_key or secret_key == DEVELOPMENT_SECRET_KEY or PLACEHOLDER in secret_key:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG=false the product will not start with the development "
            "key: set DJANGO_SECRET_KEY to at least 50 random characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    if (
        len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < MIN_SECRET_KEY_DISTINCT
        or secret_key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters "
            f"(it has {len(secret_key)})."
        )


def check_field_encryption_keys(keys: list[str]) -> list[str]:
    """The keys as given, each a Fernet key (32 bytes, URL-safe base64), or ImproperlyConfigured naming the bad one."""
    cleaned = [key.strip() for key in keys if key.strip()]
    for position, key in enumerate(cleaned, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key number {position} is not a Fernet key (32 bytes, URL-safe base64). "
                "Generate one with `python manage.py rotate_encryption_key --generate`."
            )
    return cleaned


def missing_production_secrets(*, field_encryption_keys: list[str], payment_webhook_secret: str) -> list[str]:
    """What a production web or worker process still lacks. Checked when a process starts serving, not when the
    settings load, so that `manage.py check --deploy` can vet the settings on a machine without these secrets."""
    problems = []
    if not field_encryption_keys:
        problems.append(
            "FIELD_ENCRYPTION_KEYS is not set: without it driver licence numbers would be encrypted under a key "
            "derived from DJANGO_SECRET_KEY. Generate one with `python manage.py rotate_encryption_key --generate`."
        )
    if (
        not payment_webhook_secret
        or payment_webhook_secret == DEVELOPMENT_WEBHOOK_SECRET
        or PLACEHOLDER in payment_webhook_secret
    ):
        problems.append(
            "PAYMENT_WEBHOOK_SECRET is not set (a public development value or a placeholder): anyone could forge "
            "payment events. Set it to "
            "the signing secret of the provider's webhook endpoint (Stripe: `whsec_...`)."
        )
    return problems


def proxy_ssl_header(header: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto` → Django's SECURE_PROXY_SSL_HEADER. Empty: no proxy is trusted to say the request was
    HTTPS. Only set it when the proxy in front always overwrites that header; otherwise any client could claim it."""
    header = header.strip()
    if not header:
        return None
    meta_name = "HTTP_" + header.upper().replace("-", "_")
    return (meta_name, "https")


def tile_source(tiles_url: str) -> str | None:
    """The CSP source that lets the map load its tiles, from `MAP_TILES_URL`: `https://tile.openstreetmap.org`, or
    `https://*.tile.example.com` when the host has a `{s}` subdomain placeholder. None for a relative URL (tiles
    served by us, already covered by 'self')."""
    parts = urlsplit(tiles_url)
    if not parts.scheme or not parts.netloc:
        return None
    labels = ["*" if "{" in label else label for label in parts.netloc.split(".")]
    return f"{parts.scheme}://{'.'.join(labels)}"


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"geolocation": ["self"], "camera": []}` → `geolocation=(self), camera=()` (an origin is quoted)."""

    def allowlist(origins: list[str]) -> str:
        return " ".join(origin if origin in ("self", "*") else f'"{origin}"' for origin in origins)

    return ", ".join(f"{feature}=({allowlist(origins)})" for feature, origins in policy.items())
