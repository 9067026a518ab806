"""A Celery worker keeps its database connection from one task to the next, as a web process does between
requests (CONN_MAX_AGE), instead of Celery's default of a new connection per task; a connection too old, broken
or failing its health check is still replaced before the next task."""

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import connection

from apps.notifications.tasks import requeue_stuck_notifications
from config.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


def _run_task_signals(task) -> None:
    """What a worker does around a task: the fixup's handlers (connected when a worker starts) and ours."""
    fixup = DjangoWorkerFixup(app)
    task_prerun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
    fixup.on_task_prerun(sender=task)
    fixup.on_task_postrun(sender=task)
    task_postrun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={}, retval=0, state="SUCCESS")


@pytest.fixture
def worker_task():
    task = requeue_stuck_notifications
    assert not task.request.is_eager
    return task


def test_a_connection_is_kept_from_one_task_to_the_next(settings, worker_task):
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    connection.close()
    connection.ensure_connection()
    connection.close_at = time.monotonic() + 60
    before = connection.connection

    _run_task_signals(worker_task)
    _run_task_signals(worker_task)

    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX > 0
    assert connection.connection is before


def test_a_connection_past_its_age_is_replaced_around_a_task(worker_task):
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1

    _run_task_signals(worker_task)

    assert connection.connection is None  # closed; the task's first query opens a new one


def test_a_task_run_eagerly_leaves_its_callers_connection_alone(worker_task):
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1
    before = connection.connection
    worker_task.push_request(is_eager=True)
    try:
        task_prerun.send(sender=worker_task, task_id="t-2", task=worker_task, args=(), kwargs={})
        task_postrun.send(sender=worker_task, task_id="t-2", task=worker_task, args=(), kwargs={}, state="SUCCESS")
    finally:
        worker_task.pop_request()

    assert connection.connection is before
