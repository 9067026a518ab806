"""`manage.py cleanup_old_data`: apply the retention periods (see `apps.core.retention`)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core import retention
from apps.core.cold_storage import ColdStorageError
from apps.core.cold_storage.local import LocalColdStorage

MAX_BATCH_SIZE = 1_000_000
DAY_OPTIONS = {
    "search_queries": ("--search-queries-days", "RETENTION_SEARCH_QUERIES_DAYS"),
    "listing_views": ("--listing-views-days", "RETENTION_LISTING_VIEWS_DAYS"),
    "notifications": ("--notifications-days", "RETENTION_NOTIFICATIONS_DAYS"),
    "audit_logs": ("--audit-logs-days", "RETENTION_AUDIT_LOGS_DAYS"),
}


def _whole_number(value: object, *, option: str, minimum: int, maximum: int | None = None) -> int:
    """`value` as an int, from the command line (a string) or from `call_command` (anything), or a clear error."""
    try:
        if isinstance(value, bool | float):
            raise ValueError
        number = int(str(value).strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number, got {value!r}.") from None
    if number < minimum:
        raise CommandError(f"{option} must be at least {minimum}, got {number}.")
    if maximum is not None and number > maximum:
        raise CommandError(f"{option} must be at most {maximum}, got {number}.")
    return number


class Command(BaseCommand):
    help = (
        "Delete search queries older than 90 days, listing views older than 365 days and notifications older than "
        "365 days, and archive audit log rows older than 7 years (gzipped JSON Lines, in ARCHIVE_DIR or the "
        "ARCHIVE_S3_BUCKET) before deleting them. Whole months of the partitioned tables are dropped at once, the "
        "rest is deleted in batches. Periods come from the RETENTION_* settings unless given here; a period of 0 "
        "keeps a table's rows. Running it again right after does nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be removed and archived.")
        for table, (option, setting) in DAY_OPTIONS.items():
            parser.add_argument(
                option,
                dest=f"{table}_days",
                metavar="DAYS",
                help=f"Keep {table} for this many days (default {getattr(settings, setting)}, from {setting}).",
            )
        parser.add_argument(
            "--only",
            action="append",
            choices=list(DAY_OPTIONS),
            metavar="TABLE",
            help="Clean only this table (repeatable). One of: " + ", ".join(DAY_OPTIONS),
        )
        parser.add_argument(
            "--batch-size",
            default=None,
            metavar="N",
            help=f"Rows deleted per transaction (default {settings.RETENTION_BATCH_SIZE}, from RETENTION_BATCH_SIZE).",
        )
        parser.add_argument(
            "--archive-dir",
            default=None,
            metavar="PATH",
            help="Write audit log archives to this folder (default: the ARCHIVE_S3_BUCKET if set, else ARCHIVE_DIR).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bars.")

    def handle(self, *args, **options) -> None:
        overrides = {
            table: _whole_number(options[f"{table}_days"], option=option, minimum=0)
            for table, (option, _setting) in DAY_OPTIONS.items()
            if options[f"{table}_days"] is not None
        }
        batch_size = options["batch_size"]
        if batch_size is not None:
            batch_size = _whole_number(batch_size, option="--batch-size", minimum=1, maximum=MAX_BATCH_SIZE)
        storage = None
        if options["archive_dir"] is not None:
            if not str(options["archive_dir"]).strip():
                raise CommandError("--archive-dir must be a folder, got an empty value.")
            storage = LocalColdStorage(Path(options["archive_dir"]))
        policies = [
            policy
            for policy in retention.retention_policies(**overrides)
            if not options["only"] or policy.table in options["only"]
        ]

        dry_run = options["dry_run"]
        started = time.monotonic()
        reports = []
        try:
            with retention.only_one_cleanup():
                for policy in policies:
                    self.stdout.write(self._describe(policy, dry_run))
                    reports.append(
                        retention.apply_retention(
                            policy,
                            dry_run=dry_run,
                            batch_size=batch_size,
                            storage=storage,
                            progress=not options["no_progress"],
                        )
                    )
        except (retention.CleanupAlreadyRunning, ColdStorageError) as error:
            raise CommandError(str(error)) from error
        self._summary(reports, dry_run=dry_run, elapsed=time.monotonic() - started)

    def _describe(self, policy: retention.RetentionPolicy, dry_run: bool) -> str:
        if not policy.days:
            return f"{policy.table}: kept forever (period 0)"
        verb = "would remove" if dry_run else "removing"
        archived = ", archived first" if policy.archive else ""
        return f"{policy.table}: {verb} {policy.what} older than {policy.days} days{archived}"

    def _summary(self, reports: list[retention.RetentionReport], *, dry_run: bool, elapsed: float) -> None:
        title = "Dry run: nothing was changed." if dry_run else f"Cleanup done in {elapsed:.1f} s."
        self.stdout.write(self.style.SUCCESS(title) if not dry_run else title)
        deleted_header = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"\n  {'table':<16}  {'older than (UTC)':<20}  {'months dropped':>14}  "
            f"{deleted_header:>12}  {'archived':>9}"
        )
        self.stdout.write(f"  {'-' * 16}  {'-' * 20}  {'-' * 14}  {'-' * 12}  {'-' * 9}")
        for report in reports:
            cutoff = f"{report.cutoff:%Y-%m-%d %H:%M}" if report.cutoff else "kept forever"
            self.stdout.write(
                f"  {report.policy.table:<16}  {cutoff:<20}  {len(report.partitions_dropped):>14}  "
                f"{report.rows_deleted:>12}  {report.rows_archived:>9}"
            )
        archives = [location for report in reports for location in report.archives]
        if archives:
            self.stdout.write(f"\nArchives written ({len(archives)}):")
            for location in archives:
                self.stdout.write(f"  {location}")
        elif not dry_run and not any(report.did_anything for report in reports):
            self.stdout.write("\nNothing was older than its retention period.")
