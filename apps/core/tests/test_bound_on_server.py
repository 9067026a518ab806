"""`apps.core.prepared.bound_on_server`: within the block every statement (the ORM's too) is bound on the server and
prepared once per connection; outside it, and after it, statements are bound on the client and never prepared."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.models import AuditLog
from apps.core.prepared import bound_on_server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nothing_prepared_yet")]


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time")
        return [row[0] for row in cursor.fetchall()]


def _read(action: str) -> int:
    return AuditLog.objects.filter(action=action, description="bound").count()


def test_the_orm_statements_of_the_block_are_prepared_once_and_run_by_name_after():
    connection.ensure_connection()
    before = set(_prepared())
    with bound_on_server():
        assert _read("CREATE") == 0
    prepared = [statement for statement in _prepared() if statement not in before]
    assert len(prepared) == 1 and '"audit_logs"' in prepared[0] and "$1" in prepared[0]

    with bound_on_server(), CaptureQueriesContext(connection) as queries:
        assert _read("UPDATE") == 0  # other values, the same statement
    assert [statement for statement in _prepared() if statement not in before] == prepared
    # The debug log shows the statement with its values, though psycopg ran it by name.
    [query] = queries.captured_queries
    assert "'UPDATE'" in query["sql"] and "$1" not in query["sql"] and "%s" not in query["sql"]


def test_after_the_block_statements_are_bound_on_the_client_again():
    connection.ensure_connection()
    with bound_on_server():
        _read("CREATE")
    before = _prepared()
    with CaptureQueriesContext(connection) as queries:
        _read("DELETE")
    assert _prepared() == before
    assert "'DELETE'" in queries.captured_queries[0]["sql"]


def test_a_nested_block_leaves_the_outer_one_bound_on_the_server_and_savepoints_are_not_prepared():
    connection.ensure_connection()
    before = set(_prepared())
    with bound_on_server(), transaction.atomic():  # a savepoint here: the test runs in a transaction
        with bound_on_server():
            _read("CREATE")
        AuditLog.objects.filter(description="after the inner block").exists()
    prepared = [statement for statement in _prepared() if statement not in before]
    assert len(prepared) == 2, prepared
    assert all(statement.startswith("SELECT ") and "$1" in statement for statement in prepared)


def test_nothing_is_prepared_where_the_connection_does_not_allow_it(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    before = _prepared()
    with bound_on_server():
        assert _read("CREATE") == 0
    assert _prepared() == before
