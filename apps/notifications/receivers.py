"""Which events notify whom. Each receiver runs after the change it reports has been committed, hands the template
its context, and lets `notify` render, record and queue the notification."""

from django.dispatch import receiver

from apps.bookings.models import Booking
from apps.bookings.signals import booking_status_changed
from apps.core.money import format_money
from apps.listings.signals import listing_activated
from apps.messaging.signals import message_posted
from apps.notifications import context as contexts
from apps.notifications.models import NotificationType
from apps.notifications.services import notify, notify_new_message
from apps.payments.signals import payout_sent
from apps.reviews.signals import review_published

Status = Booking.Status


def _cancelled_by(booking: Booking, actor) -> str:
    if actor is not None and actor.pk == booking.guest_id:
        return contexts.first_name(booking.guest)
    if actor is not None and actor.pk == booking.listing.host_id:
        return "Your host"
    return "Parking in a Pinch"


def _booking_messages(booking: Booking, old_status: str | None, actor) -> list[tuple]:
    """(recipient, type, extra context, dedupe key) for each party this change concerns."""
    guest, host = booking.guest, booking.listing.host
    key = f"booking:{booking.pk}:{old_status}->{booking.status}"
    messages = []
    if booking.status == Status.PENDING and old_status is None:
        messages.append((host, NotificationType.BOOKING_REQUESTED, {}, f"{key}:{host.pk}"))
    elif booking.status == Status.CONFIRMED:
        messages.append((guest, NotificationType.BOOKING_CONFIRMED, {}, f"{key}:{guest.pk}"))
        if old_status is None:
            messages.append((host, NotificationType.BOOKING_CONFIRMED, {}, f"{key}:{host.pk}"))
        if booking.payment_status == Booking.PaymentStatus.SUCCEEDED:
            # Confirming captures the payment (instant booking, or the host's approval): the host's money is in.
            messages.append((host, NotificationType.PAYMENT_RECEIVED, {}, f"payment-received:{booking.pk}"))
    elif booking.status == Status.CANCELLED:
        if old_status == Status.PENDING and actor is None:
            messages.append((guest, NotificationType.BOOKING_EXPIRED, {}, f"{key}:{guest.pk}"))
        elif old_status == Status.PENDING and actor is not None and actor.pk == host.pk:
            messages.append((guest, NotificationType.BOOKING_DECLINED, {}, f"{key}:{guest.pk}"))
        else:
            other = host if actor is not None and actor.pk == guest.pk else guest
            extra = {"cancelled_by": _cancelled_by(booking, actor), "reason": booking.cancellation_reason}
            messages.append((other, NotificationType.BOOKING_CANCELLED, extra, f"{key}:{other.pk}"))
    return messages


@receiver(booking_status_changed)
def notify_booking_parties(sender, booking: Booking, old_status: str | None, actor, **kwargs) -> None:
    data = {"booking_code": str(booking.booking_code), "listing": booking.listing_id}
    for recipient, kind, extra, dedupe_key in _booking_messages(booking, old_status, actor):
        notify(
            recipient=recipient,
            notification_type=kind,
            context={**contexts.booking(booking, recipient=recipient), **extra},
            target=booking,
            data=data,
            dedupe_key=dedupe_key,
        )


@receiver(message_posted)
def notify_message_recipients(sender, message, recipients, **kwargs) -> None:
    for recipient in recipients:
        notify_new_message(message=message, recipient=recipient)


@receiver(listing_activated)
def notify_listing_approved(sender, listing, actor, **kwargs) -> None:
    """Staff approving a listing tells its host; a host switching their own listing on needs no message."""
    if actor is not None and actor.pk == listing.host_id:
        return
    notify(
        recipient=listing.host,
        notification_type=NotificationType.LISTING_APPROVED,
        context={"listing_title": listing.title, "url": contexts.page_url("my_listings")},
        target=listing,
        data={"listing": listing.pk},
    )


@receiver(review_published)
def notify_reviewee(sender, review, **kwargs) -> None:
    notify(
        recipient=review.reviewee,
        notification_type=NotificationType.REVIEW_RECEIVED,
        context={
            "reviewer_name": contexts.first_name(review.reviewer, default="Someone"),
            "rating": review.overall_rating,
            "listing_title": review.listing.title,
            "url": contexts.page_url("profile"),
        },
        target=review,
        data={"review": review.pk, "listing": review.listing_id},
        dedupe_key=f"review-received:{review.pk}",
    )


@receiver(payout_sent)
def notify_host_of_payout(sender, payout, **kwargs) -> None:
    start, end = payout.period_start, payout.period_end
    period = f"{start:%b} {start.day} to {end:%b} {end.day}, {end.year}"
    if start == end:
        period = f"{end:%b} {end.day}, {end.year}"
    notify(
        recipient=payout.host,
        notification_type=NotificationType.PAYOUT_SENT,
        context={
            "amount": format_money(payout.amount, payout.currency),
            "booking_count": payout.items.count(),
            "period": period,
            "url": contexts.page_url("host_earnings"),
        },
        target=payout,
        data={"payout": payout.pk},
        dedupe_key=f"payout-sent:{payout.pk}",
    )
