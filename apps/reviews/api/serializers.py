from rest_framework import serializers

from apps.reviews.models import Review


class ReviewerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()


class PublicReviewSerializer(serializers.ModelSerializer):
    reviewer = ReviewerSerializer(read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "review_type",
            "overall_rating",
            "location_rating",
            "value_rating",
            "cleanliness_rating",
            "communication_rating",
            "title",
            "comment",
            "response",
            "response_date",
            "reviewer",
            "published_at",
        ]
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    overall_rating = serializers.IntegerField(min_value=1, max_value=5)
    location_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    value_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    cleanliness_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    communication_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    comment = serializers.CharField(max_length=5000)


class OwnReviewSerializer(PublicReviewSerializer):
    class Meta(PublicReviewSerializer.Meta):
        fields = [*PublicReviewSerializer.Meta.fields, "is_published", "created_at"]
        read_only_fields = fields


class ResponseSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=2000)


class ReportSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
