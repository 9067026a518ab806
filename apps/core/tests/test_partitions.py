"""The append-only tables are partitioned by month: rows land in their month's partition, partitions are made
ahead by a beat task, the application role can keep them without owning the tables, and the migration that
partitions the tables keeps every row."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.analytics.models import ListingView
from apps.analytics.tests.factories import ListingViewFactory, SearchQueryFactory
from apps.core import partitions
from apps.core.models import AuditLog
from apps.core.tasks import create_partitions_ahead
from apps.core.tests.factories import AuditLogFactory

pytestmark = pytest.mark.django_db

APPEND_ONLY = {"audit_logs": "created_at", "listing_views": "viewed_at", "search_queries": "searched_at"}


def partition_holding(table: str, row_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [row_id])
        return cursor.fetchone()[0]


def names(table: str) -> list[str]:
    return [partition.name for partition in partitions.partitions_of(table)]


def test_the_append_only_tables_are_partitioned_by_month_and_notifications_are_not():
    assert partitions.partitioned_tables() == APPEND_ONLY


def test_each_table_has_this_month_the_months_ahead_and_a_default_partition():
    this_month = partitions.month_of(timezone.now())
    for table in APPEND_ONLY:
        expected = [
            partitions.partition_name(table, partitions.add_months(this_month, offset))
            for offset in range(settings.PARTITION_MONTHS_AHEAD + 1)
        ]
        assert set(expected) <= set(names(table))
        assert names(table)[-1] == f"{table}_default"


def test_a_row_lands_in_the_partition_of_its_month_and_an_unforeseen_month_in_the_default_one():
    now = timezone.now()
    recent = ListingViewFactory()
    ancient = ListingViewFactory()
    ListingView.objects.filter(pk=ancient.pk).update(viewed_at=now - timedelta(days=3000))

    assert partition_holding("listing_views", recent.pk) == partitions.partition_name("listing_views", now.date())
    assert partition_holding("listing_views", ancient.pk) == "listing_views_default"
    # Django still finds every row by its id alone.
    assert ListingView.objects.get(pk=ancient.pk).listing_id == ancient.listing_id


def test_creating_a_month_moves_in_the_rows_the_default_partition_caught_and_a_second_time_does_nothing():
    entry = AuditLogFactory()
    long_ago = datetime(2019, 3, 14, 15, 9, tzinfo=UTC)
    AuditLog.objects.filter(pk=entry.pk).update(created_at=long_ago)
    assert partition_holding("audit_logs", entry.pk) == "audit_logs_default"

    assert partitions.create_month_partition("audit_logs", date(2019, 3, 1)) == "audit_logs_p201903"
    assert partitions.create_month_partition("audit_logs", date(2019, 3, 1)) is None

    assert partition_holding("audit_logs", entry.pk) == "audit_logs_p201903"
    march = next(p for p in partitions.partitions_of("audit_logs") if p.name == "audit_logs_p201903")
    assert (march.lower, march.upper) == (datetime(2019, 3, 1, tzinfo=UTC), datetime(2019, 4, 1, tzinfo=UTC))


def test_the_beat_task_creates_the_coming_months_as_the_application_role_with_the_tables_grants():
    # Tests talk to the database as the application role, which owns no table (see conftest).
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE

    created = partitions.create_partitions_ahead(now=timezone.now() + timedelta(days=365), months_ahead=1)

    assert set(created) == set(APPEND_ONLY)
    assert all(len(new) == 2 for new in created.values())
    with connection.cursor() as cursor:
        for partition in created["search_queries"]:
            cursor.execute(
                "SELECT pg_get_userbyid(relowner), has_table_privilege(%s, oid, 'SELECT, INSERT, UPDATE, DELETE') "
                "FROM pg_class WHERE relname = %s",
                [settings.DATABASE_APP_ROLE, partition],
            )
            owner, may_use = cursor.fetchone()
            assert owner != settings.DATABASE_APP_ROLE
            assert may_use
    assert create_partitions_ahead.delay().get() == {table: [] for table in APPEND_ONLY}


def test_the_beat_schedule_creates_partitions_and_cleans_up_daily():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"apps.core.tasks.create_partitions_ahead", "apps.core.tasks.cleanup_old_data"} <= tasks


@pytest.mark.parametrize(
    ("function", "arguments"),
    [
        ("app_create_month_partition", ["users", date(2030, 1, 1)]),
        ("app_drop_partition", ["users", "users_pkey"]),
        ("app_drop_partition", ["listing_views", "listing_views_default"]),
        ("app_drop_partition", ["listing_views", "search_queries_default"]),
    ],
)
def test_the_partition_functions_touch_nothing_but_monthly_partitions_of_partitioned_tables(function, arguments):
    with pytest.raises(DatabaseError, match="is not a"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", arguments)


def test_nobody_else_may_call_the_partition_functions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname FROM pg_proc p WHERE p.proname IN ('app_create_month_partition', 'app_drop_partition') "
            "AND has_function_privilege('public', p.oid, 'EXECUTE')"
        )
        assert cursor.fetchall() == []


@pytest.mark.slow
@pytest.mark.owner_role
@pytest.mark.django_db(transaction=True)
def test_partitioning_keeps_the_rows_that_were_there_and_ids_go_on_from_where_they_were():
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0003_idempotency_keys"), ("analytics", "0001_create_analytics_tables")])
    assert partitions.partitioned_tables() == {}
    view = ListingViewFactory()
    ListingView.objects.filter(pk=view.pk).update(viewed_at=datetime(2024, 2, 29, 12, tzinfo=UTC))
    search = SearchQueryFactory()
    entry = AuditLogFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM listing_views t")
        views_before = cursor.fetchone()[0]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert partitions.partitioned_tables() == APPEND_ONLY
    with connection.cursor() as cursor:
        cursor.execute("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM listing_views t")
        assert cursor.fetchone()[0] == views_before
    assert partition_holding("listing_views", view.pk) == "listing_views_p202402"
    assert partition_holding("search_queries", search.pk) == partitions.partition_name("search_queries", date.today())
    assert AuditLog.objects.get(pk=entry.pk).description == entry.description
    assert ListingViewFactory().pk > view.pk
    assert AuditLogFactory().pk > entry.pk
