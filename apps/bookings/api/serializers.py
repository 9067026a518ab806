from rest_framework import serializers


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
