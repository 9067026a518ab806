"""`manage.py restore_database` (what `scripts/restore` runs): a backup into a fresh database, see
`apps.core.backup`."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import BackupError, Database, fetch_archive, human_size, restore_backup, run_product_checks

MAX_JOBS = 32


class Command(BaseCommand):
    help = (
        "Restore a backup made by scripts/backup (a file, or s3://bucket/key) into a database that is empty or does "
        "not exist yet: the configured one, or --database NAME on the same server. Recreates the extensions "
        "(PostGIS...), the roles the backup names (the application role too) and everything the backup holds "
        "(tables, data, sequences, row-level security policies, grants), then runs check_integrity on the result. "
        "Refuses a database that has tables unless --force, which drops it first."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", metavar="BACKUP", help="A .dump file, or s3://bucket/path/to/file.dump.")
        parser.add_argument(
            "--database", metavar="NAME", help="Restore into this database on the same server (created if needed)."
        )
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help="Server, user and database to restore into (default: DATABASE_URL, the tables' owner).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Drop the target database first when it is not empty. Careful."
        )
        parser.add_argument(
            "--jobs",
            metavar="N",
            default=min(4, os.cpu_count() or 1),
            help="Parallel pg_restore jobs (default: the number of cores, at most 4).",
        )
        parser.add_argument(
            "--download-dir",
            metavar="DIR",
            help=f"Where an s3:// backup is downloaded to (default {settings.BACKUP_DIR}).",
        )
        parser.add_argument("--no-check", action="store_true", help="Do not run check_integrity afterwards.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bars.")

    def handle(self, *args, **options) -> None:
        try:
            jobs = int(str(options["jobs"]).strip())
        except ValueError:
            raise CommandError(f"--jobs must be a whole number, got {options['jobs']!r}.") from None
        if not 1 <= jobs <= MAX_JOBS:
            raise CommandError(f"--jobs must be from 1 to {MAX_JOBS}, got {jobs}.")
        source = str(options["source"]).strip()
        if not source:
            raise CommandError("BACKUP must name a backup file or an s3:// location.")
        progress = not options["no_progress"]
        try:
            target = (
                Database.from_url(options["database_url"])
                if options["database_url"]
                else Database.from_settings(settings.DATABASES["default"])
            )
            if options["database"] is not None:
                name = options["database"].strip()
                if not name:
                    raise CommandError("--database must name a database, got an empty value.")
                target = target.named(name)
            archive = fetch_archive(
                source, directory=Path(options["download_dir"] or settings.BACKUP_DIR), progress=progress
            )
            self.stderr.write(
                f"Restoring {archive} ({human_size(archive.stat().st_size)}) into {target.name} on {target.where}"
            )
            result = restore_backup(
                archive,
                target,
                force=options["force"],
                jobs=jobs,
                application_role=settings.DATABASE_APP_ROLE,
                application_password=settings.DATABASE_APP_PASSWORD,
                progress=progress,
                say=lambda message: self.stderr.write(f"  {message}"),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(self.style.SUCCESS(f"Restore done in {result.seconds:.1f} s."))
        self.stdout.write(f"  database   {target.name} on {target.where}")
        self.stdout.write(f"  from       {source} ({human_size(result.size)})")
        self.stdout.write(f"  tables     {result.tables} (about {result.rows:,} rows)")
        self.stdout.write(f"  extensions {', '.join(result.extensions) or 'none'}")
        self.stdout.write(f"  roles made {', '.join(result.roles_created) or 'none (all existed)'}")
        if options["no_check"]:
            return
        self.stderr.write("Checking the restored data (manage.py check_integrity)...")
        passed, report = run_product_checks(target, manage_py=Path(settings.BASE_DIR) / "manage.py")
        self.stdout.write(report)
        if not passed:
            raise CommandError(f"the restored database {target.name} fails the integrity checks (above).")
