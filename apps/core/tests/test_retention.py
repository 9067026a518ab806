"""Retention: search queries, listing views and notifications past their period are deleted, whole months at once
where the table is partitioned and in batches otherwise; audit log rows past seven years are archived (gzipped JSON
Lines, locally or in S3) before they are deleted; a second run does nothing."""

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import boto3
import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.analytics.models import ListingView, SearchQuery
from apps.analytics.tests.factories import ListingViewFactory, SearchQueryFactory
from apps.core import partitions, retention
from apps.core.cold_storage import ColdStorageError
from apps.core.cold_storage.local import LocalColdStorage
from apps.core.models import AuditLog
from apps.core.tasks import cleanup_old_data
from apps.core.tests.factories import AuditLogFactory
from apps.core.tests.fake_s3 import CREDENTIALS, REGION, fake_s3_server
from apps.notifications.models import Notification
from apps.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def policy(table: str) -> retention.RetentionPolicy:
    return next(p for p in retention.retention_policies() if p.table == table)


def aged(model, factory, days: float, column: str, **fields):
    row = factory(**fields)
    model.objects.filter(pk=row.pk).update(**{column: NOW - timedelta(days=days)})
    return row


def rows_committed() -> None:
    """Run the foreign key checks the test's rows deferred, as their commit would: PostgreSQL refuses to drop a
    partition with checks still pending (in production the rows were committed long before)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def archived_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.rglob("*.jsonl.gz")) for line in gzip.open(path, "rt")]


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"
    settings.ARCHIVE_S3_BUCKET = ""
    return settings.ARCHIVE_DIR


def test_search_queries_older_than_90_days_are_deleted_and_younger_ones_kept():
    old = aged(SearchQuery, SearchQueryFactory, 90.01, "searched_at")
    young = aged(SearchQuery, SearchQueryFactory, 89.99, "searched_at")

    report = retention.apply_retention(policy("search_queries"), now=NOW)

    assert list(SearchQuery.objects.values_list("pk", flat=True)) == [young.pk]
    assert report.rows_deleted == 1 and not SearchQuery.objects.filter(pk=old.pk).exists()


def test_listing_views_older_than_a_year_are_deleted_and_younger_ones_kept():
    aged(ListingView, ListingViewFactory, 366, "viewed_at")
    young = aged(ListingView, ListingViewFactory, 364, "viewed_at")

    retention.apply_retention(policy("listing_views"), now=NOW)

    assert list(ListingView.objects.values_list("pk", flat=True)) == [young.pk]


def test_a_month_wholly_past_the_period_is_dropped_as_a_partition_and_the_month_of_the_cutoff_loses_its_old_rows():
    cutoff = NOW - timedelta(days=365)
    old_month = partitions.add_months(partitions.month_of(cutoff), -2)
    cutoff_month = partitions.month_of(cutoff)
    for month in (old_month, partitions.add_months(old_month, 1), cutoff_month):
        partitions.create_month_partition("listing_views", month)
    in_old_month = [
        aged(ListingView, ListingViewFactory, (NOW - partitions.month_start(old_month)).days - 1, "viewed_at")
        for _ in range(3)
    ]
    before_cutoff = aged(ListingView, ListingViewFactory, 365 + 1 / 24, "viewed_at")
    after_cutoff = aged(ListingView, ListingViewFactory, 365 - 1 / 24, "viewed_at")
    rows_committed()

    report = retention.apply_retention(policy("listing_views"), now=NOW)

    dropped = partitions.partition_name("listing_views", old_month)
    assert dropped in report.partitions_dropped
    assert dropped not in [p.name for p in partitions.partitions_of("listing_views")]
    assert report.rows_deleted == len(in_old_month) + 1
    remaining = set(ListingView.objects.values_list("pk", flat=True))
    assert before_cutoff.pk not in remaining and after_cutoff.pk in remaining
    assert partitions.partition_name("listing_views", cutoff_month) in [
        p.name for p in partitions.partitions_of("listing_views")
    ]


def test_notifications_are_deleted_in_bounded_batches_by_id():
    old = [aged(Notification, NotificationFactory, 400, "created_at") for _ in range(5)]
    young = aged(Notification, NotificationFactory, 10, "created_at")

    with CaptureQueriesContext(connection) as queries:
        report = retention.apply_retention(policy("notifications"), now=NOW, batch_size=2)

    deletes = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1
    assert report.rows_deleted == len(old)
    assert list(Notification.objects.values_list("pk", flat=True)) == [young.pk]


def test_audit_rows_older_than_seven_years_are_archived_to_json_lines_before_they_are_deleted(archive_dir):
    first = aged(AuditLog, AuditLogFactory, 2558, "created_at", description="First of the old")
    second = aged(AuditLog, AuditLogFactory, 2557.5, "created_at", description="Second of the old")
    kept = aged(AuditLog, AuditLogFactory, 2556, "created_at")

    report = retention.apply_retention(policy("audit_logs"), now=NOW)

    lines = archived_lines(archive_dir)
    assert [line["id"] for line in lines] == [first.pk, second.pk]
    assert lines[0]["description"] == "First of the old" and lines[0]["user_email"] == first.user_email
    assert report.rows_archived == report.rows_deleted == 2
    assert all(Path(location).is_relative_to(archive_dir) for location in report.archives)
    assert list(AuditLog.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_whole_old_month_of_audit_rows_is_archived_then_dropped(archive_dir):
    month = date(2010, 5, 1)
    partitions.create_month_partition("audit_logs", month)
    days_ago = (NOW - datetime(2010, 5, 20, tzinfo=UTC)).days
    rows = [aged(AuditLog, AuditLogFactory, days_ago, "created_at") for _ in range(3)]
    rows_committed()

    report = retention.apply_retention(policy("audit_logs"), now=NOW)

    assert report.partitions_dropped == ["audit_logs_p201005"]
    assert [line["id"] for line in archived_lines(archive_dir)] == [row.pk for row in rows]
    assert [Path(location).name for location in report.archives] == [
        f"audit_logs-20100520-{rows[0].pk}-{rows[-1].pk}.jsonl.gz"
    ]
    assert not AuditLog.objects.filter(pk__in=[row.pk for row in rows]).exists()


def test_a_second_run_does_nothing_and_writes_no_second_archive(archive_dir):
    aged(AuditLog, AuditLogFactory, 3000, "created_at")
    aged(SearchQuery, SearchQueryFactory, 100, "searched_at")
    call_command("cleanup_old_data", "--no-progress", stdout=StringIO())
    files = sorted(archive_dir.rglob("*"))

    output = StringIO()
    call_command("cleanup_old_data", "--no-progress", stdout=output)

    assert sorted(archive_dir.rglob("*")) == files
    assert "Nothing was older than its retention period." in output.getvalue()


class StoresThenFails(LocalColdStorage):
    """A storage whose connection drops right after a file arrived: the run stops before deleting the rows."""

    def put(self, local_path, key, *, progress=False):
        super().put(local_path, key)
        raise ColdStorageError("connection reset")


def test_a_run_stopped_after_archiving_stores_the_very_same_file_again_instead_of_a_copy(archive_dir):
    entries = [aged(AuditLog, AuditLogFactory, 3000, "created_at") for _ in range(2)]
    with pytest.raises(ColdStorageError):
        retention.apply_retention(policy("audit_logs"), now=NOW, storage=StoresThenFails(archive_dir))
    assert AuditLog.objects.count() == 2
    (stored,) = archive_dir.rglob("*.jsonl.gz")
    first_bytes = stored.read_bytes()

    retention.apply_retention(policy("audit_logs"), now=NOW)

    assert list(archive_dir.rglob("*.jsonl.gz")) == [stored]
    assert stored.read_bytes() == first_bytes
    assert [line["id"] for line in archived_lines(archive_dir)] == [entry.pk for entry in entries]
    assert not AuditLog.objects.exists()


def test_a_dry_run_counts_what_would_go_and_changes_nothing(archive_dir):
    aged(SearchQuery, SearchQueryFactory, 100, "searched_at")
    aged(AuditLog, AuditLogFactory, 3000, "created_at")
    output = StringIO()

    call_command("cleanup_old_data", "--dry-run", "--no-progress", stdout=output)

    assert SearchQuery.objects.count() == 1 and AuditLog.objects.count() == 1
    assert not archive_dir.exists()
    text = output.getvalue()
    assert "Dry run: nothing was changed." in text
    rows = {line.split()[0]: line.split()[-3:] for line in text.splitlines() if line.startswith("  ") and "_" in line}
    # months dropped, would delete, archived
    assert rows["search_queries"] == ["0", "1", "0"]
    assert rows["audit_logs"] == ["0", "1", "1"]


def test_periods_and_the_archive_folder_are_taken_from_the_command_line(tmp_path):
    aged(SearchQuery, SearchQueryFactory, 40, "searched_at")
    aged(AuditLog, AuditLogFactory, 40, "created_at")

    call_command(
        "cleanup_old_data",
        "--search-queries-days=30",
        "--audit-logs-days=30",
        f"--archive-dir={tmp_path / 'elsewhere'}",
        "--no-progress",
        stdout=StringIO(),
    )

    assert not SearchQuery.objects.exists() and not AuditLog.objects.exists()
    assert len(archived_lines(tmp_path / "elsewhere")) == 1


def test_a_period_of_zero_keeps_a_table_forever():
    aged(SearchQuery, SearchQueryFactory, 5000, "searched_at")
    call_command("cleanup_old_data", "--only=search_queries", "--search-queries-days=0", stdout=StringIO())
    assert SearchQuery.objects.count() == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--batch-size=many"], "--batch-size must be a whole number, got 'many'."),
        (["--batch-size=0"], "--batch-size must be at least 1, got 0."),
        (["--listing-views-days=-5"], "--listing-views-days must be at least 0, got -5."),
        (["--archive-dir= "], "--archive-dir must be a folder"),
    ],
)
def test_bad_options_are_refused_with_a_message_naming_them(arguments, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("cleanup_old_data", *arguments, stdout=StringIO())


def test_a_cleanup_while_another_runs_is_refused():
    params = connection.get_connection_params()
    with psycopg.connect(**params) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [retention.ADVISORY_LOCK_KEY])
        with pytest.raises(CommandError, match="another cleanup of old data is running"):
            call_command("cleanup_old_data", stdout=StringIO())


def test_the_daily_task_cleans_every_table(archive_dir):
    aged(SearchQuery, SearchQueryFactory, 100, "searched_at")
    aged(AuditLog, AuditLogFactory, 3000, "created_at")

    outcome = cleanup_old_data.delay().get()

    assert outcome["search_queries"]["rows_deleted"] == 1
    assert outcome["audit_logs"]["rows_archived"] == 1
    assert set(outcome) == {"search_queries", "listing_views", "notifications", "audit_logs"}


@pytest.fixture
def s3_archive(settings, monkeypatch):
    with fake_s3_server() as endpoint:
        for name, value in CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        settings.S3_ENDPOINT_URL, settings.S3_REGION = endpoint, REGION
        settings.ARCHIVE_S3_BUCKET, settings.ARCHIVE_S3_PREFIX = "pinch-archive", "audit/"
        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
        client.create_bucket(Bucket="pinch-archive")
        yield client


def test_with_an_archive_bucket_audit_rows_are_archived_to_s3_encrypted_at_rest(s3_archive, tmp_path):
    entry = aged(AuditLog, AuditLogFactory, 3000, "created_at")

    report = retention.apply_retention(policy("audit_logs"), now=NOW)

    (location,) = report.archives
    assert location.startswith("s3://pinch-archive/audit/audit_logs/")
    key = location.removeprefix("s3://pinch-archive/")
    head = s3_archive.head_object(Bucket="pinch-archive", Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    body = gzip.decompress(s3_archive.get_object(Bucket="pinch-archive", Key=key)["Body"].read())
    assert [json.loads(line)["id"] for line in body.splitlines()] == [entry.pk]
    assert not AuditLog.objects.exists()


def test_a_table_whose_archive_cannot_be_stored_keeps_its_rows_and_the_others_are_still_cleaned(s3_archive, settings):
    settings.ARCHIVE_S3_BUCKET = "no-such-bucket"
    entry = aged(AuditLog, AuditLogFactory, 3000, "created_at")
    aged(SearchQuery, SearchQueryFactory, 100, "searched_at")

    with pytest.raises(ColdStorageError, match="no-such-bucket"):
        cleanup_old_data.delay().get()

    assert not SearchQuery.objects.exists()
    assert list(AuditLog.objects.values_list("pk", flat=True)) == [entry.pk]
