"""Data retention: how long the product keeps what it records, and the removal of anything older.

| table            | kept for (setting)                        | then                                            |
|------------------|-------------------------------------------|-------------------------------------------------|
| `search_queries` | 90 days (`RETENTION_SEARCH_QUERIES_DAYS`)  | deleted                                         |
| `listing_views`  | 365 days (`RETENTION_LISTING_VIEWS_DAYS`)  | deleted                                         |
| `audit_logs`     | 7 years (`RETENTION_AUDIT_LOGS_DAYS`)      | archived as gzipped JSON Lines, then deleted    |
| `notifications`  | 365 days (`RETENTION_NOTIFICATIONS_DAYS`)  | deleted                                         |

A period of 0 days keeps a table's rows forever.

How rows go: the first three tables are partitioned by month (`apps.core.partitions`), so a month entirely older
than the cutoff is detached and dropped whole, which costs no more for a million rows than for one. What is left
older than the cutoff (in the month the cutoff falls in, in the default partition, or in `notifications`, which is
not partitioned) is deleted in batches of at most `RETENTION_BATCH_SIZE` rows by ascending id, each batch its own
transaction, so no run holds long locks or builds a huge transaction.

Archiving (audit logs) comes before deleting, in the same transaction: a whole month is locked against writes,
written out, stored (a local folder, `ARCHIVE_DIR`, or the `ARCHIVE_S3_BUCKET`), read back, and only then dropped;
the rows left are handled one UTC day at a time the same way. An archive file holds one row per line as
PostgreSQL's `to_jsonb` of the row, and its name is made of the table, the day of its oldest row and the range of
ids it holds, so a run interrupted after storing a file and before deleting its rows stores the very same file again
(same name, same bytes) rather than a second copy. A second run finds nothing older than the cutoff and does nothing.

`core` knows no domain app: the tables are named here, as the integrity checks name them.
"""

import gzip
import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from apps.core import partitions
from apps.core.cold_storage import ColdStorage, archive_storage

logger = logging.getLogger(__name__)

# One cleanup at a time (beat and an operator's manual run): a PostgreSQL advisory lock under this key.
ADVISORY_LOCK_KEY = 0x7069_6E63_6872_6574  # "pinchret"


@dataclass(frozen=True)
class RetentionPolicy:
    table: str
    time_column: str
    days: int  # 0 keeps the rows forever
    what: str  # in words, for people reading the output
    archive: bool = False

    def cutoff(self, now: datetime) -> datetime | None:
        return now - timedelta(days=self.days) if self.days else None


def retention_policies(**days_overrides: int | None) -> list[RetentionPolicy]:
    """The policies from the settings; a keyword per table (`search_queries=30`) overrides its period."""
    policies = [
        RetentionPolicy("search_queries", "searched_at", settings.RETENTION_SEARCH_QUERIES_DAYS, "search queries"),
        RetentionPolicy("listing_views", "viewed_at", settings.RETENTION_LISTING_VIEWS_DAYS, "listing views"),
        RetentionPolicy("notifications", "created_at", settings.RETENTION_NOTIFICATIONS_DAYS, "notifications"),
        RetentionPolicy("audit_logs", "created_at", settings.RETENTION_AUDIT_LOGS_DAYS, "audit log rows", archive=True),
    ]
    return [p if (days := days_overrides.get(p.table)) is None else replace(p, days=days) for p in policies]


@dataclass
class RetentionReport:
    policy: RetentionPolicy
    cutoff: datetime | None
    dry_run: bool
    partitions_dropped: list[str] = field(default_factory=list)
    rows_deleted: int = 0
    rows_archived: int = 0
    archives: list[str] = field(default_factory=list)

    @property
    def did_anything(self) -> bool:
        return bool(self.partitions_dropped or self.rows_deleted or self.archives)


class CleanupAlreadyRunning(Exception):
    """Another cleanup holds the lock; this one did nothing."""


@contextmanager
def only_one_cleanup() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise CleanupAlreadyRunning("another cleanup of old data is running; try again when it has finished")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def apply_retention(
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int | None = None,
    storage: ColdStorage | None = None,
    progress: bool = False,
) -> RetentionReport:
    """Remove `policy.table`'s rows older than its period (archiving them first if the policy says so).
    With `dry_run`, only count what would go."""
    report = RetentionReport(policy, policy.cutoff(now or timezone.now()), dry_run)
    if report.cutoff is None:
        return report
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    if policy.archive and not dry_run and storage is None:
        storage = archive_storage()

    whole_months = [p for p in partitions.partitions_of(policy.table) if p.upper and p.upper <= report.cutoff]
    rows_in_whole_months = 0
    for partition in _bar(whole_months, f"{policy.table}: old months", "partition", progress):
        rows = _count(partition.name)
        rows_in_whole_months += rows
        if not dry_run:
            with transaction.atomic():
                if policy.archive:
                    # Nothing may be added to the month between writing it out and dropping it.
                    with connection.cursor() as cursor:
                        cursor.execute(f"LOCK TABLE {_quote(partition.name)} IN SHARE MODE")
                    report.archives += _archive(policy, storage, source=partition.name, progress=progress)
                    report.rows_archived += rows
                partitions.drop_partition(policy.table, partition.name)
        report.partitions_dropped.append(partition.name)
        report.rows_deleted += rows

    if dry_run:
        left = _count(policy.table, column=policy.time_column, before=report.cutoff) - rows_in_whole_months
        report.rows_deleted += left
        report.rows_archived += left if policy.archive else 0
    elif policy.archive:
        _archive_and_delete_by_day(policy, report, storage, batch_size=batch_size, progress=progress)
    else:
        _delete_in_batches(policy, report, batch_size=batch_size, progress=progress)
    logger.info(
        "retention %s: cutoff %s, %d partitions dropped, %d rows deleted, %d archived%s",
        policy.table,
        report.cutoff.isoformat(),
        len(report.partitions_dropped),
        report.rows_deleted,
        report.rows_archived,
        " (dry run)" if dry_run else "",
    )
    return report


def _delete_in_batches(policy: RetentionPolicy, report: RetentionReport, *, batch_size: int, progress: bool) -> None:
    """Delete the rows older than the cutoff, at most `batch_size` of them per transaction, lowest ids first."""
    table, column = _quote(policy.table), _quote(policy.time_column)
    total = _count(policy.table, column=policy.time_column, before=report.cutoff)
    with _bar(None, f"{policy.table}: deleting", "row", progress, total=total) as bar:
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                # The id below which this batch lies; none when fewer than a batch are left.
                cursor.execute(
                    f"SELECT id FROM {table} WHERE {column} < %s ORDER BY id OFFSET %s LIMIT 1",  # noqa: S608 - quoted names
                    [report.cutoff, batch_size - 1],
                )
                upper = cursor.fetchone()
                if upper is None:
                    cursor.execute(f"DELETE FROM {table} WHERE {column} < %s", [report.cutoff])  # noqa: S608 - quoted names
                else:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE {column} < %s AND id <= %s",  # noqa: S608 - quoted names
                        [report.cutoff, upper[0]],
                    )
                deleted = cursor.rowcount
            bar.update(deleted)
            report.rows_deleted += deleted
            if upper is None:
                return


def _archive_and_delete_by_day(
    policy: RetentionPolicy, report: RetentionReport, storage: ColdStorage, *, batch_size: int, progress: bool
) -> None:
    """Archive then delete the rows older than the cutoff, one UTC day per transaction."""
    table, column = _quote(policy.table), _quote(policy.time_column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('day', {column}, 'UTC') FROM {table} WHERE {column} < %s ORDER BY 1",  # noqa: S608
            [report.cutoff],
        )
        days = [day for (day,) in cursor.fetchall()]
    for day in _bar(days, f"{policy.table}: archiving", "day", progress):
        until = min(day + timedelta(days=1), report.cutoff)
        with transaction.atomic():
            ids: list[int] = []
            report.archives += _archive(policy, storage, source=policy.table, since=day, until=until, ids=ids)
            with connection.cursor() as cursor:
                for start in range(0, len(ids), batch_size):
                    cursor.execute(
                        f"DELETE FROM {table} WHERE {column} >= %s AND {column} < %s AND id = ANY(%s)",  # noqa: S608
                        [day, until, ids[start : start + batch_size]],
                    )
                    report.rows_deleted += cursor.rowcount
            report.rows_archived += len(ids)


def _archive(
    policy: RetentionPolicy,
    storage: ColdStorage,
    *,
    source: str,
    since: datetime | None = None,
    until: datetime | None = None,
    ids: list[int] | None = None,
    progress: bool = False,
) -> list[str]:
    """Write the rows of `source` (between `since` and `until` if given) to one gzipped JSON Lines file, store it,
    and return its location (nothing when there were no rows). The ids written are appended to `ids`."""
    column = _quote(policy.time_column)
    where, params = "", []
    if since is not None:
        where, params = f"WHERE {column} >= %s AND {column} < %s", [since, until]
    archive = ArchiveFile(policy.table)
    try:
        # A server-side cursor: a month of rows is streamed, never held in memory at once.
        with connection.connection.cursor(name="retention_archive") as cursor:
            cursor.itersize = 2000
            cursor.execute(
                f"SELECT t.id, t.{column}, to_jsonb(t)::text FROM {_quote(source)} t {where} ORDER BY t.id",  # noqa: S608
                params,
            )
            for row_id, moment, line in cursor:
                archive.write(row_id, moment, line)
                if ids is not None:
                    ids.append(row_id)
        if not archive.rows:
            return []
        return [storage.put(archive.close(), archive.key(), progress=progress)]
    finally:
        archive.discard()


class ArchiveFile:
    """A gzipped JSON Lines file being written in a temporary folder. The gzip header carries no time, so the
    same rows always give the same bytes."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.rows = 0
        self.first_id: int | None = None
        self.last_id: int | None = None
        self.oldest: datetime | None = None
        self._directory = tempfile.TemporaryDirectory(prefix="pinch-archive-")
        self.path = Path(self._directory.name) / f"{table}.jsonl.gz"
        self._raw = open(self.path, "wb")  # noqa: SIM115 - closed by close() or discard()
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)

    def write(self, row_id: int, moment: datetime, line: str) -> None:
        self._gzip.write(line.encode() + b"\n")
        self.rows += 1
        self.first_id = row_id if self.first_id is None else self.first_id
        self.last_id = row_id
        self.oldest = moment if self.oldest is None else min(self.oldest, moment)

    def close(self) -> Path:
        self._gzip.close()
        self._raw.close()
        return self.path

    def key(self) -> str:
        assert self.oldest is not None, "an empty archive has no name"
        oldest = self.oldest.astimezone(UTC)
        return f"{self.table}/{oldest:%Y/%m}/{self.table}-{oldest:%Y%m%d}-{self.first_id}-{self.last_id}.jsonl.gz"

    def discard(self) -> None:
        self._gzip.close()
        self._raw.close()
        self._directory.cleanup()


def _count(table: str, *, before: datetime | None = None, column: str | None = None) -> int:
    with connection.cursor() as cursor:
        if before is None:
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - quoted name
        else:
            cursor.execute(f"SELECT count(*) FROM {_quote(table)} WHERE {_quote(column)} < %s", [before])  # noqa: S608
        return cursor.fetchone()[0]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _bar(items, description: str, unit: str, progress: bool, *, total: int | None = None) -> tqdm:
    # `disable=None` when asked: drawn on a terminal, silent when stderr goes to a file or a pipe.
    return tqdm(
        items,
        total=total,
        desc=description,
        unit=unit,
        file=sys.stderr,
        disable=None if progress else True,
        leave=False,
    )
