"""Delivery: a channel the provider refuses is retried with exponential backoff, only that channel; after the last
attempt the notification is FAILED and kept; a delivery that runs twice (a retry, a re-queued task, two workers)
sends each message once; deliveries lost on the way are queued again."""

import threading
from datetime import timedelta

import pytest
from celery.signals import task_retry
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from apps.listings.tests.test_admin import admin_url
from apps.notifications import delivery, tasks
from apps.notifications.models import Notification, NotificationType
from apps.notifications.services import notify
from apps.notifications.tests.conftest import emails, files, prefers, subscribe
from apps.notifications.tests.fakes import FlakyEmailBackend, FlakySmsGateway
from apps.users.tests.factories import UserFactory
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db
ChannelStatus = Notification.ChannelStatus


@pytest.fixture
def retries():
    """The countdowns Celery was asked to retry the delivery after, in order. Eagerly, Celery runs a retried task
    again at once (the countdown is recorded, not waited), unless it is told to propagate errors."""
    countdowns = []
    celery_app.conf.task_eager_propagates = False

    def heard(sender=None, request=None, reason=None, **kwargs):
        countdowns.append(reason.when)

    task_retry.connect(heard, weak=False)
    yield countdowns
    task_retry.disconnect(heard)
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def flaky(settings):
    FlakyEmailBackend.failures_left = FlakyEmailBackend.calls = 0
    FlakySmsGateway.failures_left = FlakySmsGateway.calls = 0
    settings.EMAIL_BACKEND = "apps.notifications.tests.fakes.FlakyEmailBackend"
    settings.SMS_GATEWAY = "apps.notifications.tests.fakes.FlakySmsGateway"
    return FlakyEmailBackend, FlakySmsGateway


def notice(user) -> Notification:
    """A notification recorded but not delivered yet (its transaction has not committed in the test)."""
    return notify(
        recipient=user,
        notification_type=NotificationType.LISTING_APPROVED,
        context={"listing_title": "Sunny driveway", "url": "https://pinch.example/host/listings/"},
    )


def test_the_backoff_doubles_from_30_seconds_up_to_5_minutes():
    assert [delivery.retry_delay(attempt) for attempt in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_a_refused_text_is_retried_with_backoff_and_the_email_is_not_sent_again(
    flaky, retries, outbox_dir, django_capture_on_commit_callbacks
):
    _, sms = flaky
    sms.failures_left = 2
    user = prefers(UserFactory(), "sms")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notice(user)

    notification.refresh_from_db()
    assert retries == [30, 60]
    assert (notification.status, notification.attempts) == ("SENT", 3)
    assert (notification.email_status, notification.sms_status) == (ChannelStatus.SENT, ChannelStatus.SENT)
    assert notification.last_error == "sms (attempt 2): 503 Service Unavailable"
    assert sms.calls == 3 and FlakyEmailBackend.calls == 1
    assert len(emails(outbox_dir)) == 1 and len(files(outbox_dir, "sms")) == 1
    assert notification.receipts["sms"]["message_id"] == f"notification-{notification.pk}-sms"


def test_after_the_last_attempt_the_notification_is_failed_and_kept_and_staff_can_resend_it(
    flaky, retries, outbox_dir, admin_client, django_capture_on_commit_callbacks
):
    email, _ = flaky
    email.failures_left = 100
    with django_capture_on_commit_callbacks(execute=True):
        notification = notice(UserFactory())

    notification.refresh_from_db()
    assert retries == [30, 60, 120, 240, 300]
    assert (notification.status, notification.email_status) == ("FAILED", ChannelStatus.FAILED)
    assert notification.attempts == delivery.MAX_ATTEMPTS and email.calls == delivery.MAX_ATTEMPTS
    assert notification.last_error.startswith("email (attempt 6): SMTPServerDisconnected")
    assert emails(outbox_dir) == []

    email.failures_left = 0  # the mail server is back
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url(Notification, "changelist"), {"action": "resend_failed", "_selected_action": [notification.pk]}
        )
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.email_status, notification.attempts) == ("SENT", "sent", 1)
    assert len(emails(outbox_dir)) == 1


def test_running_the_delivery_twice_sends_each_channel_once(outbox_dir):
    user = prefers(UserFactory(), "push")
    subscribe(user)
    notification = notice(user)

    assert tasks.deliver_notification.delay(notification.pk).get() == "SENT"
    assert tasks.deliver_notification.delay(notification.pk).get() == "SENT"

    notification.refresh_from_db()
    assert notification.attempts == 1
    assert len(emails(outbox_dir)) == 1 and len(files(outbox_dir, "push")) == 1


def test_a_delivery_repeated_after_a_crash_before_its_commit_leaves_one_message_per_channel(outbox_dir):
    """The outbox (like a mail server deduplicating by Message-ID) keys each message on the notification."""
    user = prefers(UserFactory(), "sms")
    notification = notice(user)
    tasks.deliver_notification.delay(notification.pk)
    Notification.objects.filter(pk=notification.pk).update(
        status="PENDING", email_status="pending", sms_status="pending"
    )

    tasks.deliver_notification.delay(notification.pk)

    assert len(emails(outbox_dir)) == 1 and len(files(outbox_dir, "sms")) == 1
    assert [path.name for path in files(outbox_dir, "sms")] == [f"notification-{notification.pk}-sms.json"]


class SlowSmsGateway(FlakySmsGateway):
    """Takes its time, so that a second delivery of the same notification runs while the first is sending."""

    def send(self, **kwargs):
        threading.Event().wait(0.3)
        return super().send(**kwargs)


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_one_notification_at_once_send_it_once(settings, outbox_dir, monkeypatch):
    settings.SMS_GATEWAY = "apps.notifications.tests.test_delivery.SlowSmsGateway"
    SlowSmsGateway.failures_left = SlowSmsGateway.calls = 0
    user = prefers(UserFactory(), "sms")
    notification = notice(user)  # committed (transactional test): its own delivery ran already
    Notification.objects.filter(pk=notification.pk).update(status="PENDING", sms_status="pending", attempts=0)
    (outbox_dir / "sms").joinpath(f"notification-{notification.pk}-sms.json").unlink()
    SlowSmsGateway.calls = 0

    failures = []
    # Both runs count their attempt before either sends: without this the second thread, started late on a busy
    # machine, met a notification already sent and counted nothing (a race of the test, not of the delivery).
    both_started = threading.Barrier(2, timeout=10)
    start = delivery._start

    def start_together(notification_id):
        channels = start(notification_id)
        both_started.wait()
        return channels

    monkeypatch.setattr(delivery, "_start", start_together)

    def worker():
        try:
            delivery.deliver(notification_id=notification.pk)
        except Exception as error:  # reported below: an exception in a thread would pass unseen
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == [] and SlowSmsGateway.calls == 1
    notification.refresh_from_db()
    assert (notification.status, notification.sms_status, notification.attempts) == ("SENT", "sent", 2)


def test_deliveries_lost_on_the_way_are_queued_again_after_ten_minutes(outbox_dir):
    lost = notice(UserFactory())  # never delivered: its task was lost with the broker
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        recent = notice(UserFactory())
        in_backoff = notice(UserFactory())
        Notification.objects.filter(pk=in_backoff.pk).update(attempts=2, last_attempt_at=timezone.now())

    with freeze_time(timezone.now() + timedelta(minutes=11)):
        assert tasks.requeue_stuck_notifications.delay().get() == 1

    lost.refresh_from_db()
    assert lost.status == "SENT" and [mail["To"] for mail in emails(outbox_dir)] == [lost.recipient.email]
    assert Notification.objects.get(pk=recent.pk).status == "PENDING"
    assert Notification.objects.get(pk=in_backoff.pk).status == "PENDING"


def test_a_delivery_counts_its_attempt_in_one_statement_and_reads_the_recipient_only_to_send(outbox_dir):
    # Counting the attempt is one UPDATE (no locked read before it); the recipient's account is joined
    # once per channel sent, where the senders read it, and only the columns they read; the last channel's
    # transaction also closes the delivery (no third lock).
    user = prefers(UserFactory(), "push")
    subscribe(user)
    notification = notice(user)

    with CaptureQueriesContext(connection) as queries:
        assert delivery.deliver(notification_id=notification.pk).status == "SENT"

    statements = [query["sql"] for query in queries.captured_queries]
    counted = [sql for sql in statements if sql.startswith('UPDATE "notifications"') and '"attempts" + 1' in sql]
    assert len(counted) == 1
    locks = [sql for sql in statements if "FOR UPDATE" in sql]
    channels_sent = 2  # email and push
    assert len(locks) == channels_sent
    assert all('JOIN "users"' in sql for sql in locks)
    assert not any('"users"."default_location"' in sql or '"users"."password"' in sql for sql in locks)
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert len(emails(outbox_dir)) == 1 and len(files(outbox_dir, "push")) == 1


def test_the_locked_read_gives_the_notification_as_the_orm_does_and_the_recipient_the_senders_read():
    user = UserFactory(phone_number="+15125550100", is_phone_verified=True)
    notification = notice(user)
    Notification.objects.filter(pk=notification.pk).update(receipts={"email": {"message_id": "<m>"}}, data={"n": 1})
    fields = [field.attname for field in Notification._meta.concrete_fields]

    with transaction.atomic():
        locked = delivery._locked(notification.pk, with_recipient=True)
        alone = delivery._locked(notification.pk)
        expected = Notification.objects.get(pk=notification.pk)

    for read in (locked, alone):
        assert [getattr(read, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert locked.receipts == {"email": {"message_id": "<m>"}} and locked.data == {"n": 1}
    with CaptureQueriesContext(connection) as queries:  # loaded with the notification: no query
        recipient = locked.recipient
        read = (recipient.pk, recipient.email, recipient.phone_number, recipient.is_phone_verified)
    assert queries.captured_queries == []
    assert read == (
        user.pk,
        user.email,
        "+15125550100",
        True,
    )
    assert {"password", "default_location", "bio"} <= recipient.get_deferred_fields()
    assert delivery._locked(notification.pk + 1000) is None
