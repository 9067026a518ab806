"""Celery's side of observability, connected by `config/celery.py` in every process that loads the Celery app.

- A task queued while a request id is bound (during a request, or by another task) carries it in the message
  header `pinch_request_id`; the worker binds it, with the task's id and name, for the lines the task logs.
- Task runs, failures and retries are counted, and their durations observed (`apps.core.observability.metrics`).
- Workers and beat log through Django's `LOGGING` (JSON lines in production) instead of Celery's own set-up.
- `CELERY_WORKER_METRICS_PORT` makes a worker serve its own metrics (all its pool processes, through
  `PROMETHEUS_MULTIPROC_DIR`) for a worker on a machine without a web process.
"""

import logging
import logging.config
import os
import time

import sentry_sdk
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    worker_process_shutdown,
    worker_ready,
)
from prometheus_client import multiprocess, start_http_server

from apps.core.observability.context import (
    TaskInfo,
    bind_task,
    clean_request_id,
    current_request_id,
    new_request_id,
    unbind_task,
)
from apps.core.observability.metrics import (
    CELERY_TASK_DURATION,
    CELERY_TASK_FAILURES,
    CELERY_TASK_RETRIES,
    CELERY_TASKS_FINISHED,
    collector_registry,
)

logger = logging.getLogger(__name__)

REQUEST_ID_TASK_HEADER = "pinch_request_id"

# Per task id, a stack: an eager retry runs the same task id again inside the first run.
_bindings: dict[str, list[tuple[tuple, float]]] = {}


@before_task_publish.connect(dispatch_uid="observability.request_id_header")
def add_request_id_header(headers=None, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_TASK_HEADER, request_id)


def _header(request) -> str | None:
    # A worker merges a message's headers into the request; `apply(headers=...)` keeps them apart.
    return request.get(REQUEST_ID_TASK_HEADER) or (request.get("headers") or {}).get(REQUEST_ID_TASK_HEADER)


@task_prerun.connect(dispatch_uid="observability.bind_task")
def bind_task_ids(task_id=None, task=None, **kwargs) -> None:
    # A message from a request has the header; a task run inline (eager) keeps its caller's id; beat's get a new one.
    request_id = clean_request_id(_header(task.request)) or current_request_id() or new_request_id()
    tokens = bind_task(request_id=request_id, task=TaskInfo(task_id=task_id, task_name=task.name))
    _bindings.setdefault(task_id, []).append((tokens, time.perf_counter()))
    sentry_sdk.set_tag("request_id", request_id)


@task_postrun.connect(dispatch_uid="observability.unbind_task")
def unbind_task_ids(task_id=None, task=None, state=None, **kwargs) -> None:
    CELERY_TASKS_FINISHED.labels(task=task.name, state=state or "UNKNOWN").inc()
    stack = _bindings.get(task_id)
    if not stack:
        return
    tokens, started = stack.pop()
    if not stack:
        del _bindings[task_id]
    CELERY_TASK_DURATION.labels(task=task.name).observe(time.perf_counter() - started)
    unbind_task(tokens)


@task_failure.connect(dispatch_uid="observability.count_failure")
def count_task_failure(sender=None, exception=None, **kwargs) -> None:
    CELERY_TASK_FAILURES.labels(task=getattr(sender, "name", "unknown"), exception=type(exception).__name__).inc()


@task_retry.connect(dispatch_uid="observability.count_retry")
def count_task_retry(sender=None, **kwargs) -> None:
    CELERY_TASK_RETRIES.labels(task=getattr(sender, "name", "unknown")).inc()


@setup_logging.connect(dispatch_uid="observability.django_logging")
def use_django_logging(**kwargs) -> None:
    """With a receiver here Celery leaves logging alone; workers and beat write the same lines as the web."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@worker_ready.connect(dispatch_uid="observability.worker_metrics")
def serve_worker_metrics(**kwargs) -> None:
    from django.conf import settings

    port = settings.CELERY_WORKER_METRICS_PORT
    if not port:
        return
    address = settings.CELERY_WORKER_METRICS_ADDRESS
    start_http_server(port, addr=address, registry=collector_registry())
    logger.info("Serving this worker's metrics on http://%s:%d/metrics", address, port)


@worker_process_shutdown.connect(dispatch_uid="observability.process_dead")
def forget_pool_process(pid=None, **kwargs) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid or os.getpid())
