"""Views and searches are recorded once per visitor per minute, never for bots, and never for the host's own look;
a request adds its row to a buffer in Redis and `flush_analytics` writes the buffers in batches."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.analytics import buffer, services
from apps.analytics.models import ListingView, SearchQuery
from apps.analytics.tasks import flush_analytics
from apps.listings.services import create_listing

User = get_user_model()
pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


@pytest.fixture(autouse=True)
def empty_buffers():
    """Other tests' requests leave rows in the buffers of the shared test Redis."""
    for kind in buffer.KINDS:
        buffer._redis().delete(buffer.buffer_key(kind))
    buffer._redis().delete(*buffer._redis().keys(cache.make_key("analytics:seen:*")) or ["none"])


@pytest.fixture
def listing():
    host = User.objects.create_user(email="h@example.com", password="x", user_type="HOST", is_email_verified=True)
    return create_listing(
        host=host, location=Point(-97.74, 30.27, srid=4326), title="Spot", description="Nice", spot_type="LOT",
        address="1 Main", city="Austin", state="TX", zip_code="78701", price_per_day=Decimal("10.00"),
    )  # fmt: skip


def test_a_view_is_recorded_once_per_visitor_per_minute(listing, django_capture_on_commit_callbacks):
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            client.get(f"/api/v1/listings/{listing.pk}?utm_source=newsletter", HTTP_USER_AGENT=BROWSER)
        APIClient().get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT=BROWSER + " other", REMOTE_ADDR="10.1.1.1")
    assert ListingView.objects.count() == 0  # buffered until the flush
    assert buffer.pending("view") == 2

    assert flush_analytics() == {"views": 2, "searches": 0}

    assert buffer.pending("view") == 0
    assert ListingView.objects.count() == 2
    assert ListingView.objects.filter(utm_source="newsletter").count() == 1


def test_bots_and_the_host_are_not_counted(listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        APIClient().get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT="Googlebot/2.1")
        host = APIClient()
        host.force_authenticate(listing.host)
        host.get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT=BROWSER)
    flush_analytics()
    assert ListingView.objects.count() == 0


def test_a_search_records_its_filters_point_and_result_count(listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            APIClient().get(
                "/api/v1/listings",
                {"lat": 30.27, "lng": -97.74, "radius_m": 2000, "features": "", "q": ""},
                HTTP_USER_AGENT=BROWSER,
            )
    assert flush_analytics() == {"views": 0, "searches": 1}
    [query] = SearchQuery.objects.all()
    assert query.results_count == 1 and query.result_listing_ids == [listing.pk]
    assert query.radius_m == 2000 and round(query.location.y, 2) == 30.27


def _view_row(listing_id: int, **fields) -> dict:
    return {
        "listing_id": listing_id,
        "user_id": None,
        "session_id": "s1",
        "ip_address": "10.0.0.1",
        "user_agent": BROWSER,
        "referrer_url": "",
        "utm": {},
    } | fields


def test_a_flush_writes_in_batches_of_one_insert_each(listing, settings, django_assert_num_queries):
    settings.ANALYTICS_FLUSH_BATCH = 3
    for number in range(7):
        buffer.add_once(
            "view", dedupe_key=f"t:{number}", seconds=60, row=_view_row(listing.pk, session_id=f"s{number}")
        )

    # each batch of 3, 3 and 1: the listings it names, then one INSERT, in a transaction (savepoint in a test)
    with django_assert_num_queries(3 * 4):
        written = buffer.flush("view", services.record_listing_views, batch=settings.ANALYTICS_FLUSH_BATCH)

    assert written == 7
    assert sorted(ListingView.objects.values_list("session_id", flat=True)) == [f"s{number}" for number in range(7)]


def test_rows_of_a_listing_or_account_deleted_since_do_not_stop_the_flush(listing):
    visitor = User.objects.create_user(email="v@example.com", password="x")
    buffer.add_once("view", dedupe_key="t:a", seconds=60, row=_view_row(listing.pk, user_id=visitor.pk))
    buffer.add_once("view", dedupe_key="t:b", seconds=60, row=_view_row(listing.pk + 1000, session_id="gone"))
    visitor.delete()

    assert flush_analytics()["views"] == 1

    [view] = ListingView.objects.all()
    assert view.user_id is None and view.listing_id == listing.pk


def test_a_batch_the_database_refuses_goes_back_to_the_buffer(listing, monkeypatch):
    for number in range(3):
        buffer.add_once(
            "view", dedupe_key=f"t:{number}", seconds=60, row=_view_row(listing.pk, session_id=f"s{number}")
        )

    def refuse(rows):
        ListingView.objects.bulk_create([services._listing_view(**rows[0])])
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        buffer.flush("view", refuse, batch=10)
    assert ListingView.objects.count() == 0  # the batch's transaction was rolled back
    assert buffer.pending("view") == 3

    assert flush_analytics()["views"] == 3
    assert sorted(ListingView.objects.values_list("session_id", flat=True)) == ["s0", "s1", "s2"]


def test_the_buffer_keeps_at_most_its_cap_dropping_the_oldest(listing, settings):
    settings.ANALYTICS_BUFFER_MAX_ROWS = 2
    for number in range(4):
        buffer.add_once(
            "view", dedupe_key=f"t:{number}", seconds=60, row=_view_row(listing.pk, session_id=f"s{number}")
        )

    assert buffer.pending("view") == 2
    flush_analytics()
    assert sorted(ListingView.objects.values_list("session_id", flat=True)) == ["s2", "s3"]


def test_a_view_costs_the_request_one_round_trip_to_redis_and_no_task(
    listing, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.analytics import tasks

    queued = []
    monkeypatch.setattr(tasks.record_listing_view, "delay", lambda **fields: queued.append(fields))
    with django_capture_on_commit_callbacks(execute=True):  # the first view loads the script into Redis
        APIClient().get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT=BROWSER + " first")
    client = buffer._redis()
    commands = []
    real = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *args, **kw: commands.append(args[0]) or real(*args, **kw))
    monkeypatch.setattr(buffer, "_redis", lambda: client)

    with django_capture_on_commit_callbacks(execute=True):
        APIClient().get(f"/api/v1/listings/{listing.pk}", HTTP_USER_AGENT=BROWSER)

    assert queued == []
    assert commands == ["EVALSHA"]  # the view, its once-a-minute check included
    assert buffer.pending("view") == 2


def test_the_flush_runs_on_beat(settings):
    [entry] = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"].endswith("flush_analytics")]
    assert 0 < entry["schedule"] <= 60


@pytest.mark.django_db(transaction=True)
def test_recording_needs_no_database_connection_outside_a_transaction(monkeypatch):
    """A cached listing detail is served while the database is down; recording its view must not try to connect
    (`transaction.on_commit` would, to ask whether it is in autocommit)."""
    from django.db import OperationalError, connection

    from apps.analytics.receivers import after_commit

    connection.close()

    def refuse():
        raise OperationalError("the database is down")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    ran = []
    after_commit(lambda: ran.append(True))
    assert ran == [True]


def test_the_buffer_lives_in_its_own_redis_not_the_caches(listing, settings):
    """A cache may be a Redis that evicts keys under memory pressure; rows waiting for the flush must not be."""
    from django_redis import get_redis_connection

    base, _, db = settings.ANALYTICS_BUFFER_URL.rpartition("/")
    settings.ANALYTICS_BUFFER_URL = f"{base}/{(int(db or 0) + 1) % 16}"
    buffer._redis().delete(buffer.buffer_key("view"))

    buffer.add_once("view", dedupe_key="t:own", seconds=60, row=_view_row(listing.pk))

    assert buffer._redis().llen(buffer.buffer_key("view")) == 1
    assert get_redis_connection("default").llen(buffer.buffer_key("view")) == 0
    assert flush_analytics()["views"] == 1
