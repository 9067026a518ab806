"""Listings in the admin.

Staff correct a listing through its form (saved by `update_listing`, so the time zone, the concrete spaces, the
cache and the audit log follow) and take it out of search or put it back with the actions. Hosts publish listings,
so there is no "add" here, and a listing is never deleted from the admin: its bookings keep referring to it.
What hangs off a listing is shown read-only; a photo, rule or exception can be removed (through its service).
`gate_code` and `access_instructions` are for the host and their confirmed guests only (API.md), so not shown.
"""

from django.contrib import admin
from django.utils.html import format_html

from apps.core.admin import (
    AuditTrailMixin,
    DomainErrorsAsMessagesMixin,
    MapAdminMixin,
    ModerationMixin,
    ReadOnlyInline,
)
from apps.listings import services
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto, ListingSpace


def thumbnail_tag(photo: ListingPhoto) -> str:
    image = photo.thumbnail or photo.image
    return format_html('<img src="{}" alt="" style="max-height: 80px">', image.url) if image else "-"


class ListingSpaceInline(ReadOnlyInline):
    model = ListingSpace
    fields = ("label", "is_active", "created_at")
    readonly_fields = fields


class ListingPhotoInline(ReadOnlyInline):
    model = ListingPhoto
    fields = ("preview", "caption", "display_order", "uploaded_at")
    readonly_fields = fields

    @admin.display(description="Photo")
    def preview(self, photo: ListingPhoto) -> str:
        return thumbnail_tag(photo)


class AvailabilityRuleInline(ReadOnlyInline):
    model = AvailabilityRule
    fields = (
        "rule_type",
        "start_date",
        "end_date",
        "start_time",
        "end_time",
        "days_of_week",
        "is_available",
        "max_bookings",
        "price_override",
    )
    readonly_fields = fields


class AvailabilityExceptionInline(ReadOnlyInline):
    model = AvailabilityException
    fields = ("exception_date", "start_time", "end_time", "is_available", "reason")
    readonly_fields = fields


@admin.register(Listing)
class ListingAdmin(DomainErrorsAsMessagesMixin, ModerationMixin, AuditTrailMixin, MapAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "host",
        "city",
        "state",
        "spot_type",
        "price_per_day",
        "spaces_available",
        "is_active",
        "is_deleted",
        "rating_average",
        "rating_count",
        "created_at",
    )
    list_filter = ("is_active", "is_deleted", "spot_type", "instant_booking", "cancellation_policy", "state")
    search_fields = ("title", "address", "city", "zip_code", "host__email")
    list_select_related = ("host",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fieldsets = (
        (None, {"fields": ("title", "description", "spot_type", "host", ("is_active", "is_deleted", "deleted_at"))}),
        ("Where", {"fields": ("address", ("city", "state", "zip_code"), "location", "time_zone")}),
        ("Prices", {"fields": ("currency", ("price_per_hour", "price_per_day", "price_per_week", "price_per_month"))}),
        (
            "The space",
            {"fields": ("max_vehicle_size", "spaces_available", ("width", "length", "height_clearance"), "features")},
        ),
        (
            "Booking rules",
            {
                "fields": (
                    ("instant_booking", "cancellation_policy"),
                    ("minimum_hours", "maximum_days"),
                    ("available_start_time", "available_end_time"),
                    "available_days",
                )
            },
        ),
        ("Ratings and history", {"fields": (("rating_average", "rating_count"), ("created_at", "updated_at"))}),
        ("Audit trail", {"fields": ("audit_trail",)}),
    )
    # The time zone follows the point; activity and ratings change through their services only.
    readonly_fields = (
        "host",
        "time_zone",
        "is_active",
        "is_deleted",
        "deleted_at",
        "rating_average",
        "rating_count",
        "created_at",
        "updated_at",
        "audit_trail",
    )
    inlines = (ListingSpaceInline, ListingPhotoInline, AvailabilityRuleInline, AvailabilityExceptionInline)
    actions = ("deactivate_listings", "activate_listings")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field != "location"}
        location = form.cleaned_data["location"] if "location" in form.changed_data else None
        if changes or location is not None:  # "Save" on an untouched form is not an edit worth an audit row
            services.update_listing(listing=obj, actor=request.user, location=location, **changes)

    @admin.action(description="Deactivate selected listings (take them out of search)", permissions=["moderate"])
    def deactivate_listings(self, request, queryset):
        reason = self.action_reason(request)
        self.apply_service(
            request,
            queryset,
            service=lambda listing: services.deactivate_listing(listing=listing, actor=request.user, reason=reason),
            state=lambda listing: listing.is_active,
            done="Deactivated",
        )

    @admin.action(description="Activate selected listings", permissions=["moderate"])
    def activate_listings(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            service=lambda listing: services.activate_listing(listing=listing, actor=request.user),
            state=lambda listing: listing.is_active,
            done="Activated",
        )


class ListingChildAdmin(admin.ModelAdmin):
    """What hangs off a listing: looked at here and changed by its host. Where a subclass defines
    `remove(obj, *, actor)`, staff may remove one, through the listing's service (audit row, cache invalidation)."""

    list_select_related = ("listing",)
    raw_id_fields = ("listing",)
    search_fields = ("listing__title", "listing__id__exact")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return callable(getattr(self, "remove", None)) and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        self.remove(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("listing"):
            self.remove(obj, actor=request.user)


@admin.register(ListingSpace)
class ListingSpaceAdmin(ListingChildAdmin):
    """Spaces follow `spaces_available` (see `sync_listing_spaces`) and are never removed: bookings hold them."""

    list_display = ("__str__", "listing", "label", "is_active", "created_at")
    list_filter = ("is_active",)


@admin.register(ListingPhoto)
class ListingPhotoAdmin(ListingChildAdmin):
    list_display = ("id", "preview", "listing", "caption", "display_order", "uploaded_at")
    date_hierarchy = "uploaded_at"
    readonly_fields = ("preview",)

    @admin.display(description="Photo")
    def preview(self, photo: ListingPhoto) -> str:
        return thumbnail_tag(photo)

    def remove(self, obj, *, actor) -> None:
        services.delete_photo(photo=obj, actor=actor)


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(ListingChildAdmin):
    list_display = ("id", "listing", "rule_type", "start_date", "end_date", "start_time", "end_time", "is_available")
    list_filter = ("rule_type", "is_available")
    date_hierarchy = "created_at"

    def remove(self, obj, *, actor) -> None:
        services.delete_rule(rule=obj, actor=actor)


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(ListingChildAdmin):
    list_display = ("id", "listing", "exception_date", "start_time", "end_time", "is_available", "reason")
    list_filter = ("is_available",)
    date_hierarchy = "exception_date"

    def remove(self, obj, *, actor) -> None:
        services.delete_exception(exception=obj, actor=actor)
