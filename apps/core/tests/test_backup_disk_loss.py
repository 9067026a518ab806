"""Fault: the database server loses its disk. A throwaway PostgreSQL cluster holds the product's data; it is backed
up, then crashes and its data directory is deleted. A new, empty cluster on a new disk (no database, no roles, no
extensions) gets the backup restored, and the product's integrity checks pass on it with every row back."""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from apps.core.backup import BackupError, Database, postgres_tool
from apps.core.tests.backups import database_under_test, fingerprint, populate_database, run_script


class ThrowawayCluster:
    """A PostgreSQL cluster of its own in a temporary folder, run as the `postgres` user when we are root (the
    server refuses to run as root), quick to make and to lose (no fsync: its data is worthless by design)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.sockets = root / "run"
        self.log = root / "postgres.log"
        self.port = _free_port()

    def database(self, name: str) -> Database:
        return Database(name=name, user="postgres", host="127.0.0.1", port=str(self.port))

    def create(self) -> None:
        """A new cluster: a disk with nothing on it."""
        self.sockets.mkdir(exist_ok=True)
        self._own(self.sockets)
        self._run(postgres_tool("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run(
            postgres_tool("pg_ctl"),
            "start",
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.log),
            "-o",
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
        )

    def lose_disk(self) -> None:
        """The disk dies: the server goes down at once (no shutdown) and its data directory is gone."""
        self._run(postgres_tool("pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", check=False)
        shutil.rmtree(self.data)

    def _run(self, *command: str, check: bool = True) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        completed = subprocess.run([*as_postgres, *command], capture_output=True, text=True, timeout=120, check=False)
        if check and completed.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise AssertionError(f"{command[:2]} failed: {completed.stdout}{completed.stderr}{log}")

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, "postgres")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_cluster() -> Iterator[ThrowawayCluster]:
    # Not under pytest's private tmp folder: the `postgres` user must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="pinch-disk-loss-"))
    cluster = ThrowawayCluster(root)
    cluster._own(root)
    try:
        cluster.create()
        yield cluster
    finally:
        if cluster.data.exists():
            cluster.lose_disk()
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_after_the_disk_is_lost_the_backup_restores_the_database_and_the_integrity_checks_pass(tmp_path):
    populate_database(listings=4)
    with throwaway_cluster() as cluster:
        # The server in production: the product's data on a cluster of its own (put there by a restore).
        production = cluster.database("pinch")
        run_script(
            "backup",
            "--no-progress",
            "--no-upload",
            database_url=database_under_test().url(),
            BACKUP_DIR=str(tmp_path / "seed"),
        )
        (seed_archive,) = (tmp_path / "seed").glob("*.dump")
        run_script("restore", str(seed_archive), "--no-progress", "--no-check", database_url=production.url())

        # The nightly backup of production, then the disk dies.
        run_script(
            "backup",
            "--no-progress",
            "--no-upload",
            database_url=production.url(),
            BACKUP_DIR=str(tmp_path / "backups"),
        )
        (archive,) = (tmp_path / "backups").glob("pinch-*.dump")
        before = fingerprint(production)
        cluster.lose_disk()
        with pytest.raises(BackupError, match="could not connect"):
            production.connect()

        # A new disk and an empty server: no database, no application role, no PostGIS.
        cluster.create()
        restore = run_script("restore", str(archive), "--no-progress", database_url=production.url())

        assert "creating database pinch" in restore.stderr
        assert settings.DATABASE_APP_ROLE in restore.stdout.split("roles made", 1)[1].splitlines()[0]
        assert "integrity checks passed" in restore.stdout
        assert fingerprint(production) == before
        # The product can work again as its own role, and row-level security still holds for it.
        with psycopg.connect(
            dbname="pinch", user=settings.DATABASE_APP_ROLE, host="127.0.0.1", port=cluster.port, autocommit=True
        ) as app:
            assert app.execute("SELECT count(*) FROM listings").fetchone()[0] > 0
            assert app.execute("SELECT count(*) FROM payment_methods").fetchone()[0] == 0
            app.execute("SELECT set_config('app.context', 'system', false)")
            assert app.execute("SELECT count(*) FROM payment_methods").fetchone()[0] > 0
