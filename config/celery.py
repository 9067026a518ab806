"""The Celery application: the worker and beat processes of the product."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pinch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids in task headers, task metrics, Django's logging in workers and beat (README, "Observability").
from apps.core.observability import celery_signals  # noqa: E402, F401  (connects the signal receivers)


@worker_init.connect
@beat_init.connect
def _refuse_to_start_without_secrets(**_kwargs) -> None:
    """Workers and beat with DEBUG off need the production secrets too (README, "Security and hardening"). Celery
    logs and swallows exceptions from signal handlers, so stop the process explicitly."""
    from django.core.exceptions import ImproperlyConfigured

    from apps.core.security import refuse_to_start_without_secrets

    try:
        refuse_to_start_without_secrets()
    except ImproperlyConfigured as error:
        raise SystemExit(f"ImproperlyConfigured: {error}") from error
