"""Writes of the payments domain: saved cards, the ledger of every booking, host payouts and provider events.

The ledger is the truth about money. For each booking: one BOOKING entry (processing while authorised,
completed once captured, cancelled when released, failed when declined) and one REFUND entry per refund.
For every captured booking, BOOKING - REFUNDs = total_amount - refund_amount (`check_integrity` verifies it).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.bookings import pricing
from apps.bookings.models import Booking
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.core.models import AuditLog
from apps.core.money import ZERO
from apps.core.prepared import BIGINT, prepared_cursor
from apps.core.services import log_action
from apps.payments import selectors
from apps.payments.gateways import get_gateway
from apps.payments.gateways.base import PaymentError
from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction, WebhookEvent
from apps.payments.signals import payout_sent

MAX_PAYOUT_ATTEMPTS = 5
# Saved sandbox cards look like tokens; one that is not the guest's own is somebody else's card.
SAVED_SANDBOX_PREFIX = "pm_sandbox_"
TT = Transaction.TransactionType
TS = Transaction.Status
PS = Booking.PaymentStatus


# --- Saved cards --------------------------------------------------------------------------------------------------


def _customer_id(user) -> str:
    customer_id = get_gateway().ensure_customer(
        email=user.email, existing_id=user.stripe_customer_id, idempotency_key=f"customer:{user.pk}"
    )
    if customer_id != user.stripe_customer_id:
        user.stripe_customer_id = customer_id
        # The model's manager, not type(user): request.user is a lazy wrapper whose type is not the model.
        get_user_model().objects.filter(pk=user.pk).update(stripe_customer_id=customer_id)
    return customer_id


def save_payment_method(*, user, token: str, make_default: bool = False) -> PaymentMethod:
    """Attach a card (a provider token) to the user. Their first card becomes the default."""
    token = (token or "").strip()
    if not token:
        raise InvalidInput("This field is required.", code="required", attr="token")
    try:
        card = get_gateway().save_card(
            token=token,
            customer_id=_customer_id(user),
            idempotency_key=f"card:{user.pk}:{token}:{timezone.now():%s%f}",
        )
    except InvalidInput as error:
        raise InvalidInput(error.detail, code=error.code, attr="token") from error
    with transaction.atomic():
        has_default = PaymentMethod.objects.select_for_update().filter(user=user, is_default=True).exists()
        if make_default and has_default:
            PaymentMethod.objects.filter(user=user, is_default=True).update(is_default=False)
        method = PaymentMethod.objects.create(
            user=user,
            stripe_payment_method_id=card.payment_method_id,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            is_default=make_default or not has_default,
        )
        log_action(actor=user, action=AuditLog.Action.CREATE, target=method, description=f"Card {method} saved")
    return method


def make_default_payment_method(*, method: PaymentMethod) -> PaymentMethod:
    with transaction.atomic():
        PaymentMethod.objects.select_for_update().filter(user_id=method.user_id).exclude(pk=method.pk).update(
            is_default=False
        )
        method.is_default = True
        method.save(update_fields=["is_default"])
    return method


def delete_payment_method(*, method: PaymentMethod) -> None:
    """Forget a card; if it was the default, the newest other card becomes the default."""
    with transaction.atomic():
        was_default, user_id = method.is_default, method.user_id
        method.delete()
        if was_default:
            newest = PaymentMethod.objects.filter(user_id=user_id).order_by("-created_at").first()
            if newest is not None:
                make_default_payment_method(method=newest)


# --- The ledger of a booking (the `BookingPayments` that `apps.bookings` calls) -------------------------------------


def _booking_entry(booking: Booking) -> Transaction:
    entry = (
        Transaction.objects.select_for_update()
        .filter(booking=booking, transaction_type=TT.BOOKING_PAYMENT)
        .exclude(status=TS.FAILED)
        .first()
    )
    if entry is None:
        raise Conflict("This booking has no payment to act on.", code="no_payment")
    return entry


def _refunded(booking: Booking) -> Decimal:
    total = Transaction.objects.filter(booking=booking, transaction_type=TT.REFUND, status=TS.COMPLETED).aggregate(
        total=Sum("amount")
    )["total"]
    return total or ZERO


_SAVED_METHOD_SQL = (
    'SELECT "user_id", "stripe_payment_method_id" FROM "payment_methods" '
    'WHERE "stripe_payment_method_id" = %s OR "id" = %s LIMIT 1'
)


class Ledger:
    """Money operations of a booking: the provider call and its ledger entry, in the caller's transaction."""

    def _provider_method(self, guest, reference: str) -> str:
        reference = str(reference or "").strip()
        if not reference:
            raise InvalidInput("Choose a payment method.", code="required", attr="payment_method")
        # A saved method named by its id or its provider id. Every booking runs this lookup: written by hand, it
        # costs 0.07 ms of CPU where the ORM's took 0.28 (and the whole row through first() ~1 ms).
        with prepared_cursor() as cursor:
            as_id = int(reference) if reference.isdecimal() and int(reference) in BIGINT else None
            cursor.execute(_SAVED_METHOD_SQL, [reference, as_id])
            saved = cursor.fetchone()
        if saved:
            owner_id, provider_id = saved
            if owner_id != guest.pk:
                raise NotFound("No such payment method.", attr="payment_method")
            return provider_id
        if reference.isdecimal() or reference.startswith(SAVED_SANDBOX_PREFIX):
            raise NotFound("No such payment method.", attr="payment_method")
        return reference  # a provider token, e.g. pm_card_visa

    def _authorize_at_provider(self, booking: Booking, payment_method: str, idempotency_key: str) -> str:
        method_id = self._provider_method(booking.guest, payment_method)
        return (
            get_gateway()
            .authorize(
                amount=booking.total_amount,
                currency=booking.currency,
                payment_method_id=method_id,
                customer_id=_customer_id(booking.guest),
                description=f"Parking at {booking.listing.title}",
                metadata={"booking": str(booking.booking_code), "listing": str(booking.listing_id)},
                idempotency_key=idempotency_key,
            )
            .intent_id
        )

    def record_payment(self, *, booking: Booking, idempotency_key: str) -> None:
        captured = booking.payment_status == PS.SUCCEEDED
        Transaction.objects.create(
            booking=booking,
            user=booking.guest,
            transaction_type=TT.BOOKING_PAYMENT,
            amount=booking.total_amount,
            currency=booking.currency,
            stripe_payment_intent_id=booking.payment_intent_id,
            idempotency_key=idempotency_key,
            status=TS.COMPLETED if captured else TS.PROCESSING,
            completed_at=timezone.now() if captured else None,
            description=f"Payment for booking {booking.booking_code}",
        )
        log_action(
            actor=booking.guest,
            action=AuditLog.Action.PAYMENT_PROCESS,
            target=booking,
            description=f"{'Authorised and captured' if captured else 'Authorised'} {booking.total_amount} "
            f"{booking.currency}",
        )

    # The provider is called before the booking is saved, so that the booking's INSERT carries the payment's fields:
    # an UPDATE of them after the ledger's entry cost a round trip and 0.3-0.6 ms of CPU a booking (bench/RESULTS.md).
    def authorize(self, *, booking: Booking, payment_method: str, idempotency_key: str) -> None:
        booking.payment_intent_id = self._authorize_at_provider(booking, payment_method, idempotency_key)
        booking.payment_status = PS.AUTHORIZED

    def charge(self, *, booking: Booking, payment_method: str, idempotency_key: str) -> None:
        """Authorise and capture at once (an instant booking): the provider calls of `authorize` then `capture`,
        the ledger written once, its entry completed from the start."""
        intent_id = self._authorize_at_provider(booking, payment_method, idempotency_key)
        get_gateway().capture(intent_id=intent_id, amount=None, idempotency_key=f"capture:{booking.booking_code}")
        booking.payment_intent_id, booking.payment_status = intent_id, PS.SUCCEEDED

    def record_declined(
        self, *, guest, listing_id: int, start: datetime, end: datetime, amount: Decimal, reason: str, code: str
    ) -> None:
        entry = Transaction.objects.create(
            booking=None,
            user=guest,
            transaction_type=TT.BOOKING_PAYMENT,
            amount=amount,
            status=TS.FAILED,
            description="Declined payment for a booking attempt",
            failure_reason=f"{code}: {reason}",
            metadata={"listing": listing_id, "start": start.isoformat(), "end": end.isoformat(), "code": code},
        )
        log_action(
            actor=guest, action=AuditLog.Action.PAYMENT_PROCESS, target=entry, description=f"Payment declined: {code}"
        )

    def capture(self, *, booking: Booking) -> None:
        entry = _booking_entry(booking)
        if entry.status == TS.COMPLETED:
            return
        get_gateway().capture(
            intent_id=booking.payment_intent_id, amount=None, idempotency_key=f"capture:{booking.booking_code}"
        )
        entry.status, entry.completed_at = TS.COMPLETED, timezone.now()
        entry.save(update_fields=["status", "completed_at"])
        booking.payment_status = PS.SUCCEEDED
        booking.save(update_fields=["payment_status", "updated_at"])
        log_action(
            actor=None,
            action=AuditLog.Action.PAYMENT_PROCESS,
            target=booking,
            description=f"Captured {booking.total_amount} {booking.currency}",
        )

    def release(self, *, booking: Booking) -> None:
        entry = _booking_entry(booking)
        if entry.status == TS.COMPLETED:
            raise Conflict("A captured payment cannot be released; refund it instead.", code="already_captured")
        get_gateway().release(intent_id=booking.payment_intent_id, idempotency_key=f"release:{booking.booking_code}")
        entry.status = TS.CANCELLED
        entry.save(update_fields=["status"])
        booking.payment_status = PS.RELEASED
        booking.save(update_fields=["payment_status", "updated_at"])
        log_action(
            actor=None, action=AuditLog.Action.PAYMENT_PROCESS, target=booking, description="Authorisation released"
        )

    def refund(self, *, booking: Booking, amount: Decimal) -> None:
        """Give back `amount`; all refunds of a booking together never exceed what was captured."""
        entry = _booking_entry(booking)
        if entry.status != TS.COMPLETED:
            raise Conflict("Nothing was captured, so nothing can be refunded.", code="not_captured")
        already = _refunded(booking)
        if amount <= 0 or already + amount > entry.amount:
            raise Conflict(
                f"At most {entry.amount - already} {booking.currency} can still be refunded.", code="refund_too_large"
            )
        number = Transaction.objects.filter(booking=booking, transaction_type=TT.REFUND).count() + 1
        key = f"refund:{booking.booking_code}:{number}"
        refund = get_gateway().refund(intent_id=booking.payment_intent_id, amount=amount, idempotency_key=key)
        Transaction.objects.create(
            booking=booking,
            user=booking.guest,
            transaction_type=TT.REFUND,
            amount=amount,
            currency=booking.currency,
            stripe_payment_intent_id=booking.payment_intent_id,
            stripe_refund_id=refund.refund_id,
            idempotency_key=key,
            status=TS.COMPLETED,
            completed_at=timezone.now(),
            description=f"Refund for booking {booking.booking_code}",
        )
        booking.payment_status = PS.REFUNDED if already + amount >= entry.amount else PS.PARTIAL_REFUND
        booking.save(update_fields=["payment_status", "updated_at"])
        log_action(
            actor=None,
            action=AuditLog.Action.PAYMENT_REFUND,
            target=booking,
            description=f"Refunded {amount} {booking.currency}",
        )


# --- Payouts ------------------------------------------------------------------------------------------------------


def batch_payouts(*, now: datetime | None = None) -> list[Payout]:
    """Gather each host's payable bookings into one new payout. A booking joins at most one payout (the
    database refuses a second), so nobody is paid twice for it."""
    now = now or timezone.now()
    created = []
    by_host: dict[int, list[Booking]] = {}
    for booking in selectors.payable_bookings(now):
        by_host.setdefault(booking.listing.host_id, []).append(booking)
    for host_id, bookings in by_host.items():
        try:
            with transaction.atomic():
                shares = {
                    booking.pk: pricing.host_share_of_payout(
                        host_payout=booking.host_payout,
                        total_amount=booking.total_amount,
                        refunded=booking.refund_amount or ZERO,
                    )
                    for booking in bookings
                }
                payout = Payout.objects.create(
                    host_id=host_id,
                    amount=sum(shares.values(), ZERO),
                    currency=bookings[0].currency,
                    period_start=min(booking.end_datetime for booking in bookings).date(),
                    period_end=max(booking.end_datetime for booking in bookings).date(),
                )
                PayoutItem.objects.bulk_create(
                    PayoutItem(payout=payout, booking=booking, amount=shares[booking.pk]) for booking in bookings
                )
                log_action(
                    actor=None,
                    action=AuditLog.Action.PAYOUT_PROCESS,
                    target=payout,
                    description=f"Payout of {payout.amount} for {len(bookings)} booking(s) prepared",
                )
                created.append(payout)
        except IntegrityError:
            continue  # another run took these bookings first
    return created


def send_payout(*, payout: Payout) -> Payout:
    """Transfer a prepared (or failed) payout to the host's account. The transfer's idempotency key is the
    payout's, so a retry after a crash can never pay twice."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update(of=("self",)).select_related("host").get(pk=payout.pk)
        if payout.status == Payout.Status.PAID:
            return payout
        payout.attempts += 1
        try:
            transfer = get_gateway().transfer(
                amount=payout.amount,
                currency=payout.currency,
                destination_account=payout.host.stripe_account_id,
                description=f"Payout {payout.pk}",
                idempotency_key=f"payout:{payout.pk}",
            )
        except PaymentError as error:
            payout.status, payout.failure_reason = Payout.Status.FAILED, error.detail
            payout.save(update_fields=["status", "failure_reason", "attempts"])
            log_action(
                actor=None,
                action=AuditLog.Action.PAYOUT_PROCESS,
                target=payout,
                description=f"Payout failed: {error.detail}",
            )
            return payout
        payout.status, payout.paid_at, payout.failure_reason = Payout.Status.PAID, timezone.now(), ""
        payout.stripe_transfer_id = transfer.transfer_id
        payout.save(update_fields=["status", "paid_at", "failure_reason", "stripe_transfer_id", "attempts"])
        Transaction.objects.create(
            booking=None,
            payout=payout,
            user=payout.host,
            transaction_type=TT.PAYOUT,
            amount=payout.amount,
            currency=payout.currency,
            stripe_transfer_id=transfer.transfer_id,
            idempotency_key=f"payout:{payout.pk}",
            status=TS.COMPLETED,
            completed_at=payout.paid_at,
            description=f"Payout {payout.pk}",
        )
        log_action(
            actor=None,
            action=AuditLog.Action.PAYOUT_PROCESS,
            target=payout,
            description=f"Paid {payout.amount} {payout.currency}",
        )
        transaction.on_commit(lambda: payout_sent.send(sender=Payout, payout=payout), robust=True)
    return payout


def run_payouts(*, now: datetime | None = None) -> dict[str, int]:
    """The weekly job: prepare new payouts, then send every unpaid one that has not failed too often."""
    batch_payouts(now=now)
    sent = {"paid": 0, "failed": 0}
    for payout in Payout.objects.filter(
        status__in=[Payout.Status.PENDING, Payout.Status.FAILED], attempts__lt=MAX_PAYOUT_ATTEMPTS
    ):
        result = send_payout(payout=payout)
        sent["paid" if result.status == Payout.Status.PAID else "failed"] += 1
    return sent


# --- Provider events ----------------------------------------------------------------------------------------------

# How far along a payment is; an event never moves a booking backwards, so late or repeated events are harmless.
PROGRESS = {
    PS.PENDING: 0,
    PS.FAILED: 1,
    PS.AUTHORIZED: 2,
    PS.PROCESSING: 2,
    PS.RELEASED: 3,
    PS.SUCCEEDED: 3,
    PS.PARTIAL_REFUND: 4,
    PS.REFUNDED: 5,
}


def _advance(booking: Booking, status: str) -> bool:
    if PROGRESS[status] <= PROGRESS[booking.payment_status]:
        return False
    booking.payment_status = status
    booking.save(update_fields=["payment_status", "updated_at"])
    return True


def handle_provider_event(*, event_id: str, event_type: str, data: dict[str, Any], provider: str = "stripe") -> bool:
    """Apply a provider event once. Returns False for an event already seen (a no-op)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    provider=provider, event_id=event_id, event_type=event_type, payload=data
                )
        except IntegrityError:
            return False
        obj = data.get("object", {}) if isinstance(data, dict) else {}
        intent_id = obj.get("payment_intent") or obj.get("id") or ""
        booking = Booking.objects.select_for_update().filter(payment_intent_id=intent_id).first() if intent_id else None
        if booking is not None:
            changed = False
            if event_type == "payment_intent.succeeded":
                changed = _advance(booking, PS.SUCCEEDED)
            elif event_type == "payment_intent.payment_failed":
                changed = _advance(booking, PS.FAILED)
            elif event_type == "charge.refunded":
                refunded = Decimal(obj.get("amount_refunded", 0)) / 100
                changed = _advance(booking, PS.REFUNDED if refunded >= booking.total_amount else PS.PARTIAL_REFUND)
            elif event_type == "charge.dispute.created":
                booking.metadata = {**booking.metadata, "dispute": {"event": event_id, "reason": obj.get("reason", "")}}
                booking.save(update_fields=["metadata", "updated_at"])
                changed = True
                log_action(
                    actor=None,
                    action=AuditLog.Action.MODERATE,
                    target=booking,
                    description=f"Payment disputed ({obj.get('reason', 'no reason given')}): staff to review",
                )
            if changed and event_type != "charge.dispute.created":
                log_action(
                    actor=None,
                    action=AuditLog.Action.PAYMENT_PROCESS,
                    target=booking,
                    description=f"Provider event {event_type}",
                )
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at"])
    return True
