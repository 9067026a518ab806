"""`apps.core.prepared.StatementsOutliveRollbacks`: a connection's prepared statements survive a ROLLBACK (a refused
booking, any error in an atomic block) unless the transaction may have changed the schema; DROP and ALTER still
empty the cache at once, as psycopg does."""

import pytest
from django.db import connection, transaction
from psycopg._preparing import PrepareManager

from apps.core.prepared import StatementsOutliveRollbacks, prepared_cursor

STATEMENT = "SELECT count(*) FROM audit_logs WHERE id = %s"


def _on_server() -> set[str]:
    """Names of the statements psycopg prepared on this connection, as the server knows them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE NOT from_sql")
        return {row[0] for row in cursor.fetchall()}


def _run_prepared() -> None:
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT, [1])


def _known_to_psycopg() -> int:
    return len(connection.connection._prepared._names)


class Refused(Exception):
    pass


@pytest.mark.django_db
def test_a_new_connection_gets_the_manager_with_psycopg_s_settings():
    connection.ensure_connection()
    manager = connection.connection._prepared
    assert type(manager) is StatementsOutliveRollbacks
    assert manager.prepare_threshold == 0 and manager.prepared_max == PrepareManager.prepared_max


@pytest.mark.django_db
def test_a_savepoint_rolled_back_keeps_the_prepared_statements():
    _run_prepared()
    before = _on_server()
    assert before and _known_to_psycopg()

    with pytest.raises(Refused), transaction.atomic():  # a savepoint: the test runs in a transaction
        _run_prepared()
        raise Refused

    assert _on_server() == before
    _run_prepared()  # run by name again, not prepared anew
    assert _on_server() == before


@pytest.mark.django_db(transaction=True)
def test_a_transaction_rolled_back_keeps_the_prepared_statements():
    _run_prepared()
    before = _on_server()
    known = _known_to_psycopg()

    with pytest.raises(Refused), transaction.atomic():  # the outermost block: ROLLBACK through Connection.rollback
        _run_prepared()
        raise Refused

    assert _on_server() == before and _known_to_psycopg() == known
    _run_prepared()
    assert _on_server() == before


def _probe(sql: str, values=(1,)) -> list:
    with prepared_cursor() as cursor:
        cursor.execute(sql, list(values))
        return cursor.fetchall()


PROBE_READ = "SELECT * FROM prepared_probe WHERE id = %s"


def _probe_read_works_on_a_table_made_anew() -> None:
    """The probe table made again with other columns: a statement prepared against the old one and kept would now
    fail with 'cached plan must not change result type'."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE prepared_probe (id integer, other integer, more text)")
    try:
        assert _probe(PROBE_READ) == []
        assert _probe(PROBE_READ) == []  # and by name
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE prepared_probe")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_that_created_a_table_forgets_them_all():
    _run_prepared()
    assert _on_server()

    with pytest.raises(Refused), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE prepared_probe (id integer)")
        _probe(PROBE_READ)
        raise Refused

    assert _on_server() == set() and _known_to_psycopg() == 0
    _probe_read_works_on_a_table_made_anew()


@pytest.mark.django_db(transaction=True)
def test_what_was_prepared_after_an_alter_is_forgotten_when_its_transaction_rolls_back():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE prepared_probe (id integer)")
    try:
        with pytest.raises(Refused), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE prepared_probe ADD COLUMN extra text")
            _probe(PROBE_READ)  # prepared after the ALTER emptied the cache
            raise Refused
        assert _on_server() == set()
        assert _probe(PROBE_READ) == []  # the table as it was again: the kept statement would fail here
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE prepared_probe")


@pytest.mark.django_db(transaction=True)
def test_what_was_prepared_after_a_savepoint_rolled_back_is_forgotten_with_the_transaction():
    with pytest.raises(Refused), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE prepared_probe (id integer)")
        with pytest.raises(Refused), transaction.atomic():
            raise Refused  # ROLLBACK TO SAVEPOINT: the table stays, and so does the mark
        _probe(PROBE_READ)
        raise Refused

    assert _on_server() == set()
    _probe_read_works_on_a_table_made_anew()


@pytest.mark.django_db(transaction=True)
def test_a_table_made_by_create_table_as_counts_as_a_schema_change():
    _run_prepared()
    with pytest.raises(Refused), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE prepared_probe AS SELECT 1 AS id")  # its tag: "SELECT 1"
        _probe(PROBE_READ)
        raise Refused

    assert _on_server() == set()
    _probe_read_works_on_a_table_made_anew()


@pytest.mark.django_db(transaction=True)
def test_a_statement_refused_on_the_run_that_prepared_it_is_closed_on_the_server():
    from django.db import IntegrityError

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE prepared_unique (id integer PRIMARY KEY)")
        cursor.execute("INSERT INTO prepared_unique VALUES (1)")
    try:
        for _ in range(3):
            with pytest.raises(IntegrityError), transaction.atomic():
                _probe("INSERT INTO prepared_unique (id) VALUES (%s)")  # parsed, then refused: never prepared
        _run_prepared()  # psycopg closes what it forgot with its next statement
        known = {name.decode() for name in connection.connection._prepared._names.values()}
        assert known and _on_server() == known  # none left on the server that psycopg does not know of
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE prepared_unique")


@pytest.mark.django_db(transaction=True)
def test_a_drop_forgets_them_at_once_as_psycopg_does():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE prepared_drop_probe (id integer)")
    _run_prepared()
    assert _on_server()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE prepared_drop_probe")
    assert _on_server() == set() and _known_to_psycopg() == 0


@pytest.mark.django_db
def test_a_refused_booking_leaves_the_connection_s_statements_prepared(guest, make_listing):
    from apps.bookings.errors import WindowUnavailable
    from apps.bookings.tests.conftest import window
    from apps.bookings.tests.test_booking_services import create

    listing = make_listing(spaces_available=1)
    start, end = window(days=10)
    create(guest, listing, start, end)
    before = _on_server()

    with pytest.raises(WindowUnavailable):
        create(guest, listing, start, end)  # the only space is taken: refused, its block rolled back

    assert before and _on_server() == before  # the second attempt ran the first one's statements by name
