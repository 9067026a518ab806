from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.bookings.selectors import can_see_access_details


class BreakdownLineSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(choices=["hour", "day", "week", "month"])
    count = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class QuoteSerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    duration_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    billed_hours = serializers.IntegerField()
    subtotal = serializers.DecimalField(max_digits=10, decimal_places=2)
    service_fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    host_payout = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    breakdown = BreakdownLineSerializer(many=True)

    @staticmethod
    def build(listing_id: int, quote) -> dict:
        return {
            "listing": listing_id,
            "start": quote.start,
            "end": quote.end,
            "duration_hours": quote.duration_hours,
            "billed_hours": quote.billed_hours,
            "subtotal": quote.subtotal,
            "service_fee": quote.service_fee,
            "total_amount": quote.total_amount,
            "host_payout": quote.host_payout,
            "currency": quote.currency,
            "breakdown": [line.as_dict() for line in quote.breakdown],
        }


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["free", "busy", "closed"])
    spaces_free = serializers.IntegerField()


class AvailabilitySerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    time_zone = serializers.CharField()
    intervals = IntervalSerializer(many=True)


class VehicleSerializer(serializers.Serializer):
    make = serializers.CharField(max_length=50)
    model = serializers.CharField(max_length=50)
    color = serializers.CharField(max_length=30)
    license_plate = serializers.CharField(max_length=20)
    state = serializers.CharField(max_length=2)


class BookingCreateSerializer(serializers.Serializer):
    listing = serializers.IntegerField(min_value=1)
    start_datetime = serializers.DateTimeField()
    end_datetime = serializers.DateTimeField()
    vehicle = VehicleSerializer()
    payment_method = serializers.CharField(max_length=255)
    guest_notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_start_datetime(self, value):
        return _require_offset(value, self.initial_data.get("start_datetime"))

    def validate_end_datetime(self, value):
        return _require_offset(value, self.initial_data.get("end_datetime"))


def _require_offset(value, raw):
    if isinstance(raw, str) and not (raw.endswith("Z") or "+" in raw[10:] or "-" in raw[10:]):
        raise serializers.ValidationError("Include a UTC offset (e.g. -05:00 or Z).", code="naive_datetime")
    return value


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()


class AccessSerializer(serializers.Serializer):
    gate_code = serializers.CharField()
    access_instructions = serializers.CharField()


class BookingSerializer(serializers.Serializer):
    booking_code = serializers.UUIDField()
    listing = serializers.IntegerField(source="listing_id")
    listing_title = serializers.CharField(source="listing.title")
    listing_address = serializers.SerializerMethodField()
    time_zone = serializers.CharField(source="listing.time_zone")
    guest = PartySerializer()
    host = PartySerializer(source="listing.host")
    status = serializers.CharField()
    start_datetime = serializers.DateTimeField()
    end_datetime = serializers.DateTimeField()
    duration_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    subtotal = serializers.DecimalField(max_digits=10, decimal_places=2)
    service_fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    host_payout = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    price_breakdown = BreakdownLineSerializer(many=True)
    payment_status = serializers.CharField()
    refund_amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    cancellation_policy = serializers.CharField()
    vehicle = serializers.SerializerMethodField()
    guest_notes = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancellation_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    access = serializers.SerializerMethodField()

    def get_listing_address(self, booking) -> str:
        listing = booking.listing
        return f"{listing.address}, {listing.city}, {listing.state} {listing.zip_code}"

    def get_vehicle(self, booking) -> VehicleSerializer:
        return {
            "make": booking.vehicle_make,
            "model": booking.vehicle_model,
            "color": booking.vehicle_color,
            "license_plate": booking.vehicle_license_plate,
            "state": booking.vehicle_state,
        }

    @extend_schema_field(AccessSerializer(allow_null=True))
    def get_access(self, booking) -> dict | None:
        user = self.context["request"].user
        if not can_see_access_details(booking, user):
            return None
        return {"gate_code": booking.listing.gate_code, "access_instructions": booking.listing.access_instructions}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CheckPhotoSerializer(serializers.Serializer):
    photo = serializers.FileField(required=False)


class CancellationTermsSerializer(serializers.Serializer):
    refund_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    policy = serializers.CharField()
