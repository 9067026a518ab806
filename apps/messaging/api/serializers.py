from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.messaging.models import Conversation, Message
from apps.users.api.serializers import PublicUserSerializer


class ParticipantSerializer(PublicUserSerializer):
    class Meta(PublicUserSerializer.Meta):
        fields = ["id", "first_name", "last_initial", "profile_picture"]
        read_only_fields = fields


class AttachmentSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    url = serializers.CharField()


class MessageSerializer(serializers.ModelSerializer):
    sender = ParticipantSerializer(read_only=True)
    attachments = serializers.SerializerMethodField()
    read_by = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation",
            "sender",
            "content",
            "content_masked",
            "attachments",
            "read_by",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message) -> list[dict]:
        return [
            {"index": index, "url": reverse("api-message-attachment", args=[message.pk, index])}
            for index in range(len(message.attachments))
        ]

    def get_read_by(self, message) -> list[int]:
        """Who has read it (user ids), from the prefetched receipts when there are any."""
        return [receipt.user_id for receipt in message.messageread_set.all()]


class ConversationSerializer(serializers.ModelSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)
    listing_title = serializers.CharField(source="listing.title", read_only=True, default=None, allow_null=True)
    booking = serializers.UUIDField(source="booking.booking_code", read_only=True, default=None, allow_null=True)
    unread_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "listing",
            "listing_title",
            "booking",
            "participants",
            "last_message",
            "last_message_at",
            "last_message_by",
            "unread_count",
            "created_at",
        ]
        read_only_fields = fields


class ConversationCreateSerializer(serializers.Serializer):
    listing = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    booking = serializers.UUIDField(required=False, allow_null=True, help_text="The booking code.")
    recipient = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Defaults to the other party or the listing's host."
    )
    message = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ConversationStartedSerializer(serializers.Serializer):
    conversation = ConversationSerializer()
    message = MessageSerializer()


class MessageCreateSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class FlagSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ReadSerializer(serializers.Serializer):
    read = serializers.IntegerField(help_text="How many messages were newly marked read.")
    unread_count = serializers.IntegerField(help_text="Unread messages left across all conversations.")
