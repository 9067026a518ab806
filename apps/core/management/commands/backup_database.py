"""`manage.py backup_database` (what `scripts/backup` runs): a pg_dump archive of the database (`apps.core.backup`)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import BackupError, Database, create_backup, human_size
from apps.core.cold_storage import ColdStorageError, backup_storage


def _whole_number(value: object, *, option: str, minimum: int, maximum: int) -> int:
    try:
        if isinstance(value, bool | float):
            raise ValueError
        number = int(str(value).strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number, got {value!r}.") from None
    if not minimum <= number <= maximum:
        raise CommandError(f"{option} must be from {minimum} to {maximum}, got {number}.")
    return number


class Command(BaseCommand):
    help = (
        "Back up the database with pg_dump (custom format, compressed) into a timestamped file in BACKUP_DIR "
        "(var/backups/), check it, copy it to BACKUP_S3_BUCKET with server-side encryption when one is set, and "
        "keep the newest BACKUP_KEEP local files. Connect as the tables' owner (DATABASE_MIGRATION_URL): the "
        "application role does not see every row."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output-dir", metavar="DIR", help=f"Folder of the backups (default {settings.BACKUP_DIR})."
        )
        parser.add_argument(
            "--compress",
            metavar="LEVEL",
            default=settings.BACKUP_COMPRESS_LEVEL,
            help=f"gzip level 0-9 (default {settings.BACKUP_COMPRESS_LEVEL}, from BACKUP_COMPRESS_LEVEL).",
        )
        parser.add_argument(
            "--keep",
            metavar="N",
            default=settings.BACKUP_KEEP,
            help=f"Keep the newest N local backups of this database, 0 for all (default {settings.BACKUP_KEEP}).",
        )
        parser.add_argument(
            "--s3-bucket",
            metavar="BUCKET",
            default=None,
            help="Also upload to this bucket (default BACKUP_S3_BUCKET: "
            f"{settings.BACKUP_S3_BUCKET or 'none, the backup stays local'}).",
        )
        parser.add_argument("--no-upload", action="store_true", help="Do not upload, even when a bucket is set.")
        parser.add_argument(
            "--database-url", metavar="URL", help="Back up this database instead of the configured one (DATABASE_URL)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")

    def handle(self, *args, **options) -> None:
        compress = _whole_number(options["compress"], option="--compress", minimum=0, maximum=9)
        keep = _whole_number(options["keep"], option="--keep", minimum=0, maximum=100_000)
        directory = Path(options["output_dir"] or settings.BACKUP_DIR)
        try:
            database = (
                Database.from_url(options["database_url"])
                if options["database_url"]
                else Database.from_settings(settings.DATABASES["default"])
            )
            storage = None if options["no_upload"] else backup_storage(bucket=options["s3_bucket"])
            self.stderr.write(f"Backing up database {database.name} on {database.where} to {directory}/")
            result = create_backup(
                database,
                directory=directory,
                compress_level=compress,
                keep=keep,
                upload_to=storage,
                progress=not options["no_progress"],
            )
        except (BackupError, ColdStorageError) as error:
            raise CommandError(str(error)) from error

        shown = os.path.relpath(result.path) if result.path.is_relative_to(Path.cwd()) else str(result.path)
        self.stdout.write(self.style.SUCCESS(f"Backup done in {result.seconds:.1f} s."))
        self.stdout.write(f"  file       {shown}")
        self.stdout.write(f"  size       {human_size(result.size)} ({result.size} bytes)")
        self.stdout.write(f"  sha256     {result.sha256}")
        self.stdout.write(f"  tables     {result.tables} (about {result.rows_estimate:,} rows)")
        if result.largest_tables:
            largest = ", ".join(f"{name} ({rows:,})" for name, rows in result.largest_tables)
            self.stdout.write(f"  largest    {largest}")
        if result.uploaded_to:
            self.stdout.write(f"  uploaded   {result.uploaded_to} (server-side encryption {settings.S3_SSE})")
        if result.pruned:
            self.stdout.write(f"  pruned     {len(result.pruned)} older local backups (keeping {keep})")
        self.stdout.write(f"Restore it into a fresh database with: scripts/restore {result.uploaded_to or shown}")
