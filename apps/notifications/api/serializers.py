from rest_framework import serializers

from apps.notifications.models import Notification, PushSubscription


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "notification_type", "title", "message", "data", "is_read", "read_at", "created_at"]
        read_only_fields = fields

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200, help_text="The browser's P-256 public key, base64url")
    auth = serializers.CharField(max_length=100, help_text="The 16-byte authentication secret, base64url")


class PushSubscriptionCreateSerializer(serializers.Serializer):
    """What the browser's `PushSubscription.toJSON()` gives (other fields, like `expirationTime`, are ignored)."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()


class PushSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "created_at"]
        read_only_fields = fields


class VapidPublicKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(
        allow_null=True, help_text="The application server key to subscribe with; null when push is not set up"
    )
