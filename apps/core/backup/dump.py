"""Making a backup: `pg_dump` into a checked, timestamped archive, uploaded and pruned."""

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from apps.core.backup.postgres import SYSTEM_SCHEMAS, BackupError, Database, postgres_tool, progress_bar, run_tool
from apps.core.cold_storage import ColdStorage, ColdStorageError


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    seconds: float
    tables: int
    rows_estimate: int
    largest_tables: list[tuple[str, int]]
    uploaded_to: str = ""
    pruned: list[Path] = field(default_factory=list)


def create_backup(
    database: Database,
    *,
    directory: Path,
    compress_level: int = 6,
    keep: int = 0,
    upload_to: ColdStorage | None = None,
    progress: bool = False,
    now: datetime | None = None,
) -> BackupResult:
    """Dump `database` into a new timestamped archive in `directory`, check it, upload it when asked, and prune
    the older local archives beyond `keep` (0 keeps all)."""
    if not 0 <= compress_level <= 9:
        raise BackupError(f"the compression level must be 0 to 9, got {compress_level}")
    started = time.monotonic()
    with database.connect() as connection:
        tables = connection.execute(
            """
            SELECT count(*) FILTER (WHERE c.relkind = 'r'), coalesce(sum(s.n_live_tup), 0)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
             WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%'
            """,
            [list(SYSTEM_SCHEMAS)],
        ).fetchone()
        largest = connection.execute(
            """
            SELECT s.relname, s.n_live_tup FROM pg_stat_user_tables s
             WHERE s.n_live_tup > 0
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_class'::regclass AND d.objid = s.relid AND d.deptype = 'e')
             ORDER BY s.n_live_tup DESC, s.relname LIMIT 5
            """
        ).fetchall()
    table_count, rows_estimate = int(tables[0]), int(tables[1])

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot create the backup folder {directory}: {error}") from None
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    path = directory / f"{database.name}-{moment:%Y%m%dT%H%M%SZ}.dump"
    suffix = 1
    while path.exists():
        suffix += 1
        path = directory / f"{database.name}-{moment:%Y%m%dT%H%M%SZ}-{suffix}.dump"
    partial = path.with_name(path.name + ".partial")

    with progress_bar(table_count, f"dumping {database.name}", "table", progress) as bar:

        def on_line(line: str) -> None:
            if "dumping contents of table" in line and bar.n < bar.total:
                bar.update(1)

        try:
            run_tool(
                [
                    postgres_tool("pg_dump"),
                    "--format=custom",
                    f"--compress={compress_level}",
                    "--verbose",
                    "--no-password",
                    # Wait at most this long for a table's lock (a migration holding one) instead of hanging.
                    "--lock-wait-timeout=120s",
                    f"--file={partial}",
                ],
                database,
                on_line=on_line,
            )
            _check_archive(partial, database)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.rename(path)

    result = BackupResult(
        path=path,
        size=path.stat().st_size,
        sha256=_sha256(path),
        seconds=0.0,
        tables=table_count,
        rows_estimate=rows_estimate,
        largest_tables=[(name, int(rows)) for name, rows in largest],
    )
    if upload_to is not None:
        try:
            result.uploaded_to = upload_to.put(path, path.name, progress=progress)
        except ColdStorageError as error:
            raise BackupError(f"the backup {path} was made but not uploaded: {error}") from error
    if keep:
        result.pruned = prune_backups(directory, database.name, keep=keep)
    result.seconds = time.monotonic() - started
    return result


def _check_archive(path: Path, database: Database) -> int:
    """Read the archive's table of contents back; returns how many tables' data it holds."""
    listing = run_tool([postgres_tool("pg_restore"), "--list", str(path)], database).stdout
    return sum(1 for line in listing.splitlines() if " TABLE DATA " in line)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as archive:
        for block in iter(lambda: archive.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def prune_backups(directory: Path, database_name: str, *, keep: int) -> list[Path]:
    """Delete this database's local archives beyond the newest `keep` (their names sort by time)."""
    name_pattern = re.compile(rf"{re.escape(database_name)}-\d{{8}}T\d{{6}}Z(-\d+)?\.dump")
    archives = sorted(path for path in directory.glob("*.dump") if name_pattern.fullmatch(path.name))
    pruned = archives[:-keep] if keep and len(archives) > keep else []
    for path in pruned:
        path.unlink()
    return pruned
