"""The Celery application: the worker and beat processes of the product."""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun, worker_init, worker_process_init

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


@worker_process_init.connect(dispatch_uid="pinch.freeze_startup_objects")
def _freeze_startup_objects(**_kwargs) -> None:
    """Each pool process has loaded the application and the tasks: keep those objects out of the garbage
    collector's full collections (apps/core/memory.py)."""
    from apps.core.memory import freeze_startup_objects

    freeze_startup_objects()


@task_prerun.connect(dispatch_uid="pinch.db_connections_before_task")
@task_postrun.connect(dispatch_uid="pinch.db_connections_after_task")
def _close_old_connections(task=None, **_kwargs) -> None:
    """A task is to a worker what a request is to a web process: before and after it, drop the connections that are
    past CONN_MAX_AGE, fail their health check or were left broken, and keep the others (settings.py,
    CELERY_DB_REUSE_MAX). A task run eagerly is part of its caller's request and transaction: left alone."""
    from django.db import close_old_connections

    if task is None or getattr(task.request, "is_eager", False):
        return
    close_old_connections()
