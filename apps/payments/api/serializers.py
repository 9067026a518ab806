from rest_framework import serializers

from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction


class PaymentMethodSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentMethod
        fields = ["id", "brand", "last4", "exp_month", "exp_year", "is_default", "created_at"]
        read_only_fields = fields


class PaymentMethodCreateSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=255, help_text="A provider token, e.g. pm_card_visa in test mode")
    make_default = serializers.BooleanField(required=False, default=False)


class TransactionSerializer(serializers.ModelSerializer):
    booking = serializers.UUIDField(source="booking.booking_code", allow_null=True, default=None)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "transaction_type",
            "amount",
            "currency",
            "status",
            "description",
            "failure_reason",
            "booking",
            "payout",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class PayoutItemSerializer(serializers.ModelSerializer):
    booking = serializers.UUIDField(source="booking.booking_code")
    start_datetime = serializers.DateTimeField(source="booking.start_datetime")
    end_datetime = serializers.DateTimeField(source="booking.end_datetime")

    class Meta:
        model = PayoutItem
        fields = ["booking", "amount", "start_datetime", "end_datetime"]
        read_only_fields = fields


class PayoutSerializer(serializers.ModelSerializer):
    bookings = PayoutItemSerializer(source="items", many=True)

    class Meta:
        model = Payout
        fields = [
            "id",
            "amount",
            "currency",
            "period_start",
            "period_end",
            "status",
            "failure_reason",
            "paid_at",
            "created_at",
            "bookings",
        ]
        read_only_fields = fields


class WebhookAnswerSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField()
