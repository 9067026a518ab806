"""Each event of the product makes the right notification for the right person, rendered from its template, and
delivers it over that person's channels: email always, a text to a verified phone when they prefer SMS, a push
message to their browsers when they prefer push."""

from datetime import timedelta
from decimal import Decimal

import pytest
from celery.signals import before_task_publish
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from apps.bookings import services as booking_services
from apps.bookings.models import Booking
from apps.bookings.tests.conftest import VEHICLE, booking_body, client_for, window
from apps.core.tests.private_services import use_broker
from apps.listings.services import activate_listing, deactivate_listing
from apps.messaging import services as messaging_services
from apps.messaging.models import MessageRead
from apps.notifications import tasks
from apps.notifications.models import Notification, NotificationType
from apps.notifications.services import mark_read
from apps.notifications.tests.conftest import emails, files, plain_body, prefers, subscribe, texts
from apps.payments import services as payment_services
from apps.reviews import services as review_services
from apps.users.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
Type = NotificationType
SENT, SKIPPED = Notification.ChannelStatus.SENT, Notification.ChannelStatus.SKIPPED


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a block as if its transaction committed: signals, notifications and (eager) deliveries follow."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def book(guest, listing, **overrides):
    start, end = window(days=overrides.pop("days", 3))
    return booking_services.create_booking(
        guest=guest, listing_id=listing.pk, start_datetime=start, end_datetime=end, vehicle=VEHICLE,
        payment_method="pm_card_visa", **overrides,
    )  # fmt: skip


def sent_to(user, kind) -> Notification:
    return Notification.objects.get(recipient=user, notification_type=kind)


def test_a_request_tells_the_host_by_email_and_text_in_the_listings_time(
    guest, host, make_listing, outbox_dir, committed
):
    prefers(host, "sms")
    listing = make_listing(instant_booking=False, title="Garage on Rainey St")
    with committed():
        booking = book(guest, listing)

    notification = sent_to(host, Type.BOOKING_REQUESTED)
    assert Notification.objects.count() == 1
    assert notification.title == "New request: Gil wants to park at Garage on Rainey St"
    assert (notification.status, notification.email_status, notification.sms_status) == ("SENT", SENT, SENT)
    assert notification.push_status == "" and notification.attempts == 1 and notification.sent_at is not None
    assert notification.content_object == booking and notification.data["booking_code"] == str(booking.booking_code)
    [mail] = emails(outbox_dir)
    assert mail["To"] == "host@example.com" and mail["Subject"] == notification.title
    assert mail["Message-ID"] == f"<notification-{notification.pk}@parkinginapinch.example>"
    local_start = booking.start_datetime.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    shown = f"{local_start:%a, %b} {local_start.day}, {local_start.hour % 12 or 12}:00"
    assert shown in plain_body(mail) and " UTC" not in plain_body(mail)
    assert "Gil would like to park at Garage on Rainey St" in plain_body(mail)
    assert mail.get_body(preferencelist=("html",)) is not None
    [text] = texts(outbox_dir, "sms")
    assert text["to"] == "+15125550123" and text["body"] == notification.sms_body
    assert text["body"].startswith("Parking in a Pinch: Gil asks to park at Garage on Rainey St")


def test_approval_confirms_to_the_guest_by_push_and_tells_the_host_the_payment_came_in(
    guest, host, make_listing, outbox_dir, committed
):
    prefers(guest, "push")
    subscribe(guest)
    listing = make_listing(instant_booking=False)
    booking = book(guest, listing)
    with committed():
        booking_services.approve_booking(booking=booking, actor=host)

    confirmed = sent_to(guest, Type.BOOKING_CONFIRMED)
    assert confirmed.title == f"You're booked at {listing.title}"
    assert (confirmed.email_status, confirmed.push_status, confirmed.sms_status) == (SENT, SENT, "")
    [push] = texts(outbox_dir, "push")
    assert push["endpoint"] == "https://push.example.net/send/abc"
    assert push["payload"]["title"] == confirmed.title and push["payload"]["body"] == confirmed.message
    assert push["payload"]["tag"] == f"notification-{confirmed.pk}"
    paid = sent_to(host, Type.PAYMENT_RECEIVED)
    assert paid.title == f"Payment received for {listing.title}"
    assert f"Your share, ${booking.host_payout}" in paid.email_body
    assert not Notification.objects.filter(recipient=host, notification_type=Type.BOOKING_CONFIRMED).exists()
    assert {mail["To"] for mail in emails(outbox_dir)} == {"guest@example.com", "host@example.com"}


def test_an_instant_booking_tells_both_sides_and_the_host_of_the_payment(guest, host, listing, committed):
    with committed():
        book(guest, listing)

    assert set(Notification.objects.values_list("recipient__email", "notification_type")) == {
        ("guest@example.com", Type.BOOKING_CONFIRMED),
        ("host@example.com", Type.BOOKING_CONFIRMED),
        ("host@example.com", Type.PAYMENT_RECEIVED),
    }
    assert sent_to(host, Type.BOOKING_CONFIRMED).title.startswith("New booking: Garage on Rainey St")


NOTIFY_TASK = "apps.notifications.tasks.notify_booking_change"
DELIVER_TASK = "apps.notifications.tasks.deliver_notification"


def test_a_booking_request_queues_one_task_for_its_notifications_and_writes_none_itself(
    guest, listing, queued_tasks, committed
):
    start, end = window()
    with committed():
        response = client_for(guest).post("/api/v1/bookings", booking_body(listing, start, end), format="json")

    assert response.status_code == 201, response.content
    booking = Booking.objects.get(booking_code=response.json()["booking_code"])
    change = {"old_status": None, "new_status": "CONFIRMED", "actor_id": guest.pk}
    assert queued_tasks == [(NOTIFY_TASK, (booking.pk,), change)]
    assert not Notification.objects.exists()


def test_the_notification_task_of_a_change_run_twice_notifies_each_party_once(
    guest, host, listing, queued_tasks, committed, outbox_dir
):
    with committed():
        booking = book(guest, listing)
    [(_, args, change)] = queued_tasks

    with committed():
        made = [tasks.notify_booking_change.apply(args, change).get() for _ in range(2)]

    assert made == [3, 0]
    assert sorted(Notification.objects.values_list("recipient__email", "notification_type")) == [
        ("guest@example.com", Type.BOOKING_CONFIRMED),
        ("host@example.com", Type.BOOKING_CONFIRMED),
        ("host@example.com", Type.PAYMENT_RECEIVED),
    ]
    assert all(notification.content_object == booking for notification in Notification.objects.all())
    # Delivered by the task that wrote them, once each: no task of their own.
    assert [name for name, _, _ in queued_tasks if name == DELIVER_TASK] == []
    assert set(Notification.objects.values_list("status", "email_status")) == {(Notification.Status.SENT, SENT)}
    assert len(emails(outbox_dir)) == 3


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.usefixtures("nothing_prepared_yet")
def test_the_notification_task_prepares_its_statements_once_and_runs_them_by_name_after(
    guest, host, make_listing, queued_tasks, committed, outbox_dir
):
    with committed():
        book(guest, make_listing())
        book(guest, make_listing(title="Second garage"))
    [(_, first, first_change), (_, second, second_change)] = queued_tasks

    with committed():
        assert tasks.notify_booking_change.apply(first, first_change).get() == 3
    prepared = _prepared()
    with committed():
        assert tasks.notify_booking_change.apply(second, second_change).get() == 3

    assert _prepared() == prepared  # the second booking's notifications prepared nothing more
    assert any(statement.startswith('INSERT INTO "notifications"') for statement in prepared)
    assert any("FOR UPDATE OF n" in statement and "n.*" not in statement for statement in prepared)
    assert all("$1" in statement for statement in prepared if '"notifications"' in statement)
    assert len(emails(outbox_dir)) == 6


def test_what_the_writing_task_could_not_deliver_goes_to_the_delivery_task_with_its_backoff(
    guest, host, listing, queued_tasks, committed, settings, monkeypatch
):
    from apps.notifications.tests.fakes import FlakyEmailBackend

    with committed():
        book(guest, listing)
    [(_, args, change)] = queued_tasks
    FlakyEmailBackend.failures_left, FlakyEmailBackend.calls = 1, 0  # the first email is refused
    settings.EMAIL_BACKEND = "apps.notifications.tests.fakes.FlakyEmailBackend"
    broken = {}

    def deliver(*, notification_id):
        if not broken:  # the second delivery breaks outright, after the first was refused
            broken["refused"] = notification_id
            return real_deliver(notification_id=notification_id)
        if len(broken) == 1:
            broken["raised"] = notification_id
            raise RuntimeError("the database went away")
        return real_deliver(notification_id=notification_id)

    real_deliver = tasks.delivery.deliver
    monkeypatch.setattr(tasks.delivery, "deliver", deliver)
    etas = []

    def heard(sender=None, headers=None, **kwargs):
        etas.append(headers.get("eta"))

    before_task_publish.connect(heard, weak=False)
    try:
        with committed():
            assert tasks.notify_booking_change.apply(args, change).get() == 3
    finally:
        before_task_publish.disconnect(heard)
    # The refused one after the backoff's first wait (30 s), the broken one at once.
    assert [eta is not None for eta in etas] == [True, False]

    retried = [(args, kwargs) for name, args, kwargs in queued_tasks if name == DELIVER_TASK]
    assert retried == [((broken["refused"],), {}), ((broken["raised"],), {})]
    refused = Notification.objects.get(pk=broken["refused"])
    assert (refused.status, refused.email_status, refused.attempts) == (
        Notification.Status.PENDING,
        Notification.ChannelStatus.FAILED,
        1,
    )
    assert Notification.objects.get(pk=broken["raised"]).attempts == 0
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 1


def test_the_notification_task_tells_the_change_it_was_queued_for_even_if_another_followed(
    guest, host, make_listing, queued_tasks, committed
):
    """The worker may run late: a request approved before its task ran still tells the host of the request,
    and the approval tells its own news."""
    with committed():
        booking = book(guest, make_listing(instant_booking=False))
        booking_services.approve_booking(booking=booking, actor=host)
    assert [change["new_status"] for name, _, change in queued_tasks if name == NOTIFY_TASK] == [
        "PENDING",
        "CONFIRMED",
    ]

    with committed():
        for _name, args, change in list(queued_tasks):
            tasks.notify_booking_change.apply(args, change)

    assert sorted(Notification.objects.values_list("recipient__email", "notification_type")) == [
        ("guest@example.com", Type.BOOKING_CONFIRMED),
        ("host@example.com", Type.BOOKING_REQUESTED),
        ("host@example.com", Type.PAYMENT_RECEIVED),
    ]


def test_with_the_broker_down_the_request_notifies_the_parties_itself(guest, listing, queued_tasks, committed):
    use_broker("redis://127.0.0.1:9/0")  # nothing listens there
    start, end = window()
    with committed():
        response = client_for(guest).post("/api/v1/bookings", booking_body(listing, start, end), format="json")

    assert response.status_code == 201, response.content
    # Their deliveries could not be queued either: they wait, PENDING, for `requeue_stuck_notifications`.
    assert sorted(Notification.objects.values_list("notification_type", "status")) == [
        (Type.BOOKING_CONFIRMED, "PENDING"),
        (Type.BOOKING_CONFIRMED, "PENDING"),
        (Type.PAYMENT_RECEIVED, "PENDING"),
    ]


def test_push_without_a_subscription_and_sms_without_a_verified_phone_are_skipped(
    guest, listing, outbox_dir, committed
):
    prefers(guest, "push")
    with committed():
        book(guest, listing)

    confirmed = sent_to(guest, Type.BOOKING_CONFIRMED)
    assert (confirmed.status, confirmed.email_status, confirmed.push_status) == ("SENT", SENT, SKIPPED)
    assert files(outbox_dir, "push") == []
    unverified = UserFactory(preferred_notification_method="sms", phone_number="+15125550199")
    with committed():
        book(unverified, listing, days=4)
    assert sent_to(unverified, Type.BOOKING_CONFIRMED).send_sms is False
    assert files(outbox_dir, "sms") == []


def test_a_declined_request_tells_the_guest_nothing_was_charged(guest, host, make_listing, committed):
    booking = book(guest, make_listing(instant_booking=False))
    with committed():
        booking_services.decline_booking(booking=booking, actor=host)

    declined = sent_to(guest, Type.BOOKING_DECLINED)
    assert declined.title == "Request declined: Garage on Rainey St"
    assert "you won't be charged" in declined.email_body


def test_an_expired_request_tells_the_guest(guest, make_listing, committed):
    book(guest, make_listing(instant_booking=False))
    with freeze_time(timezone.now() + timedelta(hours=25)), committed():
        booking_services.expire_pending_bookings()

    assert sent_to(guest, Type.BOOKING_EXPIRED).title == "Request expired: Garage on Rainey St"


def test_the_guest_cancelling_tells_the_host_who_cancelled_and_why(guest, host, listing, committed):
    booking = book(guest, listing, days=10)
    with committed():
        booking_services.cancel_booking(booking=booking, actor=guest, reason="Flight moved")

    cancelled = sent_to(host, Type.BOOKING_CANCELLED)
    assert "Gil cancelled the booking at Garage on Rainey St" in cancelled.email_body
    assert 'Reason given: "Flight moved"' in cancelled.email_body
    assert "The space is free again" in cancelled.email_body
    assert not Notification.objects.filter(recipient=guest, notification_type=Type.BOOKING_CANCELLED).exists()


def test_the_host_cancelling_tells_the_guest_their_refund(guest, host, listing, committed):
    booking = book(guest, listing, days=10)
    with committed():
        booking = booking_services.cancel_booking(booking=booking, actor=host, reason="")

    cancelled = sent_to(guest, Type.BOOKING_CANCELLED)
    assert f"${booking.total_amount} is on its way back to your card" in cancelled.email_body
    assert (
        cancelled.message
        == f"Your host cancelled the booking on {_start_shown(booking)}. Refund: ${booking.total_amount}."
    )


def _start_shown(booking) -> str:
    from apps.notifications.context import local_time

    return local_time(booking.start_datetime, booking.listing.time_zone)


def test_a_message_notifies_the_other_side_once_until_they_read_the_conversation(
    guest, host, listing, outbox_dir, committed
):
    with committed():
        conversation, _, _ = messaging_services.start_conversation(
            sender=guest, listing=listing, message="Is the garage tall enough for a van?"
        )
    with committed():
        messaging_services.post_message(conversation=conversation, sender=guest, content="It's a Sprinter.")
        messaging_services.post_message(conversation=conversation, sender=guest, content="Roof rack too.")

    [notification] = Notification.objects.filter(notification_type=Type.MESSAGE_RECEIVED)
    assert notification.recipient == host and notification.content_object == conversation
    assert notification.title == "Gil sent you a message about Garage on Rainey St"
    assert notification.message == "Gil: Is the garage tall enough for a van?"
    assert len(emails(outbox_dir)) == 1

    with committed():  # the host reads the thread, then gets another message: that one notifies again
        messaging_services.mark_conversation_read(conversation=conversation, reader=host)
        messaging_services.post_message(conversation=conversation, sender=guest, content="Still there?")
    assert MessageRead.objects.filter(user=host).exists()
    notifications = Notification.objects.filter(recipient=host, notification_type=Type.MESSAGE_RECEIVED)
    assert notifications.count() == 2 and notifications.filter(read_at__isnull=True).count() == 1
    assert notifications.get(read_at__isnull=True).message == "Gil: Still there?"

    with committed():  # marking the notification read (without opening the thread) also lets the next one through
        mark_read(notification=notifications.get(read_at__isnull=True))
        messaging_services.post_message(conversation=conversation, sender=guest, content="Hello?")
    assert notifications.count() == 3
    assert not Notification.objects.filter(recipient=guest).exists()


def test_staff_approving_a_listing_tells_the_host_but_the_host_switching_it_on_does_not(host, listing, committed):
    deactivate_listing(listing=listing, actor=host)
    with committed():
        activate_listing(listing=listing, actor=host)
    assert not Notification.objects.exists()

    deactivate_listing(listing=listing, actor=host)
    with committed():
        activate_listing(listing=listing, actor=StaffFactory())
    approved = sent_to(host, Type.LISTING_APPROVED)
    assert approved.title == "Garage on Rainey St is live" and approved.content_object == listing


def test_a_published_review_tells_the_reviewee_once(guest, host, listing, committed):
    booking = book(guest, listing, days=1)
    with freeze_time(booking.start_datetime):
        booking_services.check_in(booking=booking, actor=guest)
        booking = booking_services.check_out(booking=booking, actor=guest)
    with committed():
        review_services.write_review(booking=booking, reviewer=guest, ratings={"overall_rating": 5}, comment="Great")
    assert not Notification.objects.filter(notification_type=Type.REVIEW_RECEIVED).exists()  # hidden until both

    with committed():
        review_services.write_review(booking=booking, reviewer=host, ratings={"overall_rating": 4}, comment="Tidy")
    to_host, to_guest = sent_to(host, Type.REVIEW_RECEIVED), sent_to(guest, Type.REVIEW_RECEIVED)
    assert to_host.message == "Gil left you a 5-star review." and to_guest.message == "Hana left you a 4-star review."


def test_a_sent_payout_tells_the_host_how_much_for_how_many_bookings(guest, host, listing, committed):
    booking = book(guest, listing, days=1)
    with freeze_time(booking.start_datetime):
        booking_services.check_in(booking=booking, actor=guest)
        booking_services.check_out(booking=booking, actor=guest)
    User.objects.filter(pk=host.pk).update(stripe_account_id="acct_sandbox_host")
    with freeze_time(booking.end_datetime + timedelta(days=1)), committed():
        payment_services.run_payouts()

    payout_notice = sent_to(host, Type.PAYOUT_SENT)
    assert payout_notice.title == f"Your payout of ${booking.host_payout} is on its way"
    assert payout_notice.message == f"We sent you ${booking.host_payout} for 1 booking."
    assert booking.host_payout > Decimal("0")


def test_a_deleted_account_is_not_notified(listing):
    from apps.notifications.services import notify

    gone = UserFactory(is_deleted=True, deleted_at=timezone.now())
    assert notify(recipient=gone, notification_type=Type.LISTING_APPROVED, context={}) is None


def test_the_notification_task_reads_the_booking_its_listing_and_parties_once_and_only_what_it_needs(
    guest, host, listing, queued_tasks, committed, outbox_dir
):
    with committed():
        book(guest, listing)
    [(_, args, change)] = queued_tasks

    with committed(), CaptureQueriesContext(connection) as queries:
        assert tasks.notify_booking_change.apply(args, change).get() == 3

    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and any(f'FROM "{table}"' in q["sql"] for table in ("bookings", "listings"))
    ]
    assert len(reads) == 1  # a field the texts need but the task did not load would be read again, here
    assert '"listings"."location"' not in reads[0] and '"users"."password"' not in reads[0]
    assert "Garage on Rainey St" in sent_to(host, Type.BOOKING_CONFIRMED).title
