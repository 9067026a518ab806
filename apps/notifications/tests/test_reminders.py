"""Reminders: the guest of a confirmed booking is reminded to check in within the hour before it starts and to
check out within the 15 minutes before it ends, once each, in the listing's local time; bookings that already
started or ended (a worker back from downtime) are not reminded late."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from apps.bookings.tests.conftest import client_for
from apps.bookings.tests.factories import BookingFactory, next_hour
from apps.notifications import tasks
from apps.notifications.context import local_time
from apps.notifications.models import Notification, NotificationType

pytestmark = pytest.mark.django_db
Type = NotificationType


def reminders(kind=None):
    reminder_types = [kind] if kind else [Type.REMINDER_CHECKIN, Type.REMINDER_CHECKOUT]
    return Notification.objects.filter(notification_type__in=reminder_types)


def run():
    return tasks.send_booking_reminders.delay().get()


def test_the_check_in_reminder_goes_out_once_within_the_hour_before_the_start(outbox_dir):
    booking = BookingFactory(start_datetime=next_hour() + timedelta(days=1))
    start = booking.start_datetime

    with freeze_time(start - timedelta(minutes=61)):
        assert run() == {"checkin": 0, "checkout": 0}
    with freeze_time(start - timedelta(minutes=55)):
        assert run() == {"checkin": 1, "checkout": 0}
        assert run() == {"checkin": 0, "checkout": 0}
        listed = client_for(booking.guest).get("/api/v1/notifications").json()  # a token made at the frozen time
    with freeze_time(start - timedelta(minutes=5)):
        assert run() == {"checkin": 0, "checkout": 0}

    [reminder] = reminders(Type.REMINDER_CHECKIN)
    assert reminder.recipient == booking.guest and reminder.content_object == booking
    assert reminder.dedupe_key == f"reminder-checkin:{booking.pk}"
    shown = local_time(start, booking.listing.time_zone)
    assert reminder.message == f"Your parking at {booking.listing.title} starts at {shown}. Check in when you arrive."
    assert listed["results"][0]["notification_type"] == "REMINDER_CHECKIN"


def test_the_check_out_reminder_goes_out_once_within_15_minutes_of_the_end_confirmed_or_in_progress():
    confirmed = BookingFactory(start_datetime=next_hour() + timedelta(days=1), hours=2)
    in_progress = BookingFactory(listing=confirmed.listing, start_datetime=confirmed.end_datetime, hours=2)
    in_progress.status = "IN_PROGRESS"
    in_progress.save()

    with freeze_time(confirmed.end_datetime - timedelta(minutes=16)):
        assert run()["checkout"] == 0
    with freeze_time(confirmed.end_datetime - timedelta(minutes=14)):
        assert run()["checkout"] == 1
    with freeze_time(in_progress.end_datetime - timedelta(minutes=1)):
        assert run()["checkout"] == 1
        assert run()["checkout"] == 0

    assert set(reminders(Type.REMINDER_CHECKOUT).values_list("object_id", flat=True)) == {
        confirmed.pk,
        in_progress.pk,
    }


def test_no_late_reminders_after_downtime_and_none_for_bookings_not_confirmed():
    started = BookingFactory(start_datetime=next_hour() + timedelta(days=1), hours=3)
    BookingFactory(listing=started.listing, start_datetime=started.end_datetime, pending=True)
    BookingFactory(listing=started.listing, start_datetime=started.end_datetime + timedelta(hours=3), cancelled=True)

    with freeze_time(started.start_datetime + timedelta(minutes=20)):  # the worker was down when it was due
        assert run() == {"checkin": 0, "checkout": 0}
    with freeze_time(started.end_datetime + timedelta(minutes=1)):
        assert run() == {"checkin": 0, "checkout": 0}
    with freeze_time(started.end_datetime + timedelta(minutes=3 * 60 - 30)):  # pending and cancelled ones start
        assert run() == {"checkin": 0, "checkout": 0}
    assert not reminders().exists()


def _queries_of_a_run(at) -> int:
    with freeze_time(at), CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def test_a_run_costs_one_notification_per_booking_reminded_and_nothing_more():
    first = BookingFactory(start_datetime=next_hour() + timedelta(days=2))
    due = first.start_datetime - timedelta(minutes=30)
    idle = _queries_of_a_run(due - timedelta(hours=2))
    one = _queries_of_a_run(due)
    for offset in (1, 2, 3):  # three more bookings of other listings starting at the same time
        BookingFactory(start_datetime=first.start_datetime + timedelta(minutes=offset))
    three = _queries_of_a_run(due)
    assert three - idle == 3 * (one - idle)
    assert reminders().count() == 4
