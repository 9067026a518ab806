"""Fixtures every app's tests share."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings, tmp_path):
    """Each test writes uploads and outgoing messages to its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OUTBOX_DIR = str(tmp_path / "outbox")
    cache.clear()
    yield
    cache.clear()
