from celery import shared_task

from apps.bookings import services


@shared_task(ignore_result=True)
def expire_pending_bookings() -> int:
    """Beat runs this every few minutes; a request older than 24 hours lapses (safe to run twice)."""
    return services.expire_pending_bookings()
