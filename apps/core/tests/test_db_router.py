"""The read-replica router's rules (config/db_router.py), with a pretend replica: no second server needed."""

import argparse

import environ
import pytest
from django.db import transaction
from django.test import RequestFactory
from django.urls import resolve

from apps.analytics.models import ListingView
from apps.bookings.models import Booking
from apps.listings.models import Listing
from apps.payments.models import Transaction
from bench import scenario_replica
from config import db_router
from config.db_router import ReplicaReadsMiddleware, ReplicaRouter, replica_databases, use_replica

router = ReplicaRouter()


@pytest.fixture
def one_replica(monkeypatch):
    monkeypatch.setattr(db_router, "replicas", lambda: ["replica_1"])


def test_without_replicas_everything_is_read_from_the_primary():
    with use_replica():
        assert router.db_for_read(Listing) == "default"
    assert router.db_for_write(Listing) == "default"


def test_unmarked_reads_stay_on_the_primary(one_replica):
    assert router.db_for_read(Listing) == "default"
    assert router.db_for_read(ListingView) == "default"


def test_marked_reads_of_lag_tolerant_models_go_to_the_replica(one_replica):
    with use_replica():
        assert router.db_for_read(Listing) == "replica_1"
        assert router.db_for_read(ListingView) == "replica_1"
        # Money and bookings are never read from a replica, even in a marked block.
        assert router.db_for_read(Booking) == "default"
        assert router.db_for_read(Transaction) == "default"
    assert router.db_for_read(Listing) == "default"  # the mark ends with the block


def test_the_decorator_marks_the_function(one_replica):
    @use_replica()
    def read():
        return router.db_for_read(Listing)

    assert read() == "replica_1"
    assert router.db_for_read(Listing) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary(one_replica):
    with use_replica(), transaction.atomic():
        assert router.db_for_read(Listing) == "default"


@pytest.mark.django_db(transaction=True)
def test_a_write_pins_the_rest_of_the_block_to_the_primary(one_replica):
    with db_router.request_scope(), use_replica():
        assert router.db_for_read(Listing) == "replica_1"
        assert router.db_for_write(ListingView) == "default"
        assert router.db_for_read(Listing) == "default"  # read your own writes
    with db_router.request_scope(), use_replica():
        assert router.db_for_read(Listing) == "replica_1"  # the next request starts afresh


def test_writes_relations_and_migrations(one_replica):
    with use_replica():
        assert router.db_for_write(Listing) == "default"
    assert router.allow_relation(object(), object()) is True
    assert router.allow_migrate("default", "listings") is True
    assert router.allow_migrate("replica_1", "listings") is False


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/api/v1/listings", "replica_1"),
        ("GET", "/api/v1/listings/1", "replica_1"),
        ("GET", "/api/v1/listings/1/reviews", "replica_1"),
        ("GET", "/api/v1/host/analytics", "replica_1"),
        ("PATCH", "/api/v1/listings/1", "default"),
        ("GET", "/api/v1/bookings", "default"),
        ("POST", "/api/v1/bookings", "default"),
    ],
)
def test_the_middleware_marks_only_reads_of_lag_tolerant_views(one_replica, method, path, expected):
    seen = {}

    def view_then_read(request):
        middleware.process_view(request, None, (), {})
        seen["db"] = router.db_for_read(Listing)
        return "response"

    middleware = ReplicaReadsMiddleware(view_then_read)
    request = RequestFactory().generic(method, path)
    request.resolver_match = resolve(path)
    assert middleware(request) == "response"
    assert seen["db"] == expected
    assert router.db_for_read(Listing) == "default"  # nothing leaks past the request


def test_replica_urls_become_database_aliases_like_the_primary():
    default = {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "CONN_MAX_AGE": 60,
        "OPTIONS": {"connect_timeout": 5},
    }
    databases = replica_databases(
        " postgis://app@replica-a:5432/pinch, postgis://app@replica-b/pinch ,", default, environ.Env.db_url_config
    )
    assert list(databases) == ["replica_1", "replica_2"]
    first = databases["replica_1"]
    assert (first["HOST"], first["PORT"], first["NAME"], first["USER"]) == ("replica-a", 5432, "pinch", "app")
    assert first["ENGINE"] == default["ENGINE"] and first["CONN_MAX_AGE"] == 60
    assert first["OPTIONS"] == {"connect_timeout": 5} and first["TEST"] == {"MIRROR": "default"}
    assert replica_databases("", default, environ.Env.db_url_config) == {}


@pytest.mark.slow
def test_lag_tolerant_reads_hit_a_real_streaming_replica_and_the_rest_the_primary():
    """A private primary and a `pg_basebackup -R` replica (bench/scenario_replica.py, content types only: fast)."""
    try:
        pair = scenario_replica.StreamingPair()
    except FileNotFoundError as error:
        pytest.skip(f"no PostgreSQL server binaries (initdb) to make a replica with: {error}")
    with pair:
        scenario_replica.set_up(pair, "minimal")
        assert pair.sql(pair.standby_port, "SELECT pg_is_in_recovery()") == "t"
        child = scenario_replica.run_probe_child(pair, argparse.Namespace(schema="minimal", writes=5, probe=False))
    assert child.returncode == 0, child.stdout + child.stderr
    lines = child.stdout.splitlines()
    assert any("use_replica() read " in line and "replica_1" in line and "in recovery" in line for line in lines)
    assert any("inside transaction.atomic()" in line and "default" in line and "primary" in line for line in lines)
    assert any(line.startswith("pg_stat_replication:") and "streaming" in line for line in lines)
