"""The Celery application: the worker and beat processes of the product."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pinch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids in task headers, task metrics, Django's logging in workers and beat (README, "Observability").
from apps.core.observability import celery_signals  # noqa: E402, F401  (connects the signal receivers)
