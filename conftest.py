"""Fixtures every app's tests share."""

import pytest
from django.core.cache import cache

from config.celery import app as celery_app

# Tasks run in the test process, right where they are queued (after commit, like in production).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings, tmp_path):
    """Each test writes uploads and outgoing messages to its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OUTBOX_DIR = str(tmp_path / "outbox")
    # Django's test runner swaps in the in-memory mail backend; we read mail the way a person does, from the outbox.
    settings.EMAIL_BACKEND = "apps.core.mail.OutboxEmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outbox_dir(settings):
    from pathlib import Path

    return Path(settings.OUTBOX_DIR)
