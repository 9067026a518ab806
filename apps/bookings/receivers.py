"""How the booking domain answers events of the apps below it."""

from django.dispatch import receiver
from django.utils import timezone

from apps.bookings.models import Booking
from apps.core.errors import Conflict
from apps.listings.services import listing_capacity_reduced
from apps.users.services import account_deleted


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


@receiver(account_deleted)
def refuse_to_delete_an_account_with_upcoming_bookings(sender, user, **kwargs) -> None:
    """Someone expecting to park (or expecting a guest) must cancel first, so nobody is left with a booking whose
    other side has vanished."""
    upcoming = Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES, end_datetime__gt=timezone.now())
    if upcoming.filter(guest=user).exists() or upcoming.filter(listing__host=user).exists():
        raise Conflict(
            "You have upcoming bookings (as a guest or a host): cancel them before deleting your account.",
            code="has_upcoming_bookings",
        )
