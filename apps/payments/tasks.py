from celery import shared_task

from apps.payments import services


@shared_task(ignore_result=True)
def run_payouts() -> dict:
    """Beat runs this weekly: batch each host's settled bookings and transfer; failed transfers are retried on the
    next run with the same idempotency key, so a host is never paid twice."""
    return services.run_payouts()
