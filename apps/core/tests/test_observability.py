"""Observability: request ids in responses and log lines (web and Celery), JSON logs, the protected Prometheus
endpoint and what it counts, and Sentry reporting an unhandled exception to a (local, fake) Sentry server."""

import gzip
import io
import json
import logging
import logging.config
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
import sentry_sdk
from celery import shared_task
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import path
from prometheus_client import REGISTRY

from apps.bookings import services as bookings
from apps.bookings.tests.conftest import VEHICLE, window
from apps.core.observability import celery_signals
from apps.core.observability.context import bound_request_id, current_request_id, end_request
from apps.core.observability.logging import RequestIdFilter, json_formatter, logging_config
from apps.core.observability.networks import ip_networks
from apps.core.observability.sentry import init_sentry, sample_rate
from apps.core.tests.test_health import database_down
from config import urls as project_urls

# --- Helpers ----------------------------------------------------------------------------------------------------------


@contextmanager
def json_log_lines(level: int = logging.INFO) -> Iterator[list[dict]]:
    """The JSON lines our log handler writes while the block runs (our formatter and filter on the root logger),
    parsed into the list it yields when the block ends."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def boom(request):
    raise ZeroDivisionError("the view divided by zero")


# A URL configuration with one view that fails, for the error-reporting tests.
urlpatterns = [path("boom", boom, name="boom"), *project_urls.urlpatterns]
handler500 = project_urls.handler500


@pytest.fixture(autouse=True)
def _no_request_bound():
    """A test before may have left a request bound (the test client skips `request_finished` when a view raises)."""
    end_request()


# --- Request ids --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_without_an_id_gets_one_in_the_response_and_in_every_log_line(client, settings):
    settings.LOG_REQUESTS = True
    with json_log_lines() as lines:
        response = client.get("/api/v1/nowhere")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    assert {line["logger"] for line in lines} >= {"pinch.access", "django.request"}
    assert {line["request_id"] for line in lines} == {request_id}


@pytest.mark.django_db
def test_the_access_log_line_carries_the_request_id_and_what_happened(client, settings):
    settings.LOG_REQUESTS = True
    with json_log_lines() as lines:
        response = client.get("/api/v1/nowhere", HTTP_X_REQUEST_ID="proxy-id-0001")
        logging.getLogger("after").info("outside any request")

    assert response["X-Request-ID"] == "proxy-id-0001"
    access = [line for line in lines if line["logger"] == "pinch.access"]
    assert len(access) == 1
    assert access[0] | {"duration_ms": 0} == {
        "timestamp": access[0]["timestamp"],
        "level": "INFO",
        "logger": "pinch.access",
        "message": access[0]["message"],
        "request_id": "proxy-id-0001",
        "task_id": None,
        "task_name": None,
        "http_method": "GET",
        "path": "/api/v1/nowhere",
        "status": 404,
        "duration_ms": 0,
        "view": "<unresolved>",
    }
    # Django's own line about the 404 belongs to the request too; the line logged afterwards to none.
    assert {line["request_id"] for line in lines if line["logger"] == "django.request"} == {"proxy-id-0001"}
    assert lines[-1]["logger"] == "after" and lines[-1]["request_id"] is None


@pytest.mark.parametrize(
    "given",
    ["short", "has spaces in it", "x" * 200, '"quoted"-0123456', "semi;colon-0123456"],
)
def test_an_unusable_incoming_request_id_is_replaced(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.parametrize("given", ["0f8fad5b-d9cb-469f-a165-70867728950e", "3b1f0c6d9a2e4f5b8c7d6e5f4a3b2c1d"])
def test_uuid_and_nginx_request_ids_are_kept(client, given):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


# --- JSON logs --------------------------------------------------------------------------------------------------------


def test_a_json_log_line_has_the_fields_a_log_shipper_indexes():
    with json_log_lines() as lines, bound_request_id("req-0123456789"):
        try:
            raise ValueError("bad value")
        except ValueError:
            logging.getLogger("apps.example").exception("could not do it", extra={"booking": 42, "request": object()})

    (line,) = lines
    assert line["level"] == "ERROR" and line["logger"] == "apps.example" and line["message"] == "could not do it"
    assert line["request_id"] == "req-0123456789" and line["booking"] == 42
    assert "ValueError: bad value" in line["exc_info"]
    assert line["timestamp"].endswith("+0000")
    # Django hands the request object to its log records; its text (query string included) is never written.
    assert "request" not in line


def test_logging_settings_are_json_or_text_and_refuse_anything_else():
    for log_format in ("json", "text"):
        config = logging_config(log_format=log_format, level="info")
        logging.config.dictConfig(config)  # a valid configuration for the standard library
    logging.config.dictConfig(django_settings.LOGGING)

    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
        logging_config(log_format="json", level="LOUD")


# --- Celery: the request id in task headers, task metrics ---------------------------------------------------------


@shared_task(name="tests.observability.log_something")
def log_something() -> str | None:
    logging.getLogger("tests.task").info("working on it")
    return current_request_id()


@shared_task(name="tests.observability.always_fails")
def always_fails() -> None:
    raise RuntimeError("no luck")


@shared_task(bind=True, name="tests.observability.retries_once", max_retries=1)
def retries_once(self) -> str:
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "done"


def test_a_task_queued_during_a_request_carries_its_id_in_the_message_headers():
    headers: dict = {}
    with bound_request_id("req-from-the-web-01"):
        celery_signals.add_request_id_header(headers=headers)
    celery_signals.add_request_id_header(headers=(outside := {}))

    assert headers == {"pinch_request_id": "req-from-the-web-01"}
    assert outside == {}


def test_a_task_logs_under_the_request_id_of_its_message_and_its_own_task_id():
    with json_log_lines() as lines:
        result = log_something.apply(headers={"pinch_request_id": "req-from-the-web-02"})

    assert result.result == "req-from-the-web-02"
    (line,) = [line for line in lines if line["logger"] == "tests.task"]
    assert line["request_id"] == "req-from-the-web-02"
    assert line["task_id"] == result.id and line["task_name"] == "tests.observability.log_something"
    assert current_request_id() is None  # unbound again after the task


def test_a_task_run_inline_keeps_its_callers_request_id_and_a_task_from_nowhere_gets_its_own():
    with bound_request_id("req-inline-000001"):
        assert log_something.apply().result == "req-inline-000001"
        assert current_request_id() == "req-inline-000001"
    own = log_something.apply().result
    assert own and len(own) == 32


def test_task_failures_and_retries_are_counted():
    failures = sample("pinch_celery_task_failures_total", task=always_fails.name, exception="RuntimeError")
    retries = sample("pinch_celery_task_retries_total", task=retries_once.name)

    # As in a worker: errors are recorded, not raised at the caller (the tests' default is to raise them).
    always_fails.apply(throw=False)
    assert retries_once.apply(throw=False).result == "done"

    assert sample("pinch_celery_task_failures_total", task=always_fails.name, exception="RuntimeError") == failures + 1
    assert sample("pinch_celery_task_retries_total", task=retries_once.name) == retries + 1
    assert sample("pinch_celery_tasks_finished_total", task=retries_once.name, state="SUCCESS") >= 1


# --- /metrics ---------------------------------------------------------------------------------------------------------


def test_metrics_are_served_to_the_local_machine_in_prometheus_format_with_request_latencies(client):
    before = sample("pinch_http_request_duration_seconds_count", view="healthz", method="GET", status="200")
    client.get("/healthz")

    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    body = response.content.decode()
    assert 'pinch_http_request_duration_seconds_bucket{le="0.005",method="GET",status="200",view="healthz"}' in body
    assert 'pinch_payments_total{outcome="declined"}' in body
    after = sample("pinch_http_request_duration_seconds_count", view="healthz", method="GET", status="200")
    assert after == before + 1


@pytest.mark.parametrize(
    ("address", "headers"),
    [
        ("203.0.113.9", {}),  # a stranger
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}),  # a stranger, through the proxy on this machine
        ("127.0.0.1", {"HTTP_X_REAL_IP": "203.0.113.9"}),
    ],
)
def test_metrics_are_refused_to_others_in_the_api_error_shape(client, address, headers):
    response = client.get("/metrics", REMOTE_ADDR=address, **headers)

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert "pinch_" not in response.content.decode()


def test_metrics_are_served_anywhere_with_the_bearer_token_and_refused_with_a_wrong_one(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"

    allowed = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
        HTTP_AUTHORIZATION="Bearer s3cret-metrics-token",
    )
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer guess")

    assert allowed.status_code == 200 and b"pinch_http_request_duration_seconds" in allowed.content
    assert refused.status_code == 403 and refused["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_metrics_allow_configured_networks_and_only_get(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]

    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.post("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 405


def test_a_mistyped_allowed_address_is_named_when_the_settings_load():
    assert [str(network) for network in ip_networks(["10.0.0.0/8", "192.0.2.7"], name="METRICS_ALLOWED_IPS")] == [
        "10.0.0.0/8",
        "192.0.2.7/32",
    ]
    with pytest.raises(ImproperlyConfigured, match=r"METRICS_ALLOWED_IPS: '10\.0\.0\.300' is not an IP address"):
        ip_networks(["10.0.0.300"], name="METRICS_ALLOWED_IPS")


@pytest.mark.django_db(transaction=True)
def test_metrics_answer_while_the_database_is_down(client):
    with database_down():
        response = client.get("/metrics")

    assert response.status_code == 200


@pytest.mark.django_db
def test_bookings_and_payments_are_counted_once_committed(
    guest, host, make_listing, django_capture_on_commit_callbacks
):
    names = {
        "instant": ("pinch_bookings_created_total", {"status": "CONFIRMED"}),
        "request": ("pinch_bookings_created_total", {"status": "PENDING"}),
        "cancelled_by_guest": ("pinch_bookings_cancelled_total", {"by": "guest"}),
        "declined_by_host": ("pinch_bookings_cancelled_total", {"by": "host"}),
        **{outcome: ("pinch_payments_total", {"outcome": outcome}) for outcome in ("authorized", "captured")},
        **{outcome: ("pinch_payments_total", {"outcome": outcome}) for outcome in ("declined", "refunded")},
        "released": ("pinch_payments_total", {"outcome": "released"}),
    }
    before = {key: sample(name, **labels) for key, (name, labels) in names.items()}
    instant_listing = make_listing()
    request_listing = make_listing(title="Driveway on Elm", instant_booking=False)

    with django_capture_on_commit_callbacks(execute=True):
        start, end = window(days=10)
        instant = bookings.create_booking(
            guest=guest,
            listing_id=instant_listing.pk,
            start_datetime=start,
            end_datetime=end,
            vehicle=VEHICLE,
            payment_method="pm_card_visa",
        )
        bookings.cancel_booking(booking=instant, actor=guest)
        request = bookings.create_booking(
            guest=guest,
            listing_id=request_listing.pk,
            start_datetime=start,
            end_datetime=end,
            vehicle=VEHICLE,
            payment_method="pm_card_visa",
        )
        bookings.decline_booking(booking=request, actor=host)
        with pytest.raises(Exception, match="declined"):
            bookings.create_booking(
                guest=guest,
                listing_id=instant_listing.pk,
                start_datetime=start,
                end_datetime=end,
                vehicle=VEHICLE,
                payment_method="pm_card_chargeDeclined",
            )

    grown = {key: sample(name, **labels) - before[key] for key, (name, labels) in names.items()}
    assert grown == {
        "instant": 1,
        "request": 1,
        "cancelled_by_guest": 1,
        "declined_by_host": 1,
        "authorized": 2,
        "captured": 1,
        "declined": 1,
        "refunded": 1,
        "released": 1,
    }
    assert instant.total_amount > Decimal(0)


@pytest.mark.django_db
def test_a_booking_rolled_back_is_not_counted(guest, listing, django_capture_on_commit_callbacks):
    before = sample("pinch_bookings_created_total", status="CONFIRMED")
    start, end = window()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bookings.create_booking(
            guest=guest,
            listing_id=listing.pk,
            start_datetime=start,
            end_datetime=end,
            vehicle=VEHICLE,
            payment_method="pm_card_visa",
        )
    # The transaction never commits: the callbacks are dropped instead of run.
    assert callbacks
    assert sample("pinch_bookings_created_total", status="CONFIRMED") == before


# --- Sentry -----------------------------------------------------------------------------------------------------------


class FakeSentry(BaseHTTPRequestHandler):
    """Takes envelopes the way Sentry's ingestion endpoint does (`POST /api/<project>/envelope/`)."""

    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        items = [json.loads(line) for line in body.splitlines() if line.strip().startswith(b"{")]
        type(self).received.append({"path": self.path, "auth": self.headers.get("X-Sentry-Auth", ""), "items": items})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        return


@pytest.fixture
def fake_sentry() -> Iterator[str]:
    FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://public-key@127.0.0.1:{server.server_address[1]}/42"
    finally:
        sentry_sdk.get_client().close()
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_unhandled_exception_reaches_sentry_with_its_request_id_and_no_personal_data(client, fake_sentry):
    assert init_sentry(dsn=fake_sentry, environment="ci", release="pinch@1.2.3", traces_sample_rate=0.0)
    client.raise_request_exception = False
    client.cookies["sessionid"] = "secret-session"

    response = client.get("/boom?email=someone@example.com", HTTP_X_REQUEST_ID="req-to-sentry-01")
    sentry_sdk.flush(timeout=5)

    assert response.status_code == 500
    events = [item for envelope in FakeSentry.received for item in envelope["items"] if "exception" in item]
    assert len(events) == 1, FakeSentry.received
    event = events[0]
    assert FakeSentry.received[0]["path"] == "/api/42/envelope/"
    assert event["exception"]["values"][-1]["type"] == "ZeroDivisionError"
    assert event["tags"]["request_id"] == "req-to-sentry-01"
    assert (event["environment"], event["release"]) == ("ci", "pinch@1.2.3")
    sent = json.dumps(FakeSentry.received)
    assert "secret-session" not in sent and "someone@example.com" not in sent
    assert "cookies" not in event.get("request", {}) and "ip_address" not in (event.get("user") or {})


def test_without_a_dsn_sentry_stays_off_and_a_bad_sample_rate_is_named():
    assert init_sentry(dsn="", environment="dev", release="", traces_sample_rate=0.0) is False
    assert sample_rate("0.25", name="SENTRY_TRACES_SAMPLE_RATE") == 0.25
    for bad in ("often", "1.5", "-0.1"):
        with pytest.raises(ImproperlyConfigured, match="SENTRY_TRACES_SAMPLE_RATE"):
            sample_rate(bad, name="SENTRY_TRACES_SAMPLE_RATE")
