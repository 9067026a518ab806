"""Celery tasks of the notifications domain: thin wrappers, each safe to run twice. Background work acts as
`system` for row-level security (the recipient may be anyone)."""

import logging

from celery import shared_task

from apps.bookings.models import Booking
from apps.core.prepared import bound_on_server
from apps.notifications import context as contexts
from apps.notifications import delivery, services
from apps.users import rls

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=delivery.MAX_ATTEMPTS)
def deliver_notification(self, notification_id: int) -> str:
    """Send a notification over its channels; a channel that failed is retried with exponential backoff (the
    notification row counts the attempts and decides when to give up), never re-sending a channel already sent."""
    with rls.as_system():
        outcome = delivery.deliver(notification_id=notification_id)
    if outcome.retry_in_seconds is not None:
        raise self.retry(countdown=outcome.retry_in_seconds)
    return outcome.status


def _deliver_here(notification_id: int) -> None:
    """A first delivery attempt in the task that wrote the notification. What is left to retry goes to
    `deliver_notification` with its backoff; so does a delivery that broke here (it is safe to repeat)."""
    try:
        outcome = delivery.deliver(notification_id=notification_id)
    except Exception:
        logger.exception("Notification %s: delivery failed in the writing task; queued for a retry", notification_id)
        deliver_notification.delay(notification_id)
        return
    if outcome.retry_in_seconds is not None:
        deliver_notification.apply_async((notification_id,), countdown=outcome.retry_in_seconds)


@shared_task(ignore_result=True)
def notify_booking_change(booking_id: int, *, old_status: str | None, new_status: str, actor_id: int | None) -> int:
    """The notifications of one change of a booking's status, made off the request that changed it, and their first
    delivery: one task a change, where a task of its own for each delivery cost the worker about as much again as
    the deliveries (bench/RESULTS.md). Safe to run twice: each notification has a dedupe key, and a second run makes
    and sends nothing. Returns how many notifications were made.

    Its statements (reads by key, inserts, updates) are prepared once per connection (`bound_on_server`): parsed and
    planned anew each time they cost PostgreSQL 4.4-4.6 ms of CPU a booking's three notifications, prepared 2.4
    (bench/RESULTS.md, eleventh round)."""
    with rls.as_system(), bound_on_server():
        booking = (
            Booking.objects.select_related("listing", "listing__host", "guest")
            .only(*contexts.BOOKING_FIELDS)
            .filter(pk=booking_id)
            .first()
        )
        if booking is None:  # gone since (a deleted account's data): nobody left to tell
            return 0
        made = services.notify_booking_change(
            booking=booking, old_status=old_status, new_status=new_status, actor_id=actor_id, queue_delivery=False
        )
        for notification in made:
            _deliver_here(notification.pk)
    return len(made)


@shared_task(ignore_result=True)
def requeue_stuck_notifications() -> int:
    """Beat runs this every 5 minutes: deliveries lost on the way (queued while the broker was down, a worker
    gone) are queued again."""
    with rls.as_system():
        return services.requeue_stuck_notifications()


@shared_task(ignore_result=True)
def send_booking_reminders() -> dict:
    """Beat runs this every 5 minutes: check-in reminders an hour ahead, check-out reminders 15 minutes ahead."""
    with rls.as_system():
        return services.send_booking_reminders()
