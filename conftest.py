"""Fixtures every app's tests share."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from apps.listings.services import create_listing
from config.celery import app as celery_app

# The browser fixtures (page, phone, another_page): one chromium for the whole session, whichever folder asks.
pytest_plugins = ["e2e.browser"]

# Tasks run in the test process, right where they are queued (after commit, like in production).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings, tmp_path):
    """Each test writes uploads and outgoing messages to its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OUTBOX_DIR = str(tmp_path / "outbox")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    # Django's test runner swaps in the in-memory mail backend; we read mail the way a person does, from the outbox.
    settings.EMAIL_BACKEND = "apps.core.mail.OutboxEmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queued_tasks():
    """Tasks are queued on an in-memory broker instead of run inline, as a web process queues them for the
    workers; the list holds (task name, args, kwargs) of each task queued."""
    from celery.signals import before_task_publish

    from apps.core.tests.private_services import use_broker

    queued: list[tuple[str, tuple, dict]] = []

    def record(sender=None, headers=None, body=None, **kwargs):
        args, keywords, _embed = body
        queued.append((headers["task"], tuple(args), keywords))

    before_task_publish.connect(record, weak=False)
    use_broker("memory://")
    yield queued
    use_broker(None)
    before_task_publish.disconnect(record)


@pytest.fixture
def outbox_dir(settings):
    from pathlib import Path

    return Path(settings.OUTBOX_DIR)


# --- People and places most tests need -------------------------------------------------------------------------------


@pytest.fixture
def host(db):
    return get_user_model().objects.create_user(
        email="host@example.com", user_type="HOST", is_email_verified=True, first_name="Hana"
    )


@pytest.fixture
def guest(db):
    return get_user_model().objects.create_user(email="guest@example.com", is_email_verified=True, first_name="Gil")


@pytest.fixture
def make_listing(host):
    def make(**fields):
        values = {
            "title": "Garage on Rainey St",
            "description": "Covered garage",
            "spot_type": "GARAGE",
            "address": "70 Rainey St",
            "city": "Austin",
            "state": "TX",
            "zip_code": "78701",
            "price_per_hour": Decimal("5.00"),
            "price_per_day": Decimal("30.00"),
            "gate_code": "2468",
            "access_instructions": "Use the side gate.",
        } | fields
        return create_listing(host=host, location=Point(-97.7385, 30.2590, srid=4326), **values)

    return make


@pytest.fixture
def listing(make_listing):
    return make_listing()


@pytest.fixture
def nothing_prepared_yet(db):
    """The connection starts the test with no prepared statement: they outlive the rollback that ends each test
    (`apps.core.prepared.StatementsOutliveRollbacks`), so a test that counts what gets prepared starts from none."""
    from apps.core.prepared import forget_prepared_statements

    connection.ensure_connection()
    forget_prepared_statements()


# --- The application role --------------------------------------------------------------------------------------------
# Tests talk to the database as the role the product connects as in production, which row-level security applies
# to (migrations and the test database itself are made by the owner). Tests that change the schema on purpose are
# marked `owner_role` and run as the owner.
_as_application_role = {"on": False}


@receiver(connection_created)
def _switch_new_connections_to_the_application_role(sender, connection, **kwargs):
    if _as_application_role["on"]:
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(django_settings.DATABASE_APP_ROLE)}")


@pytest.fixture(scope="session", autouse=True)
def _application_role(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        role = connection.ops.quote_name(django_settings.DATABASE_APP_ROLE)
        # pytest-django empties tables between transactional tests with TRUNCATE.
        cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"SET ROLE {role}")
    _as_application_role["on"] = True
    yield
    _as_application_role["on"] = False


@pytest.fixture(autouse=True)
def _owner_role_when_marked(request):
    if request.node.get_closest_marker("owner_role") is None:
        yield
        return
    request.getfixturevalue("db")
    _as_application_role["on"] = False
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(django_settings.DATABASE_APP_ROLE)}")
    _as_application_role["on"] = True
