"""Which events notify whom. Each receiver runs after the change it reports has been committed."""

from django.dispatch import receiver

from apps.bookings.models import Booking
from apps.bookings.signals import booking_status_changed
from apps.notifications.models import NotificationType
from apps.notifications.services import notify

Status = Booking.Status


def _when(booking: Booking) -> str:
    return f"{booking.start_datetime:%b %d, %H:%M} UTC"


@receiver(booking_status_changed)
def notify_booking_parties(sender, booking: Booking, old_status: str | None, actor, **kwargs) -> None:
    guest, host, title = booking.guest, booking.listing.host, booking.listing.title
    data = {"booking_code": str(booking.booking_code), "listing": booking.listing_id}
    key = f"booking:{booking.pk}:{old_status}->{booking.status}"
    messages = []
    if booking.status == Status.PENDING and old_status is None:
        messages.append(
            (
                host,
                NotificationType.BOOKING_REQUESTED,
                f"New request for {title}",
                f"{guest.first_name or 'A driver'} asks to park on {_when(booking)}. Answer within 24 hours.",
            )
        )
    elif booking.status == Status.CONFIRMED:
        messages.append(
            (
                guest,
                NotificationType.BOOKING_CONFIRMED,
                f"Booked: {title}",
                f"Your parking on {_when(booking)} is confirmed. Total {booking.total_amount} {booking.currency}.",
            )
        )
        if old_status is None:
            messages.append(
                (
                    host,
                    NotificationType.BOOKING_CONFIRMED,
                    f"New booking for {title}",
                    f"{guest.first_name or 'A driver'} booked {_when(booking)}.",
                )
            )
    elif booking.status == Status.CANCELLED:
        if old_status == Status.PENDING and actor is None:
            messages.append(
                (
                    guest,
                    NotificationType.BOOKING_EXPIRED,
                    f"Request expired: {title}",
                    "The host did not answer in time; you were not charged.",
                )
            )
        elif old_status == Status.PENDING and actor is not None and actor.pk == host.pk:
            messages.append(
                (
                    guest,
                    NotificationType.BOOKING_DECLINED,
                    f"Request declined: {title}",
                    "The host could not take this booking; you were not charged.",
                )
            )
        else:
            other = host if actor is not None and actor.pk == guest.pk else guest
            refund = f" Refund: {booking.refund_amount} {booking.currency}." if booking.refund_amount else ""
            messages.append(
                (
                    other,
                    NotificationType.BOOKING_CANCELLED,
                    f"Cancelled: {title}",
                    f"The booking on {_when(booking)} was cancelled.{refund}",
                )
            )
    for recipient, kind, subject, text in messages:
        notify(
            recipient=recipient,
            notification_type=kind,
            title=subject,
            message=text,
            target=booking,
            data=data,
            dedupe_key=f"{key}:{recipient.pk}",
        )
