from celery import shared_task

from apps.analytics import services


@shared_task(ignore_result=True)
def record_listing_view(**fields) -> None:
    services.record_listing_view(**fields)


@shared_task(ignore_result=True)
def record_search(**fields) -> None:
    services.record_search(**fields)
