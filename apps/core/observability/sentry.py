"""Error reporting to Sentry (or a self-hosted Sentry/GlitchTip), on when `SENTRY_DSN` is set.

Off by default: errors are then in the logs only, with their request id. On, every unhandled exception of a
request or a task is reported with its request id as a tag; no personal data is sent (no cookies, user ids,
addresses, request bodies or query strings, no local variables of the failing frames), and performance traces
are sampled at `SENTRY_TRACES_SAMPLE_RATE` (0 by default).
"""

import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger


def sample_rate(value: str, *, name: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {value!r}.")
    return rate


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> bool:
    """Start reporting to Sentry; False (and nothing started) without a DSN."""
    if not dsn:
        return False
    # While Redis is down every cache call logs an error (and the site carries on without the cache): the logs and
    # /readyz say so; one Sentry event per page view would only spend the quota.
    ignore_logger("django_redis.cache")
    # No personal data: `send_default_pii` is left unset, which the SDK treats as False (cookies, user ids,
    # addresses and bodies stay out; its event scrubber masks sensitive keys). Setting it, even to False, is
    # deprecated in sentry-sdk 2 in favour of `data_collection`.
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        # Local variables of the failing frames hold whatever the code held: emails, phone numbers, tokens.
        include_local_variables=False,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(monitor_beat_tasks=False),
            # Error log records become events too (breadcrumbs from INFO up).
            LoggingIntegration(),
        ],
    )
    return True
