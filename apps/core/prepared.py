"""Prepared statements for the few statements that run on every search and booking and plan the same whatever their
values.

Django's psycopg 3 backend binds parameters on the client (the values are written into the statement's text), so
nothing can be prepared and PostgreSQL plans every statement anew: 0.8 ms of a window search's 10 ms at a million
listings went to planning its candidates statement alone. A cursor from `prepared_cursor` binds on the server instead
(`$n` placeholders, the values sent apart), and the connection (`prepare_threshold` 0, `DATABASE_PREPARED_STATEMENTS`)
prepares each statement such a cursor runs the first time it runs: later runs on that connection are only bound and
executed. PostgreSQL plans a prepared statement for its values five times, then keeps a generic plan if that is
estimated no worse, so only statements whose best plan does not depend on their values belong here: a generic plan
of a search without a window, whose radius the planner cannot see, read every listing with a given feature through
the features index and took 33 ms where its custom plan took 3 (bench/RESULTS.md). Everything else keeps Django's
client-side binding, which also has no limit on the number of parameters (the server's is 65,535).

Constants that partial indexes' predicates name (the active statuses) are written into such a statement, not bound
(`apps.bookings.selectors.ACTIVE_STATUSES_SQL`): a generic plan can use such an index only when its condition names
the same constants.

The statements still go through Django's cursor wrapper, so query counts, `connection.execute_wrapper` and the
debug log see them as any other.
"""

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from typing import Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from psycopg._preparing import Prepare, PrepareManager
from psycopg.pq import ExecStatus


class _DebugWrapper(CursorDebugWrapper):
    """Logs a statement with its values written in, as Django does where every statement is bound on the server:
    Django's default reads the text that psycopg sent, and a prepared statement is run by name, without one."""

    @contextmanager
    def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
        if use_last_executed_query and not many:
            with suppress(psycopg.DataError):  # a value psycopg cannot write as a literal: the text as it is
                sql = self.db.ops.compose_sql(sql, params)
        with super().debug_sql(sql, params, use_last_executed_query=False, many=many):
            yield


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor of the connection `using` whose statements are bound by the server and, where the connection allows
    it, prepared (as `connections[using].cursor()` does, but with a server-binding psycopg cursor)."""
    connection = connections[using]
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    return _DebugWrapper(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)


class _ServerBindingCursor(ServerBindingCursor):
    """Django's server-binding cursor, except that it never prepares a savepoint's statements: their names are new
    each time, so preparing them would only crowd the statements worth keeping out of the connection's cache."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None and isinstance(query, str) and query.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)


@contextmanager
def bound_on_server(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the block, every statement on the connection `using` (the ORM's too) runs as `prepared_cursor` runs its
    own: bound on the server and, where the connection allows it, prepared at its first run and only bound and
    executed after that.

    For a block whose statements plan the same whatever their values (a booking: reads by key, inserts, updates):
    parsed and planned anew each time, a booking's statements cost PostgreSQL 6.6 ms of CPU against 5.1 prepared
    (in-process, bench/RESULTS.md, ninth round). Statements that a connection's later requests do not repeat are
    prepared all the same (psycopg keeps the last 100 of a connection), so this is no switch for every request."""
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    if raw.cursor_factory is _ServerBindingCursor:  # an enclosing block has switched it
        yield
        return
    client_factory = raw.cursor_factory
    raw.cursor_factory = _ServerBindingCursor  # Django's cursors come from the connection's factory
    connection.make_debug_cursor = lambda cursor: _DebugWrapper(cursor, connection)
    try:
        yield
    finally:
        raw.cursor_factory = client_factory
        del connection.make_debug_cursor  # back to the class's


# Command tags of statements (answered COMMAND_OK) that leave every table's columns as they were. Any other (CREATE,
# DO, COMMENT ...; and "SELECT n", the tag of CREATE TABLE AS and SELECT INTO: a plain SELECT answers TUPLES_OK and is
# not looked at) may have changed the schema in a way a ROLLBACK undoes.
_SCHEMA_UNCHANGED = re.compile(
    rb"^(?:INSERT|UPDATE|DELETE|MERGE|BEGIN|START TRANSACTION|COMMIT|SAVEPOINT|RELEASE|ROLLBACK|SET|RESET|SHOW"
    rb"|FETCH|MOVE|COPY|DECLARE CURSOR|CLOSE CURSOR|LOCK TABLE|LISTEN|NOTIFY|UNLISTEN|ANALYZE|VACUUM|EXPLAIN)\b"
).match
# What makes psycopg forget every prepared statement at once, but for ROLLBACK (`_should_discard`).
_DISCARD_NOW = re.compile(rb"^(?:DROP|ALTER|DISCARD ALL|DEALLOCATE ALL)\b").match


class StatementsOutliveRollbacks(PrepareManager):
    """psycopg's prepared-statement cache of one connection, except that a ROLLBACK (or ROLLBACK TO SAVEPOINT) keeps
    the connection's prepared statements unless a statement since the last full rollback may have changed the schema
    (a command other than plain reads, writes and transaction control: CREATE, DO, ALTER ...).

    psycopg forgets them all on every ROLLBACK and sends DEALLOCATE ALL, in case the transaction created a table
    that a prepared statement named and that is now gone or comes back different. A prepared statement is no part of
    a transaction (PostgreSQL keeps it through a rollback), and PostgreSQL re-plans one whose tables changed, so
    where the transaction changed no schema there is nothing to forget. Every refused booking (409), and any error in
    an atomic block, rolls back: in the contention benchmark a third of the requests did, and each emptied its
    connection's cache, so most statements were parsed and planned anew (planned ~75 % of the runs, where a
    prepared statement is planned six times per connection in all; bench/RESULTS.md, eleventh round).

    - DROP, ALTER, DISCARD ALL and DEALLOCATE ALL still empty the cache at once, as psycopg does; a ROLLBACK TO
      SAVEPOINT empties it when the schema may have changed; and the mark stays until the transaction's own end
      (`Connection.rollback` calls `clear`), so what was prepared after a schema change is forgotten when the
      transaction that made it rolls back. A transaction that committed leaves the mark: the next rollback empties
      the cache once more than needed.
    - A statement that failed on the run that prepared it (Parse done, Bind or Execute refused) is closed on the
      server with psycopg's next maintenance; psycopg itself forgets it but left it to the DEALLOCATE ALL of the
      rollback that followed.
    - Not seen: DDL inside a function called by a SELECT (its answer is rows, not a tag), e.g. the monthly
      partitions (`apps.core.partitions`): a partition does not change its parent's columns, so the statements stay
      good."""

    def __init__(self) -> None:
        super().__init__()
        self._schema_may_have_changed = False

    @classmethod
    def replacing(cls, manager: PrepareManager) -> "StatementsOutliveRollbacks":
        """This manager in place of psycopg's `manager`, with its settings and whatever it holds."""
        replacement = cls()
        replacement.__dict__.update(manager.__dict__)
        replacement._schema_may_have_changed = False
        return replacement

    def _should_discard(self, prep: Any, results: Sequence[Any]) -> bool:
        discard = False
        for result in results:
            if result.status != ExecStatus.COMMAND_OK or not (tag := result.command_status):
                continue
            if _DISCARD_NOW(tag):
                self._schema_may_have_changed = discard = True
            elif tag.startswith(b"ROLLBACK"):
                discard = discard or self._schema_may_have_changed
            elif not _SCHEMA_UNCHANGED(tag):
                self._schema_may_have_changed = True
        return super().clear() if discard else False  # the mark stays until the transaction's end

    def validate(self, key: Any, prep: Prepare, name: bytes, results: Sequence[Any]) -> None:
        if prep is Prepare.SHOULD and not self._check_results(results):
            self._to_flush.append(name)  # Close it on the server: it may have been parsed (Close of none is no error)
        super().validate(key, prep, name, results)

    def forget_all(self) -> None:
        """Forgets every prepared statement, whatever psycopg knows of: DEALLOCATE ALL goes after the next statement."""
        self._counts.clear()
        self._names.clear()
        self._to_flush.clear()
        self._to_flush.append(None)
        self._schema_may_have_changed = False

    def clear(self) -> bool:
        """`Connection.rollback` calls this after every full ROLLBACK: the cache is emptied (DEALLOCATE ALL queued)
        only when the schema may have changed since the last one."""
        if not self._schema_may_have_changed:
            return False
        self._schema_may_have_changed = False
        return super().clear()


def forget_prepared_statements(using: str = DEFAULT_DB_ALIAS) -> None:
    """Makes the connection `using` forget every statement it prepared, now: for a test that counts what gets
    prepared, since prepared statements outlive the rollback that ends a test."""
    connection = connections[using]
    manager = getattr(connection.connection, "_prepared", None)
    if isinstance(manager, StatementsOutliveRollbacks):
        manager.forget_all()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # psycopg sends the DEALLOCATE ALL after a statement


def keep_prepared_statements_across_rollbacks(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: a new psycopg connection gets `StatementsOutliveRollbacks` as its cache."""
    raw = connection.connection
    manager = getattr(raw, "_prepared", None)
    if connection.vendor == "postgresql" and type(manager) is PrepareManager:
        raw._prepared = StatementsOutliveRollbacks.replacing(manager)


# The values a bigint column holds: a hand-written statement given a number beyond them fails in the database where
# the ORM's lookup would find nothing, so callers check first.
BIGINT = range(-(2**63), 2**63)


@cache
def model_columns(model, using: str = DEFAULT_DB_ALIAS, *, alias: str = "", names: tuple[str, ...] = ()):
    """(`alias."column", ...` of `model`'s concrete fields, or of the fields `names`; their attribute names in that
    order; the converters, field's and backend's, of each column that has some, as the ORM's compiler applies
    them): what a hand-written SELECT needs to build instances as the ORM does (`from_row`)."""
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in names] if names else list(meta.concrete_fields)
    prefix = f"{connection.ops.quote_name(alias)}." if alias else ""
    columns = ", ".join(prefix + connection.ops.quote_name(field.column) for field in fields)
    converters = []
    for position, field in enumerate(fields):
        expression = field.get_col(meta.db_table)
        found = expression.get_db_converters(connection) + connection.ops.get_db_converters(expression)
        if found:
            converters.append((position, found, expression))
    return columns, tuple(field.attname for field in fields), tuple(converters)


def from_row(model, row, using: str = DEFAULT_DB_ALIAS, *, names: tuple[str, ...] = ()):
    """`model.from_db` for a row of the columns `model_columns(model, using, names=names)` names, each value
    converted as the ORM converts it (a JSON column to its value, a geometry to a GEOSGeometry ...)."""
    _, attnames, converters = model_columns(model, using, names=names)
    if converters:
        row = list(row)
        connection = connections[using]
        for position, functions, expression in converters:
            for convert in functions:
                row[position] = convert(row[position], expression, connection)
    return model.from_db(using, attnames, row)


@cache
def _by_key_statement(model, column: str, using: str) -> str:
    """The statement reading `model`'s row by `column`."""
    connection = connections[using]
    columns, _, _ = model_columns(model, using)
    return (
        f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608  (names, no value)
        f"WHERE {connection.ops.quote_name(column)} = %s LIMIT 1"
    )


def read_by_key(model, field_name: str, value, using: str = DEFAULT_DB_ALIAS):
    """`model.objects.using(using).filter(<field_name>=value).first()` without its ordering, for a unique field:
    one prepared statement and `Model.from_db`, where the ORM compiles the query on every call (an account by id:
    0.31 ms of CPU through `get`, 0.10 ms this way). A value the field cannot hold finds nothing."""
    field = model._meta.get_field(field_name)
    try:
        value = field.get_prep_value(field.to_python(value))
    except (TypeError, ValueError, ValidationError):
        return None
    if isinstance(value, int) and value not in BIGINT:
        return None
    with prepared_cursor(using) as cursor:
        cursor.execute(_by_key_statement(model, field.column, using), [value])
        row = cursor.fetchone()
    return None if row is None else from_row(model, row, using)


@cache
def _insert_statement(model, using: str) -> tuple[str, list]:
    """The INSERT of one row of `model` (every concrete column but an automatic primary key), and those fields."""
    connection = connections[using]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not (field.primary_key and field.db_returning)]
    if any(field.has_db_default() or getattr(field, "generated", False) for field in fields):
        raise TypeError(f"insert_row cannot write {meta.label}: a column has a database default or is generated")
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608  (names from the model)
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    return sql, fields


def insert_row(instance, using: str = DEFAULT_DB_ALIAS):
    """`instance.save(force_insert=True)` for a row nothing listens to (no signals are sent): one prepared statement
    built once per model, the values prepared by the fields as the ORM prepares them. Through the ORM an audit row
    cost 0.21 ms of CPU, this way 0.14 (timeit, bench/RESULTS.md, tenth round)."""
    sql, fields = _insert_statement(type(instance), using)
    connection = connections[using]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, using
    return instance


@cache
def _update_statement(model, attnames: tuple[str, ...], using: str) -> tuple[str, list]:
    """The UPDATE of the columns of `attnames` in one row of `model`, by primary key, and those fields."""
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in attnames]
    if any(field.primary_key or not field.concrete or getattr(field, "generated", False) for field in fields):
        raise TypeError(f"update_row cannot write {attnames} of {meta.label}: a primary key or a column it cannot set")
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "  # noqa: S608  (names from the model)
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    )
    return sql, fields


def update_row(instance, update_fields, using: str = DEFAULT_DB_ALIAS) -> None:
    """`instance.save(update_fields=update_fields)` for a row nothing listens to (no signals are sent): one prepared
    statement per model and set of fields, the values prepared by the fields as the ORM prepares them (`pre_save`
    first, so an `auto_now` field named is stamped). Like the ORM's, it raises DatabaseError when no row was
    updated (the row is gone)."""
    sql, fields = _update_statement(type(instance), tuple(dict.fromkeys(update_fields)), using)
    connection = connections[using]
    values = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, [*values, instance.pk])
        updated = cursor.rowcount
    if not updated:
        raise DatabaseError("Save with update_fields did not affect any rows.")
