"""Spaces that hosts rent out: listings, their concrete spaces, photos and availability rules."""

from datetime import time

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator

from apps.core.models import SoftDeleteModel

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]  # 0 = Monday ... 6 = Sunday
FEATURES = (
    "covered",
    "gated",
    "security_camera",
    "well_lit",
    "ev_charging",
    "handicap_accessible",
    "attendant",
    "in_and_out",
)
VEHICLE_SIZE_ORDER = ("MOTORCYCLE", "COMPACT", "SEDAN", "SUV", "OVERSIZED")


def all_days() -> list[int]:
    return list(ALL_DAYS)


class Listing(SoftDeleteModel):
    class SpotType(models.TextChoices):
        DRIVEWAY = "DRIVEWAY", "Driveway"
        GARAGE = "GARAGE", "Garage"
        LOT = "LOT", "Parking lot"
        STREET = "STREET", "Street parking"
        COVERED = "COVERED", "Covered parking"
        VALET = "VALET", "Valet parking"

    class VehicleSize(models.TextChoices):
        # Ordered from smallest to largest: a space that fits a size fits every smaller one.
        MOTORCYCLE = "MOTORCYCLE", "Motorcycle"
        COMPACT = "COMPACT", "Compact car"
        SEDAN = "SEDAN", "Sedan"
        SUV = "SUV", "SUV/Truck"
        OVERSIZED = "OVERSIZED", "Oversized vehicle"

    class CancellationPolicy(models.TextChoices):
        FLEXIBLE = "FLEXIBLE", "Flexible"
        MODERATE = "MODERATE", "Moderate"
        STRICT = "STRICT", "Strict"

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings")

    title = models.CharField(max_length=100)
    description = models.TextField()
    spot_type = models.CharField(max_length=20, choices=SpotType.choices)

    address = models.CharField(max_length=255)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=10)
    location = models.PointField(srid=4326)
    # IANA zone derived from `location`; operating hours and availability rules are in this local time.
    time_zone = models.CharField(max_length=64)

    currency = models.CharField(max_length=3, default="USD")
    price_per_hour = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    price_per_day = models.DecimalField(max_digits=6, decimal_places=2)
    price_per_week = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    price_per_month = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    max_vehicle_size = models.CharField(max_length=20, choices=VehicleSize.choices, default=VehicleSize.SEDAN)
    spaces_available = models.PositiveIntegerField(default=1)
    width = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, help_text="feet")
    length = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, help_text="feet")
    height_clearance = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, help_text="feet")

    # e.g. covered, gated, security_camera, well_lit, ev_charging, handicap_accessible
    features = ArrayField(models.CharField(max_length=50), default=list, blank=True)

    access_instructions = models.TextField(blank=True)
    gate_code = models.CharField(max_length=20, blank=True)

    is_active = models.BooleanField(default=True)
    # A copy of the host's standing (`users.is_active AND NOT users.is_deleted`), kept by database triggers
    # (migration 0004: on a listing's insert, and on every change of its host's account however it is made), so
    # that search filters by it without joining each listing in the area to its host.
    host_active = models.BooleanField(default=True, db_default=True, editable=False)  # db_default: bulk COPY loads
    instant_booking = models.BooleanField(default=True)
    minimum_hours = models.PositiveIntegerField(default=1)
    maximum_days = models.PositiveIntegerField(default=30)
    cancellation_policy = models.CharField(
        max_length=10, choices=CancellationPolicy.choices, default=CancellationPolicy.MODERATE
    )

    # Operating hours in the listing's local time. An end of 23:59 means "until midnight", so 00:00-23:59 on
    # every day is open around the clock. The days default to every day (the seed's empty default meant never).
    available_start_time = models.TimeField(default=time(0, 0))
    available_end_time = models.TimeField(default=time(23, 59))
    available_days = ArrayField(
        models.IntegerField(validators=[MinValueValidator(0), MaxValueValidator(6)]), default=all_days, size=7
    )

    # Maintained by the review service in the same transaction as publishing a review.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)

    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "listings"
        indexes = [
            models.Index(fields=["spot_type"], name="listings_spot_type_idx"),
            models.Index(fields=["city", "state"], name="listings_city_state_idx"),
            models.Index(fields=["price_per_day"], name="listings_price_per_day_idx"),
            models.Index(fields=["is_active"], name="listings_is_active_idx"),
            models.Index(fields=["created_at"], name="listings_created_at_idx"),
            models.Index(
                fields=["is_active", "city"], condition=models.Q(is_deleted=False), name="idx_listings_active_city"
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(is_active=True, is_deleted=False),
                name="idx_active_listings",
            ),
            GinIndex(fields=["search_vector"], name="idx_listings_search"),
            GinIndex(fields=["features"], name="idx_listings_features"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_per_day__gt=0), name="listings_price_per_day_positive"),
            models.CheckConstraint(
                condition=models.Q(price_per_hour__isnull=True) | models.Q(price_per_hour__gt=0),
                name="listings_price_per_hour_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(price_per_week__isnull=True) | models.Q(price_per_week__gt=0),
                name="listings_price_per_week_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(price_per_month__isnull=True) | models.Q(price_per_month__gt=0),
                name="listings_price_per_month_positive",
            ),
            models.CheckConstraint(condition=models.Q(spaces_available__gte=1), name="listings_has_a_space"),
            models.CheckConstraint(condition=models.Q(minimum_hours__gte=1), name="listings_minimum_hours_positive"),
            models.CheckConstraint(condition=models.Q(maximum_days__gte=1), name="listings_maximum_days_positive"),
            models.CheckConstraint(
                condition=models.Q(available_end_time__gt=models.F("available_start_time")),
                name="listings_operating_hours_order",
            ),
            models.CheckConstraint(
                condition=models.Q(available_days__contained_by=ALL_DAYS), name="listings_available_days_range"
            ),
            models.CheckConstraint(
                condition=models.Q(rating_average__isnull=True)
                | models.Q(rating_average__gte=1, rating_average__lte=5),
                name="listings_rating_average_range",
            ),
            models.CheckConstraint(
                condition=models.Q(is_deleted=False) | models.Q(deleted_at__isnull=False),
                name="listings_deleted_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.city}, {self.state})"


class ListingSpace(models.Model):
    """One concrete space of a listing. A listing with `spaces_available = 3` has three active spaces, and each
    booking holds exactly one of them: the database refuses two overlapping active bookings of a space."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="spaces")
    label = models.CharField(max_length=20)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "listing_spaces"
        ordering = ["listing", "label"]
        constraints = [models.UniqueConstraint(fields=["listing", "label"], name="listing_spaces_unique_label")]
        # A listing's active spaces, read from the index alone (a window search asks it of every candidate).
        indexes = [
            models.Index(fields=["listing", "id"], condition=models.Q(is_active=True), name="listing_spaces_active")
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}/{self.label}"


class ListingPhoto(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="listings/")
    thumbnail = models.ImageField(upload_to="listings/thumbnails/", blank=True)
    caption = models.CharField(max_length=255, blank=True)
    display_order = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "listing_photos"
        ordering = ["display_order", "uploaded_at"]
        indexes = [models.Index(fields=["listing", "display_order"], name="listing_photos_order_idx")]


class AvailabilityRule(models.Model):
    """A recurring window in the listing's local time that opens (or closes) the listing and may override its price."""

    class RuleType(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        DATE_RANGE = "date_range", "Date range"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="availability_rules")
    rule_type = models.CharField(max_length=20, choices=RuleType.choices)

    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    start_time = models.TimeField()
    end_time = models.TimeField(help_text="23:59 means until midnight.")
    days_of_week = ArrayField(
        models.IntegerField(validators=[MinValueValidator(0), MaxValueValidator(6)]), default=list, blank=True
    )

    is_available = models.BooleanField(default=True)
    max_bookings = models.PositiveIntegerField(default=1)
    price_override = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="Hourly price inside this window."
    )

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "availability_rules"
        indexes = [
            models.Index(fields=["listing", "start_date", "end_date"], name="availability_rules_window_idx"),
            models.Index(fields=["rule_type"], name="availability_rules_type_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="availability_rules_date_order",
            ),
            # A date range runs from its start date and time to its end date and time, so only its dates must be
            # in order; every other kind repeats a window inside one day.
            models.CheckConstraint(
                condition=models.Q(rule_type="date_range") | models.Q(end_time__gt=models.F("start_time")),
                name="availability_rules_time_order",
            ),
            models.CheckConstraint(
                condition=models.Q(days_of_week__contained_by=ALL_DAYS), name="availability_rules_days_range"
            ),
            models.CheckConstraint(
                condition=~models.Q(rule_type="weekly") | ~models.Q(days_of_week=[]),
                name="availability_rules_weekly_has_days",
            ),
            models.CheckConstraint(
                condition=models.Q(price_override__isnull=True) | models.Q(price_override__gt=0),
                name="availability_rules_price_positive",
            ),
        ]


class AvailabilityException(models.Model):
    """A single local date that differs from the rules: closed all day (no times) or open/closed between two times."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="availability_exceptions")
    exception_date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    is_available = models.BooleanField(default=False)
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "availability_exceptions"
        ordering = ["exception_date"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "exception_date"], name="availability_exceptions_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True, end_time__isnull=True)
                | models.Q(start_time__isnull=False, end_time__isnull=False, end_time__gt=models.F("start_time")),
                name="availability_exceptions_time_order",
            ),
        ]
