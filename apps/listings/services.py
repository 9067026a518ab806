"""Writes of the listing domain: listings, their concrete spaces, photos and availability rules and exceptions.

Every change to a listing or to what hangs off it invalidates the cached listing detail after commit.
"""

from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal

from apps.core.errors import Conflict, InvalidInput, PermissionDenied
from apps.core.images import clean_image, make_thumbnail
from apps.core.models import AuditLog
from apps.core.services import log_action
from apps.listings import cache
from apps.listings.geo import time_zone_for_point
from apps.listings.geocoding import Address, GeocodingError, geocode
from apps.listings.models import (
    FEATURES,
    AvailabilityException,
    AvailabilityRule,
    Listing,
    ListingPhoto,
    ListingSpace,
)
from apps.listings.signals import listing_activated

# Apps above `listings` (bookings) veto changes that would strand their data: a receiver raises `Conflict`.
# Sent inside the transaction with `listing` and `spaces_kept` (how many spaces remain active afterwards).
listing_capacity_reduced = Signal()

ADDRESS_FIELDS = ("address", "city", "state", "zip_code")
MAX_PHOTOS = 20


def _ensure_host(actor: Any, listing: Listing | None = None) -> None:
    if getattr(actor, "is_staff", False):
        return
    if listing is not None and listing.host_id != actor.pk:
        raise PermissionDenied("Only the listing's host can change it.")
    if listing is None and not (actor.is_host and actor.is_email_verified):
        raise PermissionDenied(
            "Publishing a listing needs a host account with a verified email address.", code="host_required"
        )


def _validate(listing: Listing) -> None:
    """Model validation as 400s naming the field (the first one is enough to fix at a time)."""
    unknown = sorted(set(listing.features) - set(FEATURES))
    if unknown:
        raise InvalidInput(f"Unknown features: {', '.join(unknown)}.", code="invalid_choice", attr="features")
    listing.state = (listing.state or "").upper()
    if listing.available_end_time <= listing.available_start_time:
        raise InvalidInput("Closing time must be after opening time.", attr="available_end_time")
    try:
        # The database enforces the CHECK constraints; validating each one here would cost a query apiece.
        listing.full_clean(exclude=["host", "search_vector"], validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(" ".join(messages), attr=None if field == "__all__" else field) from error


def _locate(listing: Listing, location: Point | None) -> None:
    if location is None:
        try:
            location = geocode(Address(listing.address, listing.city, listing.state, listing.zip_code))
        except GeocodingError as error:
            raise InvalidInput(str(error), code="geocoding_failed", attr="address") from error
    listing.location = location
    listing.time_zone = time_zone_for_point(location)


def _after_change(listing: Listing) -> None:
    listing_id = listing.pk
    transaction.on_commit(lambda: cache.invalidate_listing(listing_id))


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


def create_listing(*, host: Any, location: Point | None = None, **fields: Any) -> Listing:
    """Publish a listing. Without a `location`, the address is geocoded; the time zone comes from the point;
    one concrete space is made per `spaces_available`."""
    _ensure_host(host)
    listing = Listing(host=host, **fields)
    _locate(listing, location)
    _validate(listing)
    with transaction.atomic():
        listing.save()
        sync_listing_spaces(listing=listing)
        log_action(actor=host, action=AuditLog.Action.CREATE, target=listing, description="Listing created")
    return listing


def update_listing(*, listing: Listing, actor: Any, location: Point | None = None, **changes: Any) -> Listing:
    """Change a listing. A new address without a new point is geocoded again; fewer spaces must not strand
    bookings (apps above veto through `listing_capacity_reduced`)."""
    _ensure_host(actor, listing)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        old_values = {field: str(getattr(listing, field)) for field in changes}
        for field, value in changes.items():
            setattr(listing, field, value)
        if location is not None:
            _locate(listing, location)
        elif any(field in changes for field in ADDRESS_FIELDS):
            _locate(listing, None)
        _validate(listing)
        listing.save()
        if "spaces_available" in changes:
            listing_capacity_reduced.send(sender=Listing, listing=listing, spaces_kept=listing.spaces_available)
            sync_listing_spaces(listing=listing)
        log_action(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            target=listing,
            description="Listing updated",
            old_values=old_values,
            new_values={field: str(getattr(listing, field)) for field in changes},
        )
        _after_change(listing)
    return listing


def delete_listing(*, listing: Listing, actor: Any) -> Listing:
    """Soft-delete: the listing leaves every public read but keeps its bookings' history. Refused while it has
    upcoming bookings."""
    _ensure_host(actor, listing)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        if listing.is_deleted:
            return listing
        listing_capacity_reduced.send(sender=Listing, listing=listing, spaces_kept=0)
        listing.mark_deleted()
        listing.is_active = False
        listing.save(update_fields=["is_deleted", "deleted_at", "is_active", "updated_at"])
        log_action(actor=actor, action=AuditLog.Action.DELETE, target=listing, description="Listing deleted")
        _after_change(listing)
    return listing


def _set_active(*, listing: Listing, actor: Any, is_active: bool, reason: str = "") -> Listing:
    if not getattr(actor, "is_staff", False):
        _ensure_host(actor, listing)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        if listing.is_deleted:
            raise Conflict("A deleted listing cannot be changed.", code="listing_deleted")
        if listing.is_active != is_active:
            listing.is_active = is_active
            listing.save(update_fields=["is_active", "updated_at"])
            log_action(
                actor=actor,
                action=AuditLog.Action.MODERATE if getattr(actor, "is_staff", False) else AuditLog.Action.UPDATE,
                target=listing,
                description=f"Listing {'activated' if is_active else 'deactivated'}. {reason}".strip(),
                old_values={"is_active": not is_active},
                new_values={"is_active": is_active},
            )
            _after_change(listing)
            if is_active:
                transaction.on_commit(
                    lambda: listing_activated.send(sender=Listing, listing=listing, actor=actor), robust=True
                )
    return listing


def deactivate_listing(*, listing: Listing, actor: Any, reason: str = "") -> Listing:
    """Take a listing out of search. Its existing bookings stand; it can be activated again by its host."""
    return _set_active(listing=listing, actor=actor, is_active=False, reason=reason)


def activate_listing(*, listing: Listing, actor: Any) -> Listing:
    return _set_active(listing=listing, actor=actor, is_active=True)


# --- Photos -------------------------------------------------------------------------------------------------------


def add_photo(*, listing: Listing, actor: Any, upload: UploadedFile, caption: str = "") -> ListingPhoto:
    """Attach a checked, metadata-free copy of `upload` (GPS positions stripped) and a thumbnail."""
    _ensure_host(actor, listing)
    image = clean_image(upload, max_bytes=settings.LISTING_PHOTO_MAX_BYTES, attr="image")
    thumbnail = make_thumbnail(image, size=settings.LISTING_THUMBNAIL_SIZE)
    with transaction.atomic():
        Listing.objects.select_for_update().filter(pk=listing.pk).first()
        existing = ListingPhoto.objects.filter(listing=listing)
        if existing.count() >= MAX_PHOTOS:
            raise Conflict(f"A listing can have at most {MAX_PHOTOS} photos.", code="too_many_photos")
        next_order = (existing.aggregate(top=Max("display_order"))["top"] or 0) + 1
        photo = ListingPhoto(listing=listing, caption=caption[:255], display_order=next_order)
        photo.image.save(image.name, image, save=False)
        photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
        photo.save()
        log_action(actor=actor, action=AuditLog.Action.UPDATE, target=listing, description="Photo added")
        _after_change(listing)
    return photo


def update_photo(*, photo: ListingPhoto, actor: Any, caption: str) -> ListingPhoto:
    _ensure_host(actor, photo.listing)
    with transaction.atomic():
        photo.caption = caption[:255]
        photo.save(update_fields=["caption"])
        _after_change(photo.listing)
    return photo


def reorder_photos(*, listing: Listing, actor: Any, photo_ids: list[int]) -> list[ListingPhoto]:
    """Put the listing's photos in the order of `photo_ids`, which must name each of them exactly once."""
    _ensure_host(actor, listing)
    with transaction.atomic():
        photos = {photo.pk: photo for photo in ListingPhoto.objects.select_for_update().filter(listing=listing)}
        if sorted(photo_ids) != sorted(photos):
            raise InvalidInput("List every photo of the listing exactly once.", attr="photo_ids")
        for order, photo_id in enumerate(photo_ids, start=1):
            photos[photo_id].display_order = order
        ListingPhoto.objects.bulk_update(photos.values(), ["display_order"])
        _after_change(listing)
    return [photos[photo_id] for photo_id in photo_ids]


def delete_photo(*, photo: ListingPhoto, actor: Any) -> None:
    _ensure_host(actor, photo.listing)
    files = [photo.image.name, photo.thumbnail.name]
    storage = photo.image.storage
    with transaction.atomic():
        listing = photo.listing
        photo.delete()
        log_action(actor=actor, action=AuditLog.Action.UPDATE, target=listing, description="Photo removed")
        _after_change(listing)
        transaction.on_commit(lambda: [storage.delete(name) for name in files if name])


# --- Availability rules and exceptions ----------------------------------------------------------------------------


def _clean_rule(rule: AvailabilityRule) -> None:
    if rule.rule_type not in AvailabilityRule.RuleType.values:
        raise InvalidInput("Unknown rule type.", code="invalid_choice", attr="rule_type")
    if rule.end_date is not None and rule.end_date < rule.start_date:
        raise InvalidInput("The end date must not be before the start date.", attr="end_date")
    if rule.rule_type != AvailabilityRule.RuleType.DATE_RANGE and rule.end_time <= rule.start_time:
        raise InvalidInput("The end time must be after the start time.", attr="end_time")
    if rule.rule_type == AvailabilityRule.RuleType.DATE_RANGE:
        if rule.end_date is None:
            raise InvalidInput("A date range needs an end date.", attr="end_date")
        if (rule.start_date, rule.start_time) >= (rule.end_date, rule.end_time):
            raise InvalidInput("The range must end after it starts.", attr="end_time")
    if rule.rule_type == AvailabilityRule.RuleType.WEEKLY and not rule.days_of_week:
        raise InvalidInput("Choose at least one day of the week.", attr="days_of_week")
    if any(day not in range(7) for day in rule.days_of_week):
        raise InvalidInput("Days of the week go from 0 (Monday) to 6 (Sunday).", attr="days_of_week")
    if rule.max_bookings < 1:
        raise InvalidInput("At least one booking must be allowed.", attr="max_bookings")
    if rule.price_override is not None and rule.price_override <= 0:
        raise InvalidInput("The price must be positive.", attr="price_override")


def create_rule(*, listing: Listing, actor: Any, **fields: Any) -> AvailabilityRule:
    _ensure_host(actor, listing)
    rule = AvailabilityRule(listing=listing, **fields)
    rule.days_of_week = sorted(set(rule.days_of_week or []))
    _clean_rule(rule)
    with transaction.atomic():
        rule.save()
        log_action(actor=actor, action=AuditLog.Action.UPDATE, target=listing, description="Availability rule added")
        _after_change(listing)
    return rule


def update_rule(*, rule: AvailabilityRule, actor: Any, **changes: Any) -> AvailabilityRule:
    _ensure_host(actor, rule.listing)
    for field, value in changes.items():
        setattr(rule, field, value)
    rule.days_of_week = sorted(set(rule.days_of_week or []))
    _clean_rule(rule)
    with transaction.atomic():
        rule.save()
        log_action(
            actor=actor, action=AuditLog.Action.UPDATE, target=rule.listing, description="Availability rule changed"
        )
        _after_change(rule.listing)
    return rule


def delete_rule(*, rule: AvailabilityRule, actor: Any) -> None:
    _ensure_host(actor, rule.listing)
    with transaction.atomic():
        listing = rule.listing
        rule.delete()
        log_action(actor=actor, action=AuditLog.Action.UPDATE, target=listing, description="Availability rule removed")
        _after_change(listing)


def create_exception(*, listing: Listing, actor: Any, **fields: Any) -> AvailabilityException:
    _ensure_host(actor, listing)
    exception = AvailabilityException(listing=listing, **fields)
    if (exception.start_time is None) != (exception.end_time is None):
        raise InvalidInput("Give both a start and an end time, or neither for the whole day.", attr="end_time")
    if exception.start_time is not None and exception.end_time <= exception.start_time:
        raise InvalidInput("The end time must be after the start time.", attr="end_time")
    with transaction.atomic():
        if AvailabilityException.objects.filter(listing=listing, exception_date=exception.exception_date).exists():
            raise Conflict("There is already an exception on this date.", code="duplicate", attr="exception_date")
        exception.save()
        log_action(actor=actor, action=AuditLog.Action.UPDATE, target=listing, description="Date exception added")
        _after_change(listing)
    return exception


def delete_exception(*, exception: AvailabilityException, actor: Any) -> None:
    _ensure_host(actor, exception.listing)
    with transaction.atomic():
        listing = exception.listing
        exception.delete()
        log_action(actor=actor, action=AuditLog.Action.UPDATE, target=listing, description="Date exception removed")
        _after_change(listing)
