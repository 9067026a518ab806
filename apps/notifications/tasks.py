"""Celery tasks of the notifications domain: thin wrappers, each safe to run twice. Background work acts as
`system` for row-level security (the recipient may be anyone)."""

from celery import shared_task

from apps.notifications import delivery, services
from apps.users import rls


@shared_task(bind=True, ignore_result=True, max_retries=delivery.MAX_ATTEMPTS)
def deliver_notification(self, notification_id: int) -> str:
    """Send a notification over its channels; a channel that failed is retried with exponential backoff (the
    notification row counts the attempts and decides when to give up), never re-sending a channel already sent."""
    with rls.as_system():
        outcome = delivery.deliver(notification_id=notification_id)
    if outcome.retry_in_seconds is not None:
        raise self.retry(countdown=outcome.retry_in_seconds)
    return outcome.status


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
