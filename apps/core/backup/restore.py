"""Restoring a backup into a fresh database: the database, roles and extensions first, then `pg_restore`."""

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from apps.core.backup.postgres import (
    ARCHIVE_MAGIC,
    SYSTEM_SCHEMAS,
    BackupError,
    Database,
    postgres_tool,
    progress_bar,
    run_tool,
)
from apps.core.cold_storage import ColdStorageError, fetch_url


@dataclass
class RestoreResult:
    database: Database
    archive: Path
    size: int
    seconds: float = 0.0
    tables: int = 0
    rows: int = 0
    created_database: bool = False
    recreated_database: bool = False
    roles_created: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)


def fetch_archive(source: str, *, directory: Path, progress: bool = False) -> Path:
    """The local path of the archive `source` names: a file, or `s3://bucket/key` downloaded into `directory`."""
    if source.startswith("s3://"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BackupError(f"cannot create the folder {directory} to download into: {error}") from None
        local = directory / Path(source.rstrip("/")).name
        partial = local.with_name(local.name + ".partial")
        try:
            fetch_url(source, partial, progress=progress)
        except ColdStorageError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(str(error)) from error
        partial.rename(local)
        path = local
    else:
        path = Path(source)
        if not path.is_file():
            raise BackupError(f"backup file {source!r} not found")
    with open(path, "rb") as archive:
        if archive.read(len(ARCHIVE_MAGIC)) != ARCHIVE_MAGIC:
            raise BackupError(f"{source} is not a pg_dump custom-format archive (made by scripts/backup)")
    return path


def restore_backup(
    archive: Path,
    target: Database,
    *,
    force: bool = False,
    jobs: int = 2,
    application_role: str = "",
    application_password: str = "",
    progress: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> RestoreResult:
    """Restore `archive` into the database `target`, which must be empty or absent (or `force` to drop it)."""
    started = time.monotonic()
    result = RestoreResult(database=target, archive=archive, size=archive.stat().st_size)
    restorer = postgres_tool("pg_restore")
    schema_sql = run_tool([restorer, "--schema-only", "--file=-", str(archive)], target).stdout
    table_of_contents = run_tool([restorer, "--list", str(archive)], target).stdout

    _prepare_database(target, force=force, result=result, say=say)
    result.roles_created = _create_missing_roles(
        target, roles_in(schema_sql), application_role=application_role, application_password=application_password
    )
    if result.roles_created:
        say(f"created roles: {', '.join(result.roles_created)}")
    result.extensions = _create_extensions(target, extensions_in(schema_sql))
    say(f"extensions: {', '.join(result.extensions) or 'none'}")

    entries = [line for line in table_of_contents.splitlines() if line and not line.startswith(";")]
    # The extensions exist already (created above as this user could); their own entries would need a superuser.
    kept = [line for line in entries if not _EXTENSION_ENTRY.match(line)]
    with tempfile.TemporaryDirectory(prefix="pinch-restore-") as folder:
        listing = Path(folder) / "restore.list"
        listing.write_text("\n".join(kept) + "\n")
        with progress_bar(len(kept), f"restoring into {target.name}", "item", progress) as bar:

            def on_line(line: str) -> None:
                if line.startswith("pg_restore: ") and _PROGRESS_LINE.search(line) and bar.n < bar.total:
                    bar.update(1)

            run_tool(
                [
                    restorer,
                    "--verbose",
                    "--exit-on-error",
                    "--no-password",
                    f"--jobs={max(1, jobs)}",
                    f"--use-list={listing}",
                    f"--dbname={target.name}",
                    str(archive),
                ],
                target,
                on_line=on_line,
            )

    say("updating the planner's statistics (ANALYZE)")
    with target.connect() as connection:
        connection.execute("ANALYZE")
        result.tables, result.rows = connection.execute(
            """
            SELECT count(*), coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            """,
            [list(SYSTEM_SCHEMAS)],
        ).fetchone()
    result.seconds = time.monotonic() - started
    return result


_EXTENSION_ENTRY = re.compile(r"^\s*\d+;\s+\d+\s+\d+\s+(EXTENSION -|COMMENT - EXTENSION)\s")
_PROGRESS_LINE = re.compile(r"creating |processing data for table|finished item|executing ")


def _prepare_database(target: Database, *, force: bool, result: RestoreResult, say: Callable[[str], None]) -> None:
    """Make sure `target` exists and is empty: create it, or with `force` drop and recreate it."""
    with _maintenance_connection(target) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name]).fetchone()
        if exists:
            with target.connect() as connection:
                tables = _user_relations(connection)
            if tables and not force:
                raise BackupError(
                    f"database {target.name!r} on {target.where} is not empty ({tables} tables and other relations). "
                    "Restore into a fresh database (--database NEW_NAME), or pass --force to drop it and restore "
                    "in its place."
                )
            if tables:
                say(f"--force: dropping database {target.name} ({tables} relations) and creating it again")
                _execute(server, sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target.name)), target)
                result.recreated_database = True
            else:
                return
        else:
            say(f"creating database {target.name} on {target.where}")
            result.created_database = True
        _execute(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)), target)


def _maintenance_connection(target: Database) -> psycopg.Connection:
    errors = []
    for name in ("postgres", "template1"):
        try:
            return target.named(name).connect()
        except BackupError as error:
            errors.append(str(error))
    raise BackupError(f"could not connect to the server {target.where}: {errors[-1]}")


def _execute(connection: psycopg.Connection, statement: sql.Composable, target: Database) -> None:
    try:
        connection.execute(statement)
    except psycopg.Error as error:
        raise BackupError(
            f"{statement.as_string(connection)} failed on {target.where}: {error}".strip()
            + " (the restoring user needs CREATEDB, or the database must be created for it)"
        ) from None


def _user_relations(connection: psycopg.Connection) -> int:
    """Tables, views and sequences outside the system schemas, not counting those of extensions (PostGIS's
    spatial_ref_sys): what a fresh database does not have."""
    return connection.execute(
        """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%' AND n.nspname NOT LIKE 'pg_toast%%'
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        """,
        [list(SYSTEM_SCHEMAS)],
    ).fetchone()[0]


_ROLE = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_ROLE_PATTERNS = (
    re.compile(rf"OWNER TO ({_ROLE});"),
    re.compile(rf"FOR ROLE ({_ROLE}) "),
    re.compile(rf"^GRANT .* TO ((?:{_ROLE})(?:, *{_ROLE})*)( WITH GRANT OPTION)?;$", re.M),
    re.compile(rf"^REVOKE .* FROM ((?:{_ROLE})(?:, *{_ROLE})*);$", re.M),
    re.compile(rf"; Owner: ({_ROLE})$", re.M),
)
_NOT_ROLES = {"PUBLIC", "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"}


def roles_in(schema_sql: str) -> list[str]:
    """The roles an archive's schema names: owners, grantees, roles of default privileges."""
    roles: set[str] = set()
    for pattern in _ROLE_PATTERNS:
        for match in pattern.finditer(schema_sql):
            for name in re.findall(_ROLE, match.group(1)):
                role = name[1:-1].replace('""', '"') if name.startswith('"') else name
                if role.upper() not in _NOT_ROLES:
                    roles.add(role)
    return sorted(roles)


def extensions_in(schema_sql: str) -> list[tuple[str, str]]:
    return re.findall(r"^CREATE EXTENSION IF NOT EXISTS (\S+) WITH SCHEMA (\S+);$", schema_sql, re.M)


def _create_missing_roles(
    target: Database, roles: Iterable[str], *, application_role: str, application_password: str
) -> list[str]:
    """Create the roles the archive names that this server lacks: the application role able to log in (with its
    password when one is configured), any other as a plain role without login."""
    wanted = set(roles) | ({application_role} if application_role else set())
    created = []
    with target.connect() as connection:
        existing = {name for (name,) in connection.execute("SELECT rolname FROM pg_roles").fetchall()}
        for role in sorted(wanted - existing):
            statement = sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role))
            if role == application_role:
                statement = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role))
                if application_password:
                    statement = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(application_password)
                    )
            try:
                connection.execute(statement)
            except psycopg.Error as error:
                raise BackupError(
                    f"the archive needs the role {role!r}, which {target.where} lacks, and it could not be "
                    f"created ({str(error).strip()}); create it as a superuser, then restore again"
                ) from None
            created.append(role)
    return created


def _create_extensions(target: Database, extensions: Iterable[tuple[str, str]]) -> list[str]:
    created = []
    with target.connect() as connection:
        for name, schema in extensions:
            plain_name, plain_schema = name.strip('"'), schema.strip('"')
            try:
                connection.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}").format(
                        sql.Identifier(plain_name), sql.Identifier(plain_schema)
                    )
                )
            except psycopg.Error as error:
                raise BackupError(
                    f"could not create the extension {plain_name} in {target.name!r}: {str(error).strip()}. "
                    f"Install it on the server (Debian: postgresql-<version>-postgis-3 for PostGIS) and create it "
                    f"as a superuser (CREATE EXTENSION {plain_name}), then restore again."
                ) from None
            created.append(plain_name)
    return created


def run_product_checks(target: Database, *, manage_py: Path) -> tuple[bool, str]:
    """`manage.py check_integrity` against the restored database: the invariants hold on the restored data."""
    completed = subprocess.run(  # noqa: S603 - our own manage.py, no shell
        [sys.executable, str(manage_py), "check_integrity"],
        env=dict(os.environ, DATABASE_URL=target.url()),
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.returncode == 0, (completed.stdout + completed.stderr).strip()
