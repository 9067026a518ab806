"""The row-level security context is sent only when the session does not hold it already, and never trusted
across a transaction that may roll back or a connection that was replaced."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.users.rls import ANONYMOUS, SYSTEM, USER, set_db_context


@pytest.fixture(autouse=True)
def _back_to_the_default_context():
    """The context is the connection's, not the test's: leave it as the next test expects it."""
    default = settings.DATABASE_RLS_DEFAULT_CONTEXT  # before a test overrides it
    yield
    set_db_context(context=default)


def session_context() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.context', true), current_setting('app.current_user_id', true)")
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_a_context_the_session_holds_is_not_sent_again(django_assert_num_queries):
    set_db_context(context=ANONYMOUS)
    with django_assert_num_queries(0):
        set_db_context(context=ANONYMOUS)
    with django_assert_num_queries(1):
        set_db_context(context=USER, user_id=7)
    with django_assert_num_queries(0):
        set_db_context(context=USER, user_id=7)
    with django_assert_num_queries(1):
        set_db_context(context=USER, user_id=8)
    assert session_context() == (USER, "8")


@pytest.mark.django_db(transaction=True)
def test_a_context_set_in_a_transaction_that_rolled_back_is_sent_again(django_assert_num_queries):
    set_db_context(context=ANONYMOUS)
    with pytest.raises(RuntimeError), transaction.atomic():
        set_db_context(context=SYSTEM)
        with django_assert_num_queries(1):  # inside a transaction it is always sent
            set_db_context(context=SYSTEM)
        raise RuntimeError("rolled back")
    assert session_context() == (ANONYMOUS, "")  # the rollback undid the change

    with django_assert_num_queries(1):
        set_db_context(context=SYSTEM)
    assert session_context() == (SYSTEM, "")


@pytest.mark.django_db(transaction=True)
def test_a_replaced_connection_starts_in_the_context_last_asked_for():
    set_db_context(context=USER, user_id=42)
    connection.close()  # a broken connection replaced in the middle of a request

    assert session_context() == (USER, "42")


@pytest.mark.django_db(transaction=True)
def test_without_a_connection_none_is_opened_and_the_next_one_starts_in_the_context():
    connection.close()
    set_db_context(context=USER, user_id=5)
    assert connection.connection is None  # nothing was sent

    assert session_context() == (USER, "5")


@pytest.mark.django_db(transaction=True)
def test_a_cached_anonymous_detail_needs_no_query_in_a_web_process(
    client, listing, settings, django_assert_num_queries
):
    settings.DATABASE_RLS_DEFAULT_CONTEXT = ANONYMOUS  # as deploy/gunicorn.conf.py sets it
    set_db_context(context=ANONYMOUS)
    url = f"/api/v1/listings/{listing.pk}"
    assert client.get(url, secure=True).status_code == 200  # fills the cache and records the view

    with django_assert_num_queries(0):
        response = client.get(url, secure=True)
    assert response.status_code == 200
    assert response.json()["id"] == listing.pk
