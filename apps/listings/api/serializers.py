from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.geojson import parse_point, point_to_geojson
from apps.listings.models import FEATURES, AvailabilityException, AvailabilityRule, Listing, ListingPhoto

GEOJSON_POINT_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    },
    "required": ["type", "coordinates"],
}


@extend_schema_field(GEOJSON_POINT_SCHEMA)
class PointField(serializers.Field):
    """A GeoJSON Point `{"type": "Point", "coordinates": [lng, lat]}`."""

    def to_representation(self, value):
        return point_to_geojson(value)

    def to_internal_value(self, data):
        return parse_point(data, attr=self.field_name)


class HostSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingPhoto
        fields = ["id", "image", "thumbnail", "caption", "display_order", "uploaded_at"]
        read_only_fields = fields


class ListingSerializer(serializers.ModelSerializer):
    """The public face of a listing. Never the gate code or access instructions."""

    location = PointField()
    host = HostSummarySerializer(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "description",
            "spot_type",
            "address",
            "city",
            "state",
            "zip_code",
            "location",
            "time_zone",
            "price_per_hour",
            "price_per_day",
            "price_per_week",
            "price_per_month",
            "currency",
            "max_vehicle_size",
            "spaces_available",
            "width",
            "length",
            "height_clearance",
            "features",
            "instant_booking",
            "minimum_hours",
            "maximum_days",
            "cancellation_policy",
            "available_start_time",
            "available_end_time",
            "available_days",
            "rating_average",
            "rating_count",
            "photos",
            "host",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class HostListingSerializer(ListingSerializer):
    """What the listing's own host sees: everything, access details included."""

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "gate_code", "access_instructions", "updated_at"]
        read_only_fields = fields


class ListingInputSerializer(serializers.Serializer):
    """Create (all required fields) or update (partial) a listing."""

    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000)
    spot_type = serializers.ChoiceField(choices=Listing.SpotType.choices)
    address = serializers.CharField(max_length=255)
    city = serializers.CharField(max_length=100)
    state = serializers.RegexField(r"^[A-Za-z]{2}$", max_length=2)
    zip_code = serializers.RegexField(r"^\d{5}(-\d{4})?$", max_length=10)
    location = PointField(required=False)
    price_per_hour = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    price_per_day = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    price_per_week = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    price_per_month = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    max_vehicle_size = serializers.ChoiceField(choices=Listing.VehicleSize.choices, required=False)
    spaces_available = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    width = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0"), required=False, allow_null=True
    )
    length = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0"), required=False, allow_null=True
    )
    height_clearance = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, required=False, allow_null=True
    )
    features = serializers.ListField(child=serializers.ChoiceField(choices=FEATURES), required=False, max_length=20)
    access_instructions = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    gate_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    instant_booking = serializers.BooleanField(required=False)
    minimum_hours = serializers.IntegerField(min_value=1, max_value=24 * 30, required=False)
    maximum_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    cancellation_policy = serializers.ChoiceField(choices=Listing.CancellationPolicy.choices, required=False)
    available_start_time = serializers.TimeField(required=False)
    available_end_time = serializers.TimeField(required=False)
    available_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, max_length=7
    )


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()
    caption = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class PhotoUpdateSerializer(serializers.Serializer):
    caption = serializers.CharField(max_length=255, allow_blank=True)


class PhotoOrderSerializer(serializers.Serializer):
    photo_ids = serializers.ListField(child=serializers.IntegerField(), max_length=100)


class AvailabilityRuleSerializer(serializers.ModelSerializer):
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, max_length=7
    )

    class Meta:
        model = AvailabilityRule
        fields = [
            "id",
            "rule_type",
            "start_date",
            "end_date",
            "start_time",
            "end_time",
            "days_of_week",
            "is_available",
            "max_bookings",
            "price_override",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class AvailabilityExceptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AvailabilityException
        fields = ["id", "exception_date", "start_time", "end_time", "is_available", "reason"]
        read_only_fields = ["id"]
        validators: list = []  # the service answers a duplicate date with 409, not a serializer 400
