from celery import shared_task

from apps.reviews import services


@shared_task(ignore_result=True)
def publish_due_reviews() -> int:
    """Beat runs this hourly: reviews whose 14-day window has closed are published (safe to run twice)."""
    return services.publish_due_reviews()
