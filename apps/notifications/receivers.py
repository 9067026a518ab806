"""Which events notify whom. Each receiver runs after the change it reports has been committed, hands the template
its context, and lets `notify` render, record and queue the notification."""

import logging

from django.dispatch import receiver
from kombu.exceptions import OperationalError as KombuOperationalError

from apps.bookings.models import Booking
from apps.bookings.signals import booking_status_changed
from apps.core.money import format_money
from apps.listings.signals import listing_activated
from apps.messaging.signals import message_posted
from apps.notifications import context as contexts
from apps.notifications import tasks
from apps.notifications.models import NotificationType
from apps.notifications.services import notify, notify_booking_change, notify_new_message
from apps.payments.signals import payout_sent
from apps.reviews.signals import review_published

logger = logging.getLogger(__name__)


@receiver(booking_status_changed)
def notify_booking_parties(sender, booking: Booking, old_status: str | None, actor, **kwargs) -> None:
    """Queue one task that writes, renders and queues the notifications of the change: that work is the worker's,
    not the request's (it was a third of a booking's time). While the broker is down they are made here instead,
    and their deliveries wait for `requeue_stuck_notifications`."""
    change = {"old_status": old_status, "new_status": booking.status, "actor_id": getattr(actor, "pk", None)}
    try:
        tasks.notify_booking_change.delay(booking.pk, **change)
    except KombuOperationalError:
        logger.warning("Broker unavailable: notifying the parties of booking %s in the request", booking.pk)
        notify_booking_change(booking=booking, **change)


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
