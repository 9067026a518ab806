"""Writes of the listing domain: creating listings, keeping their concrete spaces in step, deactivating them."""

from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction

from apps.core.models import AuditLog
from apps.core.services import log_action
from apps.listings.geo import time_zone_for_point
from apps.listings.models import Listing, ListingSpace


def sync_listing_spaces(*, listing: Listing) -> list[ListingSpace]:
    """Make the listing's active spaces number exactly `spaces_available`.

    Spaces are never deleted (bookings refer to them): surplus ones are deactivated, missing ones are created
    or reactivated, lowest labels first.
    """
    spaces = list(ListingSpace.objects.select_for_update().filter(listing=listing).order_by("id"))
    wanted = listing.spaces_available
    for index, space in enumerate(spaces):
        should_be_active = index < wanted
        if space.is_active != should_be_active:
            space.is_active = should_be_active
            space.save(update_fields=["is_active"])
    for number in range(len(spaces) + 1, wanted + 1):
        spaces.append(ListingSpace.objects.create(listing=listing, label=str(number)))
    return [space for space in spaces if space.is_active]


def create_listing(*, host: Any, location: Point, **fields: Any) -> Listing:
    """Create a listing at `location` with its time zone derived from the point and one space per
    `spaces_available`."""
    with transaction.atomic():
        listing = Listing(host=host, location=location, time_zone=time_zone_for_point(location), **fields)
        listing.full_clean()
        listing.save()
        sync_listing_spaces(listing=listing)
        log_action(actor=host, action=AuditLog.Action.CREATE, target=listing, description="Listing created")
    return listing


def deactivate_listing(*, listing: Listing, actor: Any, reason: str = "") -> Listing:
    """Take a listing out of search. Its existing bookings stand; it can be activated again by its host."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        if listing.is_active:
            listing.is_active = False
            listing.save(update_fields=["is_active", "updated_at"])
            log_action(
                actor=actor,
                action=AuditLog.Action.MODERATE if getattr(actor, "is_staff", False) else AuditLog.Action.UPDATE,
                target=listing,
                description=f"Listing deactivated. {reason}".strip(),
                old_values={"is_active": True},
                new_values={"is_active": False},
            )
    return listing
