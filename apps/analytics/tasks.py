from celery import shared_task
from django.conf import settings

from apps.analytics import buffer, services
from apps.users import rls


@shared_task(ignore_result=True)
def flush_analytics() -> dict[str, int]:
    """Beat runs this every ANALYTICS_FLUSH_SECONDS: the views and searches buffered by requests, written in
    batches (apps/analytics/buffer.py)."""
    batch = settings.ANALYTICS_FLUSH_BATCH
    with rls.as_system():
        return {
            "views": buffer.flush("view", services.record_listing_views, batch=batch),
            "searches": buffer.flush("search", services.record_searches, batch=batch),
        }


# One task a row, as requests queued them before the buffer: kept so that messages queued by a release before it
# are still written after the upgrade.
@shared_task(ignore_result=True)
def record_listing_view(**fields) -> None:
    services.record_listing_view(**fields)


@shared_task(ignore_result=True)
def record_search(**fields) -> None:
    services.record_search(**fields)
