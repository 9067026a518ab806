"""The database refuses a reused idempotency key and impossible audit rows; and every constraint on our tables
is proven by a test in some app's `test_constraints.py`."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from apps.core.models import AuditLog, IdempotencyRecord
from apps.core.tests.factories import AuditLogFactory, IdempotencyRecordFactory, rejected_by
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("core", "users", "listings", "bookings", "payments", "reviews", "messaging", "notifications", "analytics")

# Constraints on our tables that need no test of their own, and why.
NOT_TESTED_ALONE = {
    # Django's `>= 0` column checks of positive integer fields, where our own `>= 1` check is stricter: any
    # value the column check refuses, ours refuses first.
    "listings_spaces_available_check": "listings_has_a_space",
    "listings_minimum_hours_check": "listings_minimum_hours_positive",
    "listings_maximum_days_check": "listings_maximum_days_positive",
}
# Django's own many-to-many tables of the user model.
DJANGO_TABLES = {"users_groups", "users_user_permissions"}


def test_an_idempotency_key_reused_by_one_user_for_one_endpoint_is_rejected():
    record = IdempotencyRecordFactory(key="retry-1")
    with rejected_by("idempotency_keys_once_per_user"):
        IdempotencyRecordFactory(user=record.user, scope=record.scope, key="retry-1")


def test_the_same_idempotency_key_from_another_user_or_for_another_endpoint_is_accepted():
    record = IdempotencyRecordFactory(key="retry-1")
    IdempotencyRecordFactory(key="retry-1", scope=record.scope)
    IdempotencyRecordFactory(user=record.user, key="retry-1", scope="POST /api/v1/reviews")
    assert IdempotencyRecord.objects.filter(key="retry-1").count() == 3


def test_a_negative_stored_status_code_is_rejected():
    record = IdempotencyRecordFactory()
    with rejected_by("idempotency_keys_status_code_check"):
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=-1)


def test_an_audit_row_about_a_negative_object_id_is_rejected():
    entry = AuditLogFactory()
    with rejected_by("audit_logs_object_id_check"):
        AuditLog.objects.filter(pk=entry.pk).update(object_id=-1)


def test_an_audit_row_outlives_the_user_it_names():
    user = UserFactory()
    entry = AuditLogFactory(user=user, target=AuditLogFactory(user=user))
    user.delete()
    entry.refresh_from_db()
    assert entry.user is None and entry.user_email == user.email


def our_tables() -> list[str]:
    tables = set()
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return sorted(tables - DJANGO_TABLES)


def test_every_constraint_on_our_tables_has_a_test_that_the_database_enforces_it():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conname FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
             WHERE rel.relname = ANY(%(tables)s) AND con.contype IN ('c', 'u', 'x')
            UNION
            SELECT idx.relname FROM pg_index i
              JOIN pg_class idx ON idx.oid = i.indexrelid JOIN pg_class rel ON rel.oid = i.indrelid
             WHERE rel.relname = ANY(%(tables)s) AND i.indisunique AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
            """,
            {"tables": our_tables()},
        )
        constraints = {name for (name,) in cursor.fetchall()}
    tests = "\n".join(path.read_text() for path in Path(settings.BASE_DIR, "apps").glob("*/tests/test_constraints.py"))

    untested = sorted(name for name in constraints - NOT_TESTED_ALONE.keys() if f'"{name}"' not in tests)

    assert "booking_space_no_overlap" in constraints
    assert untested == [], f"Constraints without a test in a test_constraints.py: {untested}"
