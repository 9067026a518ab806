"""Faults the product survives, each against real servers that the test breaks on purpose:

- PostgreSQL restarting under a running gunicorn: requests fail cleanly (503 in the API's error shape) while it
  is away, and succeed again once it is back, without restarting the app;
- Redis down: pages, search, sign-in and booking still work without the cache, and the notifications queued
  while the broker was away are queued again when it returns;
- a Celery worker killed (SIGKILL, worker and pool at once) in the middle of tasks: a new worker runs them again,
  and the email is sent once and the host paid once.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.bookings.tests.conftest import booking_body, window
from apps.core.tests.private_services import (
    CeleryWorker,
    PrivateRedis,
    TcpProxy,
    database_url_of_tests,
    free_port,
    production_env,
    use_broker,
    wait_until,
)
from apps.notifications import services as notifications
from apps.notifications.models import Notification
from apps.payments.models import Payout, Transaction

pytestmark = pytest.mark.slow

UNAVAILABLE = {
    "type": "server_error",
    "errors": [
        {
            "code": "service_unavailable",
            "detail": "The service is briefly unavailable. Please try again in a few seconds.",
            "attr": None,
        }
    ],
}


def http_get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        return response.status, {key.lower(): value for key, value in response.getheaders()}, response.read()
    finally:
        conn.close()


# --- The database restarting under the running app ------------------------------------------------------------


@contextmanager
def gunicorn(*, database_url: str, log: Path, workers: int = 2) -> Iterator[tuple[int, subprocess.Popen]]:
    """The production web server (deploy/gunicorn.conf.py) on a free port, its database at `database_url`."""
    port = free_port()
    env = {
        **os.environ,
        **production_env(
            DATABASE_URL=database_url,
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(workers),
            GUNICORN_THREADS="2",
            PROMETHEUS_MULTIPROC_DIR=str(log.parent / "metrics"),
        ),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def answers() -> bool:
        assert process.poll() is None, log.read_text()[-4000:]
        try:
            return http_get(port, "/healthz")[0] == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60, what="gunicorn to answer")
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_while_the_database_restarts_requests_fail_cleanly_and_then_succeed_again_without_restarting_the_app(
    listing, tmp_path
):
    database = settings.DATABASES["default"]
    proxy = TcpProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    app_url = database_url_of_tests(user=settings.DATABASE_APP_ROLE).replace(
        f"@{database['HOST']}:{database['PORT']}/", f"@127.0.0.1:{proxy.port}/"
    )
    listing_path = f"/api/v1/listings/{listing.pk}"
    search_path = "/api/v1/listings?lat=30.2590&lng=-97.7385&radius_m=2000"  # always reads the database
    log = tmp_path / "gunicorn.log"
    try:
        with gunicorn(database_url=app_url, log=log) as (port, process):
            for _ in range(4):  # each worker thread holds a persistent connection now
                assert http_get(port, search_path)[0] == 200
            assert http_get(port, listing_path)[0] == 200  # the public detail is cached from now on

            proxy.cut()
            api_status, api_headers, api_body = http_get(port, search_path)
            cached_status = http_get(port, listing_path)[0]
            home_status = http_get(port, "/", Accept="text/html")[0]
            page_status, page_headers, page_body = http_get(port, f"/listings/{listing.pk}/", Accept="text/html")
            metrics_status = http_get(port, "/metrics")[0]
            ready_status = http_get(port, "/readyz")[0]

            proxy.restore()
            recovered = [http_get(port, search_path)[0] for _ in range(6)]
            assert process.poll() is None
            metrics = http_get(port, "/metrics")[2].decode()
        boots = log.read_text().count("Booting worker")
    finally:
        proxy.close()

    assert (api_status, json.loads(api_body)) == (503, UNAVAILABLE)
    assert api_headers["retry-after"] == "5" and api_headers["x-request-id"]
    # A cached public listing needs no database (an anonymous request sends no row-level security context either).
    assert (cached_status, home_status) == (200, 200)  # and the home page has nothing to read
    assert page_status == 503 and page_headers["content-type"].startswith("text/html")
    assert b"Back in a moment" in page_body and b"Traceback" not in page_body
    assert metrics_status == 200  # the metrics need no database
    assert ready_status == 503
    # Back without restarting anything: no worker was replaced, and every request succeeds again.
    assert recovered == [200] * 6
    assert boots == 2
    # Both workers' requests are counted (PROMETHEUS_MULTIPROC_DIR): 4 before the outage, 6 after.
    served = 'pinch_http_request_duration_seconds_count{method="GET",status="200",view="api-listings"}'
    assert f"{served} 10.0" in metrics


# --- Redis down ---------------------------------------------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        use_broker(None)
        server.stop()


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_site_serves_and_bookings_succeed_and_their_notifications_are_queued_when_it_returns(
    private_redis, settings, guest, host, listing
):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": private_redis.url(1), "KEY_PREFIX": "faults"}
    }
    use_broker(private_redis.url(0))
    guest.set_password("a-long-password-123")
    guest.save()
    start, end = window(days=4)

    private_redis.stop()
    home = api_client().get("/", HTTP_ACCEPT="text/html")
    search = api_client().get("/api/v1/listings", {"lat": "30.2590", "lng": "-97.7385", "radius_m": "5000"})
    detail = api_client().get(f"/api/v1/listings/{listing.pk}")
    sign_in = api_client().post(
        "/api/v1/auth/token", {"email": guest.email, "password": "a-long-password-123"}, format="json"
    )
    booked = api_client(guest).post("/api/v1/bookings", booking_body(listing, start, end), format="json")

    assert [home.status_code, search.status_code, detail.status_code, sign_in.status_code] == [200, 200, 200, 200]
    assert booked.status_code == 201, booked.content
    # Their deliveries could not be queued: they wait, PENDING, for the broker to return.
    lost = set(Notification.objects.filter(status=Notification.Status.PENDING).values_list("pk", flat=True))
    assert lost and lost == set(Notification.objects.values_list("pk", flat=True))

    private_redis.start()
    requeued = notifications.requeue_stuck_notifications(now=timezone.now() + timedelta(minutes=11))

    assert requeued == len(lost)
    queued = [json.loads(message) for message in private_redis.client(0).lrange("celery", 0, -1)]
    tasks = [(message["headers"]["task"], message["headers"]["argsrepr"]) for message in queued]
    assert sorted(tasks) == sorted(("apps.notifications.tasks.deliver_notification", f"({pk},)") for pk in lost)


# --- A worker killed mid-task ---------------------------------------------------------------------------------------


@contextmanager
def row_locked(table: str, pk: int) -> Iterator[psycopg.Connection]:
    """Hold `SELECT ... FOR UPDATE` on one row from a connection of our own, as a slow transaction would."""
    with psycopg.connect(database_url_of_tests().replace("postgis://", "postgresql://"), autocommit=False) as conn:
        conn.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])
        yield conn
        conn.rollback()


def lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)"
            " WHERE NOT granted AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_tasks_of_a_worker_killed_mid_task_run_again_on_a_new_worker_sending_once_and_paying_once(
    private_redis, guest, host, tmp_path, outbox_dir
):
    use_broker(private_redis.url(0))
    host.stripe_account_id = "acct_faults"
    host.save(update_fields=["stripe_account_id"])
    payout = Payout.objects.create(
        host=host, amount=Decimal("42.00"), period_start=date(2026, 1, 5), period_end=date(2026, 1, 11)
    )
    from apps.core.observability.context import bound_request_id
    from apps.payments.tasks import run_payouts

    with bound_request_id("req-killed-worker-01"):
        notification = notifications.notify(recipient=guest, notification_type="BOOKING_CONFIRMED")
        run_payouts.delay()
    assert notification is not None

    worker_env = production_env(
        DATABASE_URL=database_url_of_tests(), REDIS_URL=private_redis.url(0), PINCH_OUTBOX_DIR=str(outbox_dir)
    )
    log = tmp_path / "worker.log"
    first = CeleryWorker(name="first", env=worker_env, log=log)
    # The second gives messages back quickly once their worker is gone (production: an hour), and serves the
    # metrics of its pool processes.
    metrics_port = free_port()
    (tmp_path / "worker-metrics").mkdir()
    second = CeleryWorker(
        name="second",
        env={
            **worker_env,
            "CELERY_VISIBILITY_TIMEOUT_SECONDS": "1",
            "CELERY_WORKER_METRICS_PORT": str(metrics_port),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "worker-metrics"),
        },
        log=log,
    )
    try:
        with row_locked("notifications", notification.pk), row_locked("payouts", payout.pk):
            first.start()
            wait_until(lambda: lock_waiters() >= 2, timeout=30, what="both tasks to wait on their rows")
            first.kill()
            second.start()
        wait_until(
            lambda: (
                Payout.objects.get(pk=payout.pk).status == Payout.Status.PAID
                and Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT
            ),
            timeout=60,
            what="the second worker to finish both tasks",
        )
        worker_metrics = http_get(metrics_port, "/metrics")[2].decode()
    finally:
        first.kill()
        second.stop()

    notification.refresh_from_db()
    payout.refresh_from_db()
    # Exactly one email for the notification whose task was killed (the paid payout may send the host its own).
    emails = [
        path for path in (outbox_dir / "email").glob("*.eml") if f"notification-{notification.pk}@" in path.read_text()
    ]
    assert len(emails) == 1
    assert (notification.email_status, notification.attempts) == (Notification.ChannelStatus.SENT, 1)
    assert (payout.attempts, payout.stripe_transfer_id.startswith("tr_sandbox_")) == (1, True)
    assert Transaction.objects.filter(payout=payout, transaction_type="PAYOUT").count() == 1
    # The second worker's lines about the task carry the request id the task was queued under.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    delivered = [line for line in lines if line.get("task_name") == "apps.notifications.tasks.deliver_notification"]
    assert delivered and {line["request_id"] for line in delivered} == {"req-killed-worker-01"}
    assert any(" succeeded in " in line["message"] for line in delivered)  # Celery's own line about the task
    # Its pool processes' counts, through PROMETHEUS_MULTIPROC_DIR: the task runs and the payout.
    finished = 'pinch_celery_tasks_finished_total{state="SUCCESS",task="apps.notifications.tasks.deliver_notification"}'
    counts = [float(line.rsplit(" ", 1)[1]) for line in worker_metrics.splitlines() if line.startswith(finished)]
    # The killed delivery once, plus (timing allowing) the host's payout notification that the payout queued.
    assert counts and 1.0 <= counts[0] <= 2.0, counts
    assert 'pinch_payments_total{outcome="payout"} 1.0' in worker_metrics
