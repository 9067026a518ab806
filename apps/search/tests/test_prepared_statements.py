"""A window search's statements that plan the same for any values (its candidates, the schedules, the cards) are
prepared once per connection (`apps.core.prepared`); every other statement is bound on the client and never
prepared, and nothing is prepared when the connection says so (DATABASE_PREPARED_STATEMENTS=false)."""

from datetime import UTC, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.bookings import selectors as booking_selectors
from apps.listings.models import AvailabilityRule
from apps.search import selectors as search_selectors
from apps.search.selectors import SearchParams, search_listing_rows

pytestmark = pytest.mark.usefixtures("nothing_prepared_yet")


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def window_search(make_listing):
    start = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=16, minute=0, second=0, microsecond=0)
    plain = make_listing(title="Plain")
    ruled = make_listing(title="With a rule", lng=-97.7432)
    day = start.astimezone(timezone.get_default_timezone()).date()
    AvailabilityRule.objects.create(
        listing=ruled, rule_type="date_range", start_date=day, end_date=day, start_time=time(0), end_time=time(23, 59)
    )
    return SearchParams(point=plain.location, radius_m=2000, start=start, end=start + timedelta(hours=3)), {
        plain.pk,
        ruled.pk,
    }


def test_a_window_search_prepares_its_statements_once_and_reuses_them(window_search):
    params, ids = window_search
    connection.ensure_connection()
    before = set(_prepared())

    first = search_listing_rows(params, offset=0, limit=10)
    prepared = [statement for statement in _prepared() if statement not in before]
    with CaptureQueriesContext(connection) as queries:
        second = search_listing_rows(params, offset=0, limit=10)

    assert {row.values["id"] for row in first.rows} == {row.values["id"] for row in second.rows} == ids
    # Candidates, the four parts of the schedules, the cards and their photos: bound on the server ($n).
    assert len(prepared) == 7 and all("$1" in statement for statement in prepared)
    assert any('"listings"."has_calendar_entries"' in statement for statement in prepared)
    assert any(booking_selectors.ACTIVE_STATUSES_SQL in statement for statement in prepared)
    # The second search prepared nothing more, and its statements went through Django's cursor wrapper as any.
    assert [statement for statement in _prepared() if statement not in before] == prepared
    assert len(queries) == 7
    # The debug log (and CaptureQueriesContext) shows each with its values, though psycopg ran it by name.
    assert all(query["sql"].startswith("SELECT ") and "%s" not in query["sql"] for query in queries)
    assert any(f"LIMIT {search_selectors.MAX_WINDOW_CANDIDATES}" in query["sql"] for query in queries)


def test_a_search_without_a_window_is_bound_on_the_client_and_not_prepared(make_listing):
    listing = make_listing(title="Plain")
    connection.ensure_connection()
    before = _prepared()

    page = search_selectors._page(SearchParams(point=listing.location, radius_m=2000), offset=0, limit=10)

    assert page.ids == [listing.pk]
    assert _prepared() == before


def test_nothing_is_prepared_where_the_connection_does_not_allow_it(window_search, monkeypatch):
    params, ids = window_search
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    before = _prepared()

    rows = search_listing_rows(params, offset=0, limit=10)

    assert {row.values["id"] for row in rows.rows} == ids
    assert _prepared() == before
