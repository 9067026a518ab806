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
