"""The context each notification template is rendered with (documented per type in the seeded templates'
`variables`). Times are shown in the listing's own time zone, where the parking is."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from apps.core.money import format_money

# What `booking` below, `base` and the notification services read of a booking, its listing and its two parties
# (`first_name`, and whether and how to reach them). The task that notifies a booking's change loads only these:
# the three wide rows in full (a geometry each for the listing and the accounts) cost it 1.9 ms of CPU, these 1.0.
PARTY_FIELDS = ("first_name", "is_deleted", "preferred_notification_method", "is_phone_verified")
BOOKING_FIELDS = (
    *("booking_code", "listing", "guest", "status", "payment_status", "start_datetime", "end_datetime"),
    *("vehicle_color", "vehicle_make", "vehicle_model", "vehicle_state", "vehicle_license_plate"),
    *("currency", "total_amount", "host_payout", "refund_amount", "cancellation_reason"),
    *("listing__host", "listing__title", "listing__time_zone"),
    *("listing__address", "listing__city", "listing__state", "listing__zip_code"),
    *(f"listing__host__{name}" for name in PARTY_FIELDS),
    *(f"guest__{name}" for name in PARTY_FIELDS),
)


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def page_url(name: str, *args: Any) -> str:
    """Absolute link to a page of the web UI; the home page while that page does not exist (yet)."""
    try:
        return f"{site_url()}{reverse(name, args=args)}"
    except NoReverseMatch:
        return f"{site_url()}/"


def first_name(user: Any, default: str = "A driver") -> str:
    return (getattr(user, "first_name", "") or "").strip() or default


def local_time(moment: datetime, time_zone: str) -> str:
    """`Sat, Dec 5, 9:00 AM CST`, in the listing's zone (DST-correct, whatever zone the server runs in)."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return f"{local:%a, %b} {local.day}, {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local:%Z}"


def base(recipient: Any) -> dict[str, Any]:
    return {"recipient_name": first_name(recipient, default="there"), "site_url": f"{site_url()}/"}


def booking(booking: Any, *, recipient: Any) -> dict[str, Any]:
    """What every booking notification may say; `for_host` tells the host's message from the guest's."""
    listing = booking.listing
    zone = listing.time_zone
    return {
        **base(recipient),
        "for_host": recipient.pk == listing.host_id,
        "booking_code": str(booking.booking_code),
        "listing_title": listing.title,
        "listing_address": f"{listing.address}, {listing.city}, {listing.state} {listing.zip_code}",
        "guest_name": first_name(booking.guest),
        "host_name": first_name(listing.host, default="Your host"),
        "start_time": local_time(booking.start_datetime, zone),
        "end_time": local_time(booking.end_datetime, zone),
        "vehicle": " ".join(
            part for part in (booking.vehicle_color, booking.vehicle_make, booking.vehicle_model) if part
        )
        + f" ({booking.vehicle_state} {booking.vehicle_license_plate})",
        "total_amount": format_money(booking.total_amount, booking.currency),
        "host_payout": format_money(booking.host_payout, booking.currency),
        "refund_amount": format_money(booking.refund_amount, booking.currency) if booking.refund_amount else "",
        "url": page_url("booking_detail", booking.booking_code),
    }
