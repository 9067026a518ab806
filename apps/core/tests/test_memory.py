"""Web workers and Celery pool processes freeze what they loaded at start-up, so that Python's full garbage
collections (~70 ms each in a loaded process, every thread waiting) no longer walk it."""

import gc
import importlib.util
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.signals import worker_process_init

from apps.core.memory import freeze_startup_objects

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def unfrozen():
    """Each test starts and ends with nothing frozen, so that the others' collections see what they expect."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def walked_by_the_collector(thing) -> bool:
    return any(candidate is thing for candidate in gc.get_objects())


def test_objects_alive_at_start_up_leave_the_collectors_walk_and_later_ones_do_not(unfrozen):
    loaded_at_start = [object()]  # a container: the collector tracks it
    assert walked_by_the_collector(loaded_at_start)

    frozen = freeze_startup_objects()

    assert frozen == gc.get_freeze_count() > 10_000
    assert not walked_by_the_collector(loaded_at_start)
    made_later = [object()]
    assert walked_by_the_collector(made_later)


def test_a_gunicorn_worker_freezes_after_loading_the_application(unfrozen):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "deploy" / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert gc.get_freeze_count() == 0

    conf.post_worker_init(SimpleNamespace(log=logging.getLogger("gunicorn.error")))

    assert gc.get_freeze_count() > 10_000


def test_a_celery_pool_process_freezes_once_started(unfrozen):
    import config.celery  # noqa: F401  (connects the receivers)

    assert gc.get_freeze_count() == 0
    worker_process_init.send(sender=None)
    assert gc.get_freeze_count() > 10_000
