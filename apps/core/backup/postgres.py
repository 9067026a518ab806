"""Talking to PostgreSQL and running its tools: connection settings, the tools' binaries, progress."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import environ
import psycopg
from django.core.exceptions import ImproperlyConfigured
from tqdm import tqdm

ARCHIVE_MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format archive
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for an operator to act on."""


@dataclass(frozen=True)
class Database:
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Database":
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> "Database":
        if not url.startswith(("postgis://", "postgres://", "postgresql://")):
            raise BackupError(f"{url!r} is not a database URL like postgis://user@host:5432/name")
        try:
            config = environ.Env.db_url_config(url)
        except (ValueError, KeyError, ImproperlyConfigured) as error:
            raise BackupError(f"{url!r} is not a database URL like postgis://user@host:5432/name ({error})") from None
        if not config.get("NAME"):
            raise BackupError(f"the database URL {url!r} names no database")
        return cls.from_settings(config)

    def named(self, name: str) -> "Database":
        return Database(name, self.user, self.password, self.host, self.port)

    def libpq_environment(self) -> dict[str, str]:
        """The environment PostgreSQL's tools read their connection from (keeping the password off the command
        line, where other users of the machine could read it)."""
        environment = dict(os.environ, PGDATABASE=self.name, PGCONNECT_TIMEOUT="10")
        for variable, value in (("PGUSER", self.user), ("PGHOST", self.host), ("PGPORT", self.port)):
            if value:
                environment[variable] = value
        if self.password:
            environment["PGPASSWORD"] = self.password
        return environment

    def connect(self, *, autocommit: bool = True) -> psycopg.Connection:
        try:
            return psycopg.connect(
                dbname=self.name,
                user=self.user or None,
                password=self.password or None,
                host=self.host or None,
                port=self.port or None,
                connect_timeout=10,
                autocommit=autocommit,
            )
        except psycopg.OperationalError as error:
            raise BackupError(f"could not connect to database {self.name!r} on {self.where}: {error}") from None

    @property
    def where(self) -> str:
        return f"{self.host or 'the local socket'}:{self.port or 5432}"

    def url(self) -> str:
        """A URL the settings read (`DATABASE_URL`), for running the product's own checks against it."""
        credentials = quote(self.user, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        host = quote(self.host or "localhost", safe="")
        return f"postgis://{credentials}@{host}:{self.port or 5432}/{quote(self.name, safe='')}"


def postgres_tool(name: str) -> str:
    """The newest installed `pg_dump`/`pg_restore` (it must be at least the server's version; Debian keeps each
    major version's tools under /usr/lib/postgresql/<major>/bin), else the one on PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install PostgreSQL's client tools (scripts/bootstrap.sh does)")
    return found


def run_tool(
    arguments: list[str], database: Database, *, on_line: Callable[[str], None] | None = None
) -> subprocess.CompletedProcess:
    """Run a PostgreSQL tool, feeding each line it writes to stderr (its progress with --verbose) to `on_line`.
    Raises BackupError with the tool's own error lines when it fails."""
    # stdout goes to a file while stderr is read line by line: two pipes would deadlock once stdout's filled up.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed tool and our own arguments, no shell
            arguments,
            env=database.libpq_environment(),
            stdout=output,
            stderr=subprocess.PIPE,
            text=True,
        )
        errors: list[str] = []
        assert process.stderr is not None
        for line in process.stderr:
            line = line.rstrip("\n")
            if "error:" in line[:60] or line.startswith(("FATAL", "ERROR", "DETAIL", "HINT")):
                errors.append(line)
            if on_line is not None:
                on_line(line)
        process.wait()
        output.seek(0)
        stdout = output.read()
    if process.returncode != 0:
        tool = Path(arguments[0]).name
        detail = "\n  ".join(errors[-10:]) or f"exit status {process.returncode}"
        raise BackupError(f"{tool} failed:\n  {detail}")
    return subprocess.CompletedProcess(arguments, 0, stdout, "")


def progress_bar(total: int, description: str, unit: str, enabled: bool) -> tqdm:
    # `disable=None` when asked: drawn on a terminal, silent when stderr goes to a file or a pipe.
    return tqdm(
        total=total, desc=description, unit=unit, file=sys.stderr, disable=None if enabled else True, leave=False
    )


def human_size(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"
