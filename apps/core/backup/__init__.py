"""Backups of the database with PostgreSQL's own tools, and restores of them into a fresh database.

A backup is one `pg_dump` archive in the custom format (compressed, restorable table by table and in parallel)
named `<database>-<UTC time>.dump` in `BACKUP_DIR`, checked by reading its table of contents back, and copied to
the `BACKUP_S3_BUCKET` with server-side encryption when one is configured. The newest `BACKUP_KEEP` local files are
kept; an S3 bucket's own lifecycle rules should expire old copies there.

A restore goes into a database that is empty or does not exist yet (it refuses to overwrite one that has tables
unless forced, and then drops and recreates it) and brings back what `pg_dump` does not carry or what a new server
lacks: the roles the archive refers to (owners, and the application role that row-level security applies to, with
`DATABASE_APP_PASSWORD` when set) and the extensions (PostGIS...), which are created first so that a restore by the
tables' owner works even where only a superuser could restore them from the archive. Tables, data, sequences,
functions, row-level security policies, grants and default privileges then come from the archive as they were.

Both talk to PostgreSQL as the URL's user, which must be the tables' owner (or a superuser): the application role
does not see every row (row-level security), and `pg_dump` refuses rather than dump a filtered table.
"""

from apps.core.backup.dump import BackupResult, create_backup, prune_backups
from apps.core.backup.postgres import BackupError, Database, human_size, postgres_tool
from apps.core.backup.restore import RestoreResult, fetch_archive, restore_backup, run_product_checks

__all__ = [
    "BackupError",
    "BackupResult",
    "Database",
    "RestoreResult",
    "create_backup",
    "fetch_archive",
    "human_size",
    "postgres_tool",
    "prune_backups",
    "restore_backup",
    "run_product_checks",
]
