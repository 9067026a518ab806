"""Business counters: bookings created and cancelled, payments by outcome, counted when the change commits.

Every booking and ledger change is saved through the services of `apps.bookings` and `apps.payments`; the model
signals of those saves tell us what happened without those services knowing about metrics, and without `core`
importing them (the senders are named lazily, `"bookings.Booking"`). A change rolled back is never counted: the
count waits for `transaction.on_commit`.
"""

from django.db import transaction
from django.db.models.signals import post_save

from apps.core.observability.metrics import BOOKINGS_CANCELLED, BOOKINGS_CREATED, PAYMENTS


def _changed(update_fields, field: str) -> bool:
    return update_fields is not None and field in update_fields


def booking_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        # Read when the transaction commits: an instant booking is saved PENDING and confirmed in the same one.
        transaction.on_commit(lambda: BOOKINGS_CREATED.labels(status=instance.status).inc())
    elif _changed(update_fields, "cancelled_at") and instance.status == sender.Status.CANCELLED:
        if instance.cancelled_by_id is None:
            by = "system"
        elif instance.cancelled_by_id == instance.guest_id:
            by = "guest"
        else:
            by = "host"
        transaction.on_commit(lambda: BOOKINGS_CANCELLED.labels(by=by).inc())


def payment_outcomes(sender, instance, created: bool, update_fields) -> tuple[str, ...]:
    """What a save of a ledger entry means: none, one payment event, or two for a payment authorised and
    captured at once (an instant booking's entry is created completed)."""
    kind, status = sender.TransactionType, sender.Status
    status_changed = created or _changed(update_fields, "status")
    if instance.transaction_type == kind.BOOKING_PAYMENT:
        if created and instance.status == status.FAILED:
            return ("declined",)
        if created and instance.status == status.PROCESSING:
            return ("authorized",)
        if created and instance.status == status.COMPLETED:
            return ("authorized", "captured")
        if status_changed and instance.status == status.COMPLETED:
            return ("captured",)
        if status_changed and instance.status == status.CANCELLED:
            return ("released",)
    elif instance.transaction_type == kind.REFUND and created and instance.status == status.COMPLETED:
        return ("refunded",)
    elif instance.transaction_type == kind.PAYOUT and created and instance.status == status.COMPLETED:
        return ("payout",)
    return ()


def transaction_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    for outcome in payment_outcomes(sender, instance, created, update_fields):
        transaction.on_commit(lambda outcome=outcome: PAYMENTS.labels(outcome=outcome).inc())


def connect() -> None:
    post_save.connect(booking_saved, sender="bookings.Booking", dispatch_uid="observability.booking_saved")
    post_save.connect(transaction_saved, sender="payments.Transaction", dispatch_uid="observability.transaction_saved")
