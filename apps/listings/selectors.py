"""Reads of the listing domain."""

from django.db.models import Prefetch, QuerySet

from apps.core.errors import NotFound
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto


def public_listings() -> QuerySet[Listing]:
    """Listings anyone may see: active, not deleted, hosted by an account in good standing."""
    return Listing.objects.filter(is_active=True, is_deleted=False, host__is_active=True, host__is_deleted=False)


def with_detail(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    return queryset.select_related("host").prefetch_related(
        Prefetch("photos", queryset=ListingPhoto.objects.order_by("display_order", "uploaded_at"))
    )


def public_listing(listing_id: int) -> Listing:
    listing = with_detail(public_listings()).filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def visible_listing(listing_id: int, user) -> Listing:
    """A listing as `user` may see it: public ones, plus their own even when inactive."""
    queryset = with_detail(Listing.objects.filter(is_deleted=False))
    listing = queryset.filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    is_owner = user is not None and user.is_authenticated and (listing.host_id == user.pk or user.is_staff)
    if not is_owner and not (listing.is_active and listing.host.is_active and not listing.host.is_deleted):
        raise NotFound("No such listing.")
    return listing


def managed_listing(listing_id: int, user) -> Listing:
    """One of `user`'s own listings (any listing for staff); anybody else's is a 404, as if it did not exist."""
    queryset = with_detail(Listing.objects.filter(is_deleted=False))
    if not user.is_staff:
        queryset = queryset.filter(host=user)
    listing = queryset.filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def host_listings(host) -> QuerySet[Listing]:
    return with_detail(Listing.objects.filter(host=host, is_deleted=False)).order_by("-created_at")


def listing_rules(listing: Listing) -> QuerySet[AvailabilityRule]:
    return AvailabilityRule.objects.filter(listing=listing).order_by("start_date", "start_time", "id")


def listing_exceptions(listing: Listing) -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.filter(listing=listing).order_by("exception_date")
