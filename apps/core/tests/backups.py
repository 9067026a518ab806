"""Helpers of the backup tests: a populated database, the scripts run as an operator runs them, and a fingerprint
of a whole database to compare the original with its restored copy."""

import os
import subprocess
from io import StringIO
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from apps.analytics.tests.factories import ListingViewFactory, SearchQueryFactory
from apps.core.backup import Database
from apps.core.tests.factories import IdempotencyRecordFactory
from apps.listings.models import Listing
from apps.listings.tests.factories import AvailabilityExceptionFactory, AvailabilityRuleFactory
from apps.notifications.tests.factories import NotificationFactory, PushSubscriptionFactory

SCRIPT_TIMEOUT_SECONDS = 180


def populate_database(*, listings: int = 8) -> None:
    """A few dozen rows in every main table: the demo data (users, listings with their points, spaces, bookings,
    payments, reviews, conversations, payouts, views, audit rows), plus what it does not make."""
    call_command("seed_demo", f"--listings={listings}", "--no-progress", stdout=StringIO())
    some = list(Listing.objects.order_by("id")[:3])
    for listing in some:
        AvailabilityRuleFactory(listing=listing)
        AvailabilityExceptionFactory(listing=listing)
        ListingViewFactory.create_batch(3, listing=listing)
        NotificationFactory.create_batch(4, target=listing)
    # Searches carry a point too: geometries in a partitioned table.
    SearchQueryFactory.create_batch(20, result_listing_ids=[listing.pk for listing in some])
    PushSubscriptionFactory.create_batch(3)
    IdempotencyRecordFactory.create_batch(3)


def database_under_test() -> Database:
    """The test database, reached as the connection's own user (the owner, not the application role)."""
    return Database.from_settings(connection.settings_dict)


def run_script(script: str, *arguments: str, database_url: str, **environment: str) -> subprocess.CompletedProcess:
    """Run scripts/backup or scripts/restore as an operator would, against `database_url`."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_MIGRATION_URL"}
    env.update(DATABASE_URL=database_url, **environment)
    completed = subprocess.run(
        ["bash", str(Path(settings.BASE_DIR) / "scripts" / script), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, f"{script} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed


def fingerprint(database: Database) -> dict[str, object]:
    """Everything a restore must bring back, as comparable values: for every table its row count and an md5 of its
    rows in primary-key order (a row's text holds its geometries as hex EWKB), every sequence's position, the
    row-level security flags and policies, the grants on every table, sequence and function, the default
    privileges and the extensions."""
    with database.connect() as db:
        tables = db.execute(
            """
            SELECT c.oid::regclass::text,
                   coalesce((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ordinality)
                               FROM pg_index i
                               CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ordinality)
                               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                              WHERE i.indrelid = c.oid AND i.indisprimary), 't::text')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
             ORDER BY 1
            """
        ).fetchall()
        result: dict[str, object] = {}
        for table, order in tables:
            result[f"rows {table}"] = db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {order}), '')) FROM {table} t"
            ).fetchone()
        for (sequence,) in db.execute("SELECT oid::regclass::text FROM pg_class WHERE relkind = 'S'").fetchall():
            result[f"sequence {sequence}"] = db.execute(f"SELECT last_value, is_called FROM {sequence}").fetchone()
        result["geometries"] = db.execute(
            "SELECT md5(string_agg(encode(ST_AsEWKB(location), 'hex'), ',' ORDER BY id)) FROM listings"
        ).fetchone()
        result["row level security"] = db.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relrowsecurity ORDER BY 1"
        ).fetchall()
        result["policies"] = db.execute(
            "SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies ORDER BY 1, 2"
        ).fetchall()
        result["grants"] = db.execute(
            "SELECT relname, relacl::text FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p', 'S', 'v') ORDER BY 1"
        ).fetchall()
        result["functions"] = db.execute(
            "SELECT p.oid::regprocedure::text, p.proacl::text, p.prosecdef FROM pg_proc p "
            "WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'app\\_%' ORDER BY 1"
        ).fetchall()
        result["default privileges"] = db.execute(
            "SELECT defaclrole::regrole::text, defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2"
        ).fetchall()
        result["extensions"] = db.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall()
    return result


def drop_database(database: Database) -> None:
    with psycopg.connect(
        dbname="postgres",
        user=database.user or None,
        password=database.password or None,
        host=database.host or None,
        port=database.port or None,
        autocommit=True,
    ) as server:
        server.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(database.name))
        )
