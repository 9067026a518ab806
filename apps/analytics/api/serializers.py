from rest_framework import serializers


class AnalyticsDaySerializer(serializers.Serializer):
    date = serializers.DateField(source="start")
    views = serializers.IntegerField(help_text="Looks at the listing page (once per visitor per minute).")
    searches_shown_in = serializers.IntegerField(help_text="Searches whose first page of results showed the listing.")
    bookings = serializers.IntegerField(help_text="Bookings made that day, instant or requested, whatever their fate.")
    booked_hours = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Space-hours held by confirmed, ongoing, completed or no-show bookings.",
    )
    available_hours = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Space-hours the listing was open by its hours, rules and exceptions.",
    )
    occupancy = serializers.FloatField(
        allow_null=True, help_text="booked_hours / available_hours, from 0 to 1; null when nothing was open."
    )
    earnings = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="The host's payout for bookings starting that day (less the share of any partial refund).",
    )


class AnalyticsTotalsSerializer(AnalyticsDaySerializer):
    date = None
    start = serializers.DateField()
    end = serializers.DateField()


class HostAnalyticsSerializer(serializers.Serializer):
    from_ = serializers.DateField(source="first_day")
    to = serializers.DateField(source="last_day")
    listing = serializers.IntegerField(allow_null=True, help_text="The listing asked about; null for all of them.")
    time_zone = serializers.CharField(help_text="The IANA zone whose local days the figures are counted in.")
    currency = serializers.CharField()
    totals = AnalyticsTotalsSerializer()
    days = AnalyticsDaySerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields
