"""How the booking domain answers events of the apps below it."""

from django.dispatch import receiver
from django.utils import timezone

from apps.bookings.models import Booking
from apps.core.errors import Conflict
from apps.listings.services import listing_capacity_reduced


@receiver(listing_capacity_reduced)
def refuse_to_strand_upcoming_bookings(sender, listing, spaces_kept: int, **kwargs) -> None:
    """A listing may not lose a space (or be deleted) while an upcoming or current booking holds that space."""
    kept = list(listing.spaces.filter(is_active=True).order_by("id").values_list("id", flat=True)[:spaces_kept])
    stranded = Booking.objects.filter(
        listing=listing, status__in=Booking.ACTIVE_STATUSES, end_datetime__gt=timezone.now()
    ).exclude(space_id__in=kept)
    if stranded.exists():
        detail = (
            "This listing has upcoming bookings: cancel them before deleting it."
            if spaces_kept == 0
            else "Some of the spaces you would remove have upcoming bookings: cancel those first."
        )
        raise Conflict(detail, code="has_upcoming_bookings")
