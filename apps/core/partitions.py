"""Monthly range partitions of the append-only tables: `listing_views`, `search_queries` and `audit_logs`.

Each of these tables is partitioned by its time column into one partition per calendar month in UTC
(`<table>_pYYYYMM`) plus a default partition (`<table>_default`) that catches rows for which no monthly partition
exists yet, so an insert never fails because the beat task that creates partitions ahead did not run. Retention
(`apps.core.retention`) then drops whole months instead of deleting their rows one by one.

The application connects as a role that does not own the tables (row-level security needs that), and only the
owner may attach, detach or drop partitions. Two `SECURITY DEFINER` functions owned by the owner do that work for
it (migration `core.0004`): `app_create_month_partition(table, month)` and `app_drop_partition(table, partition)`.
They act only on range-partitioned tables of the `public` schema that the owner owns, and only the application role
may call them.

Why Django keeps believing `id` is the primary key: PostgreSQL requires the primary key of a partitioned table to
contain the partition column, so the database's key is `(id, <time column>)`, while the models keep `id` as their
primary key. `id` is still unique (one identity sequence serves all partitions) and every query Django makes by
primary key (`WHERE id = ...`) stays correct; nothing refers to these tables by foreign key, which is what a
composite key would have broken. See the README, "Backups and retention".

The functions at the bottom (`convert_to_partitioned`, `convert_to_plain`) are used by migrations: change them
only in ways that keep those migrations doing what they did.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

DEFAULT_PARTITION_SUFFIX = "_default"
UNPARTITIONED_SUFFIX = "_unpartitioned"  # the old table while a migration rebuilds it


@dataclass(frozen=True)
class Partition:
    """One partition of a table: a month `[lower, upper)`, or the default partition (no bounds)."""

    name: str
    lower: datetime | None
    upper: datetime | None

    @property
    def is_default(self) -> bool:
        return self.lower is None


def month_of(moment: datetime | date) -> date:
    """The first day of the UTC month `moment` falls in."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def partitioned_tables() -> dict[str, str]:
    """Our range-partitioned tables and their partition column, read from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attname
              FROM pg_partitioned_table p
              JOIN pg_class c ON c.oid = p.partrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
             WHERE n.nspname = 'public' AND p.partstrat = 'r' AND p.partnatts = 1
             ORDER BY c.relname
            """
        )
        return dict(cursor.fetchall())


def partitions_of(table: str) -> list[Partition]:
    """The partitions of `table`, oldest first, the default partition last; empty for a table not partitioned."""
    with connection.cursor() as cursor:
        # PostgreSQL prints the bounds as literals in the session's time zone; it also reads them back best.
        cursor.execute(
            """
            SELECT c.relname,
                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz,
                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = to_regclass(%s)
            """,
            [f"public.{connection.ops.quote_name(table)}"],
        )
        rows = cursor.fetchall()
    partitions = [Partition(name, lower, upper) for name, lower, upper in rows]
    far_future = datetime.max.replace(tzinfo=UTC)
    return sorted(partitions, key=lambda partition: partition.lower or far_future)


def create_month_partition(table: str, month: date) -> str | None:
    """Create the partition of `table` for `month` (moving in any rows of that month the default partition caught).
    Returns its name, or None when it existed already."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_create_month_partition(%s, %s)", [table, month_of(month)])
        (created,) = cursor.fetchone()
    return created


def create_partitions_ahead(*, now: datetime | None = None, months_ahead: int | None = None) -> dict[str, list[str]]:
    """Make sure every partitioned table has a partition for this month and the next `months_ahead` months.
    Safe to run any number of times: existing partitions are left alone. Returns the partitions created."""
    months_ahead = settings.PARTITION_MONTHS_AHEAD if months_ahead is None else months_ahead
    this_month = month_of(now or timezone.now())
    months = [add_months(this_month, offset) for offset in range(months_ahead + 1)]
    created: dict[str, list[str]] = {}
    for table in partitioned_tables():
        created[table] = [name for month in months if (name := create_month_partition(table, month))]
    return created


def drop_partition(table: str, partition: str) -> None:
    """Detach `partition` from `table` and drop it, with all its rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_drop_partition(%s, %s)", [table, partition])


# --- Used by migrations ------------------------------------------------------------------------------------------


def convert_to_partitioned(schema_editor, *, table: str, column: str, now: datetime | None = None) -> None:
    """Rebuild `table` as a table range-partitioned by month on `column`, keeping its rows, columns, identity
    sequence position, checks, indexes, foreign keys and grants. The primary key becomes `(id, column)`.

    Partitions are made for every month that has rows, up to `PARTITION_MONTHS_AHEAD` months from now, plus the
    default partition. Needs the functions of migration `core.0004`."""
    _rebuild(schema_editor, table=table, partition_column=column)
    quoted, old = schema_editor.quote_name(table), schema_editor.quote_name(table + UNPARTITIONED_SUFFIX)
    with schema_editor.connection.cursor() as cursor:
        default = schema_editor.quote_name(table + DEFAULT_PARTITION_SUFFIX)
        cursor.execute(f"CREATE TABLE {default} PARTITION OF {quoted} DEFAULT")
        cursor.execute(f"SELECT min({schema_editor.quote_name(column)}) FROM {old}")  # noqa: S608 - quoted names
        (oldest,) = cursor.fetchone()
        this_month = month_of(now or timezone.now())
        first = min(month_of(oldest), this_month) if oldest is not None else this_month
        for month in months_between(first, add_months(this_month, settings.PARTITION_MONTHS_AHEAD)):
            cursor.execute("SELECT app_create_month_partition(%s, %s)", [table, month])
        cursor.execute(f"INSERT INTO {quoted} SELECT * FROM {old}")  # noqa: S608 - quoted names
        cursor.execute(f"DROP TABLE {old}")


def convert_to_plain(schema_editor, *, table: str) -> None:
    """The reverse of `convert_to_partitioned`: one ordinary table with the same rows and primary key `id`."""
    _rebuild(schema_editor, table=table, partition_column=None)
    quoted, old = schema_editor.quote_name(table), schema_editor.quote_name(table + UNPARTITIONED_SUFFIX)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quoted} SELECT * FROM {old}")  # noqa: S608 - quoted names
        # Dropping a partitioned table drops its partitions.
        cursor.execute(f"DROP TABLE {old}")


def _rebuild(schema_editor, *, table: str, partition_column: str | None) -> None:
    """Move `table` aside as `<table>_unpartitioned` (whatever it was) and create an empty `table` like it,
    partitioned by `partition_column` (or not partitioned when None). The caller copies the rows and drops the old
    table."""
    quote = schema_editor.quote_name
    old = table + UNPARTITIONED_SUFFIX
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid), i.indisprimary
              FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
             WHERE i.indrelid = %s::regclass
            """,
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        # The sequence's name as PostgreSQL quotes it.
        cursor.execute(f"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {sequence}")  # noqa: S608
        (next_id,) = cursor.fetchone()
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {quote(table)}")  # noqa: S608 - quoted name
        next_id = max(next_id, cursor.fetchone()[0])
        primary_key = next(name for name, _definition, is_primary in indexes if is_primary)

        # Free the names the new table takes: its own, its indexes' and its identity sequence's.
        cursor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {quote(old + '_id_seq')}")
        for name, _definition, is_primary in indexes:
            if is_primary:
                cursor.execute(f"ALTER TABLE {quote(old)} DROP CONSTRAINT {quote(name)}")
            else:
                cursor.execute(f"DROP INDEX {quote(name)}")

        partitioning = f" PARTITION BY RANGE ({quote(partition_column)})" if partition_column else ""
        cursor.execute(
            f"CREATE TABLE {quote(table)} (LIKE {quote(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS){partitioning}"
        )
        key_columns = ", ".join(quote(column) for column in ("id", partition_column) if column)
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(primary_key)} PRIMARY KEY ({key_columns})")
        cursor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN id RESTART WITH {int(next_id)}")
        # The definitions were read while the table still had its name, so they create the indexes on the new one.
        for _name, definition, is_primary in indexes:
            if not is_primary:
                cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        copy_grants(cursor, source=old, target=table)
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        copy_grants(cursor, source=old + "_id_seq", target=cursor.fetchone()[0], kind="SEQUENCE")


def copy_grants(cursor, *, source: str, target: str, kind: str = "TABLE") -> None:
    """Give every role the privileges on `target` (a table name, or a qualified sequence name for `kind`
    SEQUENCE) that it has on `source` (the owner's own are implied)."""
    cursor.execute(
        """
        SELECT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END,
               acl.privilege_type
          FROM pg_class c, aclexplode(c.relacl) acl
         WHERE c.oid = %s::regclass AND acl.grantee <> c.relowner
        """,
        [source],
    )
    for grantee, privilege in cursor.fetchall():
        name = connection.ops.quote_name(target) if kind == "TABLE" else target
        cursor.execute(f"GRANT {privilege} ON {kind} {name} TO {grantee}")


def months_between(first: date, last: date) -> Iterable[date]:
    month = month_of(first)
    while month <= last:
        yield month
        month = add_months(month, 1)
