"""Migrations build the whole schema from nothing, undo cleanly, match the models, and create the extensions,
indexes and constraints the queries and invariants rely on."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.listings.tests.factories import ListingFactory

OUR_APPS = ("core", "users", "listings", "bookings", "payments", "reviews", "messaging", "notifications", "analytics")


def table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def give_the_application_role_back_its_test_rights() -> None:
    # The tables were dropped and made again; the test session lets the application role empty them between
    # transactional tests (see conftest), which the new tables must allow too.
    role = connection.ops.quote_name(settings.DATABASE_APP_ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")


@pytest.mark.slow
@pytest.mark.owner_role
@pytest.mark.django_db(transaction=True)
def test_migrations_unapply_to_zero_and_apply_again_from_nothing():
    executor = MigrationExecutor(connection)
    executor.migrate([(app, None) for app in OUR_APPS])
    executor.loader.build_graph()
    assert not table_names() & {"users", "listings", "bookings", "transactions", "reviews", "audit_logs"}

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert {"users", "listings", "listing_spaces", "bookings", "transactions", "reviews", "audit_logs"} <= table_names()

    give_the_application_role_back_its_test_rights()
    # PostGIS was dropped and created again: later tests must not use the old types' ids.
    connection.close()
    listing = ListingFactory()
    assert listing.time_zone == "America/Chicago"
    assert listing.spaces.count() == 1


@pytest.mark.django_db
def test_the_models_need_no_migration_that_is_not_written():
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output, stderr=output)
    assert "No changes detected" in output.getvalue()


@pytest.mark.django_db
def test_the_extensions_the_schema_needs_are_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {name for (name,) in cursor.fetchall()}
    assert {"postgis", "btree_gist", "pg_trgm", "pgcrypto"} <= extensions


def index_definitions(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_listings_have_spatial_full_text_and_partial_indexes():
    indexes = index_definitions("listings")
    definitions = list(indexes.values())

    assert any("USING gist (location)" in definition for definition in definitions)
    assert "USING gist (((location)::geography))" in indexes["idx_listings_location_geog"]
    assert "USING gin (search_vector)" in indexes["idx_listings_search"]
    assert "(is_active, city) WHERE (NOT is_deleted)" in indexes["idx_listings_active_city"]
    assert "(created_at) WHERE (is_active AND (NOT is_deleted))" in indexes["idx_active_listings"]


@pytest.mark.django_db
def test_bookings_have_the_indexes_their_lookups_use():
    indexes = index_definitions("bookings")

    assert "(listing_id, start_datetime, end_datetime)" in indexes["idx_bookings_listing_dates"]
    assert "(guest_id, status)" in indexes["idx_bookings_guest_status"]
    assert "(start_datetime) WHERE ((status)::text = 'CONFIRMED'::text)" in indexes["idx_confirmed_bookings"]
    assert indexes["booking_idempotency_key_per_guest"].startswith("CREATE UNIQUE INDEX")


@pytest.mark.django_db
def test_the_no_overlap_exclusion_constraint_covers_active_bookings_of_a_space_with_half_open_windows():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'booking_space_no_overlap'"
        )
        [(kind, definition)] = cursor.fetchall()

    assert kind == "x"
    assert definition.startswith("EXCLUDE USING gist (space_id WITH =, tstzrange(start_datetime, end_datetime, '[)'")
    assert "WITH &&" in definition
    for status in ("PENDING", "CONFIRMED", "IN_PROGRESS"):
        assert f"'{status}'" in definition
    for status in ("CANCELLED", "COMPLETED", "NO_SHOW"):
        assert f"'{status}'" not in definition
