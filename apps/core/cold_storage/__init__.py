"""Cold storage for backups and archives: files written once, kept long, read back rarely.

Two implementations behind one small protocol: a local folder (the default, which works offline) and an S3 bucket
with server-side encryption (`apps.core.cold_storage.s3`). `backup_storage()` and `archive_storage()` pick one from
the settings (`BACKUP_S3_BUCKET`, `ARCHIVE_S3_BUCKET`); `storage_for_url()` reads a location back (`s3://...` or a
path).
"""

from pathlib import Path
from typing import Protocol

from django.conf import settings


class ColdStorageError(Exception):
    """Storing or fetching a file failed; the message says what and where, for an operator to act on."""


class ColdStorage(Protocol):
    def put(self, local_path: Path, key: str, *, progress: bool = False) -> str:
        """Store the file at `key`, check that it arrived whole, and return its location (a path or s3:// URL).
        Storing the same key again replaces it."""
        ...

    def fetch(self, key: str, local_path: Path, *, progress: bool = False) -> None:
        """Copy the file at `key` to `local_path`."""
        ...

    def location(self, key: str) -> str: ...


def backup_storage(*, bucket: str | None = None) -> ColdStorage | None:
    """Where backups are copied beyond the local backup folder: the S3 bucket, or None when none is configured."""
    bucket = settings.BACKUP_S3_BUCKET if bucket is None else bucket
    if not bucket:
        return None
    from apps.core.cold_storage.s3 import S3ColdStorage

    return S3ColdStorage.from_settings(bucket=bucket, prefix=settings.BACKUP_S3_PREFIX)


def archive_storage() -> ColdStorage:
    """Where archived rows go: the archive bucket when configured, else `ARCHIVE_DIR`."""
    if settings.ARCHIVE_S3_BUCKET:
        from apps.core.cold_storage.s3 import S3ColdStorage

        return S3ColdStorage.from_settings(bucket=settings.ARCHIVE_S3_BUCKET, prefix=settings.ARCHIVE_S3_PREFIX)
    from apps.core.cold_storage.local import LocalColdStorage

    return LocalColdStorage(Path(settings.ARCHIVE_DIR))


def fetch_url(url: str, local_path: Path, *, progress: bool = False) -> None:
    """Download `s3://bucket/key` to `local_path`."""
    from apps.core.cold_storage.s3 import S3ColdStorage, parse_s3_url

    bucket, key = parse_s3_url(url)
    S3ColdStorage.from_settings(bucket=bucket, prefix="").fetch(key, local_path, progress=progress)
