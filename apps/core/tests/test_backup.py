"""Backups you can restore: scripts/backup makes a pg_dump archive (uploaded to S3 with server-side encryption when
a bucket is set) and scripts/restore brings it back into a fresh database with nothing lost."""

import re
from io import StringIO

import boto3
import psycopg
import pytest
from django.core.management import CommandError, call_command

from apps.core.backup import BackupError, Database, create_backup, prune_backups
from apps.core.cold_storage import ColdStorageError
from apps.core.cold_storage.local import LocalColdStorage
from apps.core.cold_storage.s3 import S3ColdStorage
from apps.core.tests.backups import database_under_test, drop_database, fingerprint, populate_database, run_script
from apps.core.tests.fake_s3 import CREDENTIALS, REGION, fake_s3_server

BUCKET = "pinch-backups"
MAIN_TABLES = (
    "users",
    "payment_methods",
    "listings",
    "listing_spaces",
    "availability_rules",
    "availability_exceptions",
    "bookings",
    "transactions",
    "payouts",
    "reviews",
    "conversations",
    "messages",
    "notifications",
    "push_subscriptions",
    "listing_views",
    "search_queries",
    "audit_logs",
    "idempotency_keys",
)


@pytest.fixture
def s3():
    with fake_s3_server() as endpoint:
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=BUCKET)
        client.endpoint = endpoint
        yield client


@pytest.fixture
def scratch_database():
    """A database name on the test server for a test to restore into; dropped afterwards."""
    database = database_under_test()
    scratch = database.named(f"{database.name}_restored")
    drop_database(scratch)
    yield scratch
    drop_database(scratch)


@pytest.fixture
def empty_archive(tmp_path):
    """A real (tiny) backup: of an empty database."""
    source = database_under_test().named(f"{database_under_test().name}_empty")
    drop_database(source)
    with database_under_test().named("postgres").connect() as server:
        server.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(source.name)))
    try:
        yield create_backup(source, directory=tmp_path / "backups").path
    finally:
        drop_database(source)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_populated_database_backed_up_to_s3_comes_back_whole_in_a_new_database(tmp_path, s3, scratch_database):
    populate_database()
    source = database_under_test()
    before = fingerprint(source)
    assert {table: before[f"rows {table}"][0] for table in MAIN_TABLES if before[f"rows {table}"][0] < 3} == {}

    backup = run_script(
        "backup",
        "--no-progress",
        database_url=source.url(),
        BACKUP_DIR=str(tmp_path / "backups"),
        BACKUP_S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=s3.endpoint,
        S3_REGION=REGION,
        **CREDENTIALS,
    )

    (archive,) = (tmp_path / "backups").glob(f"{source.name}-*.dump")
    assert "Backup done" in backup.stdout and str(archive.stat().st_size) in backup.stdout
    key = f"backups/{archive.name}"
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == archive.stat().st_size

    restore = run_script(
        "restore",
        f"s3://{BUCKET}/{key}",
        f"--database={scratch_database.name}",
        f"--download-dir={tmp_path / 'downloads'}",
        "--no-progress",
        "--no-check",
        database_url=source.url(),
        S3_ENDPOINT_URL=s3.endpoint,
        S3_REGION=REGION,
        **CREDENTIALS,
    )

    assert "Restore done" in restore.stdout
    after = fingerprint(scratch_database)
    assert len(after) > 50 and after.keys() == before.keys()
    assert {name: value for name, value in after.items() if value != before[name]} == {}


def test_a_restore_refuses_a_database_that_has_tables(db, empty_archive):
    with pytest.raises(CommandError, match=r"is not empty .* pass --force"):
        call_command("restore_database", str(empty_archive), f"--database={database_under_test().name}", "--no-check")


def test_a_restore_creates_the_database_and_with_force_replaces_one_that_has_tables(empty_archive, scratch_database):
    output = StringIO()
    call_command(
        "restore_database",
        str(empty_archive),
        f"--database={scratch_database.name}",
        "--no-check",
        "--no-progress",
        stdout=output,
        stderr=StringIO(),
    )
    assert "Restore done" in output.getvalue()
    with scratch_database.connect() as restored:
        restored.execute("CREATE TABLE leftover (id int)")

    call_command(
        "restore_database",
        str(empty_archive),
        f"--database={scratch_database.name}",
        "--force",
        "--no-check",
        "--no-progress",
        stdout=StringIO(),
        stderr=StringIO(),
    )

    with scratch_database.connect() as restored:
        assert restored.execute("SELECT to_regclass('leftover')").fetchone() == (None,)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["/nowhere/backup.dump"], "backup file '/nowhere/backup.dump' not found"),
        (["s3:/bucket"], "backup file 's3:/bucket' not found"),
        (["backup.dump", "--jobs=0"], "--jobs must be from 1 to 32, got 0"),
        (["backup.dump", "--jobs=all"], "--jobs must be a whole number, got 'all'"),
        (["backup.dump", "--database= "], "--database must name a database"),
        ([" "], "BACKUP must name a backup file"),
    ],
)
def test_a_restore_with_bad_arguments_says_which_one(tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "backup.dump").write_bytes(b"PGDMP not really")
    with pytest.raises(CommandError, match=message):
        call_command("restore_database", *arguments, stdout=StringIO(), stderr=StringIO())


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match="is not a pg_dump custom-format archive"):
        call_command("restore_database", str(tmp_path / "notes.txt"), stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--compress=11"], "--compress must be from 0 to 9, got 11"),
        (["--keep=some"], "--keep must be a whole number, got 'some'"),
        (["--database-url=postgis://postgres@127.0.0.1:1/nothing"], "could not connect to database 'nothing'"),
        (["--database-url=nonsense"], "is not a database URL"),
    ],
)
def test_a_backup_with_bad_arguments_says_which_one(tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("backup_database", f"--output-dir={tmp_path}", "--no-upload", *arguments, stdout=StringIO())


def test_only_the_newest_backups_of_a_database_are_kept(tmp_path):
    names = [f"pinch-2026110{day}T031500Z.dump" for day in range(1, 6)] + ["other-20261101T031500Z.dump", "notes.dump"]
    for name in names:
        (tmp_path / name).write_bytes(b"PGDMP")

    pruned = prune_backups(tmp_path, "pinch", keep=2)

    assert sorted(path.name for path in pruned) == [f"pinch-2026110{day}T031500Z.dump" for day in range(1, 4)]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "notes.dump",
        "other-20261101T031500Z.dump",
        "pinch-20261104T031500Z.dump",
        "pinch-20261105T031500Z.dump",
    ]


def test_s3_storage_with_a_kms_key_encrypts_every_object_with_it(s3, tmp_path, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    kms_key = "arn:aws:kms:us-east-1:123456789012:key/backup-key"
    storage = S3ColdStorage(
        bucket=BUCKET, prefix="db/", encryption="aws:kms", kms_key_id=kms_key, endpoint_url=s3.endpoint, region=REGION
    )
    (tmp_path / "file.dump").write_bytes(b"PGDMP" + bytes(1000))

    location = storage.put(tmp_path / "file.dump", "file.dump")
    storage.fetch("file.dump", tmp_path / "back.dump")

    assert location == f"s3://{BUCKET}/db/file.dump"
    head = s3.head_object(Bucket=BUCKET, Key="db/file.dump")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == kms_key
    assert (tmp_path / "back.dump").read_bytes() == (tmp_path / "file.dump").read_bytes()


def test_an_upload_to_a_bucket_that_does_not_exist_fails_with_the_bucket_named(s3, tmp_path, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    storage = S3ColdStorage(bucket="no-such-bucket", endpoint_url=s3.endpoint, region=REGION)
    (tmp_path / "file.dump").write_bytes(b"PGDMP")
    with pytest.raises(ColdStorageError, match=re.escape("s3://no-such-bucket/file.dump")):
        storage.put(tmp_path / "file.dump", "file.dump")


@pytest.mark.parametrize(
    ("encryption", "kms_key_id", "message"),
    [("none", "", "S3_SSE must be one of AES256, aws:kms"), ("AES256", "key", "S3_SSE must be aws:kms")],
)
def test_s3_storage_refuses_an_encryption_setting_it_cannot_honour(encryption, kms_key_id, message):
    with pytest.raises(ColdStorageError, match=message):
        S3ColdStorage(bucket=BUCKET, encryption=encryption, kms_key_id=kms_key_id)


def test_local_storage_keeps_files_inside_its_folder(tmp_path):
    storage = LocalColdStorage(tmp_path / "archive")
    (tmp_path / "file").write_bytes(b"rows")

    assert storage.put(tmp_path / "file", "audit_logs/2019/file") == str(tmp_path / "archive/audit_logs/2019/file")
    with pytest.raises(ColdStorageError, match="leads outside"):
        storage.put(tmp_path / "file", "../elsewhere")


def test_a_database_url_becomes_the_connection_the_tools_use():
    database = Database.from_url("postgis://owner:s%40cret@db.example.com:6543/pinch")
    assert (database.user, database.password, database.host, database.port) == (
        "owner",
        "s@cret",
        "db.example.com",
        "6543",
    )
    environment = database.libpq_environment()
    assert (environment["PGUSER"], environment["PGPASSWORD"], environment["PGDATABASE"]) == ("owner", "s@cret", "pinch")
    assert Database.from_url(database.url()) == database
    with pytest.raises(BackupError, match="names no database"):
        Database.from_url("postgis://owner@db.example.com:6543/")
