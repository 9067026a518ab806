from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from apps.bookings import services


@shared_task(ignore_result=True)
def expire_pending_bookings() -> int:
    """Beat runs this every few minutes; a request older than 24 hours lapses (safe to run twice)."""
    return services.expire_pending_bookings()


@shared_task(ignore_result=True)
def refresh_search_marks() -> int:
    """Beat runs this nightly: window search's booked times lose the bookings that stopped holding a space in the
    last two days and the periods that have begun (the overlap makes a missed night harmless; safe to run twice)."""
    return services.refresh_search_marks(since=timezone.now() - timedelta(days=2))
