"""Liveness says the process is up; readiness says whether it can reach PostgreSQL and Redis, and which one
it cannot."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection


def closed_port() -> int:
    """A local TCP port nothing listens on (bound for a moment by the system, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_down() -> Iterator[None]:
    """Point the connection at a port where no database runs, and back again afterwards."""
    saved = {key: connection.settings_dict.get(key) for key in ("HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        connection.ensure_connection()


def test_healthz_answers_without_the_database_or_the_cache(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_and_the_cache_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "cache": "ok"}}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_a_stopped_database_as_not_ready(client):
    with database_down():
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "OperationalError"
    assert body["checks"]["cache"] == "ok"
    # The connection is usable again for whatever runs next.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_readyz_reports_a_stopped_cache_as_not_ready(client, settings):
    location = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {"default": settings.CACHES["default"] | {"LOCATION": location}}  # resets the cache handler
    assert cache.get("anything") is None  # the site keeps serving without Redis...

    response = client.get("/readyz")

    assert response.status_code == 503  # ...but is not ready
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] != "ok"
