from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from apps.users.services import masked_driver_license

User = get_user_model()


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    user_type = serializers.ChoiceField(choices=User.UserType.choices)
    phone_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000)


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=300)
    new_password = serializers.CharField(max_length=128, write_only=True)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, write_only=True)
    new_password = serializers.CharField(max_length=128, write_only=True)


class PhoneVerificationSerializer(serializers.Serializer):
    phone_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class PhoneCodeSerializer(serializers.Serializer):
    code = serializers.RegexField(
        r"^\s*\d{6}\s*$", max_length=10, error_messages={"invalid": "Enter the 6-digit code."}
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class MeSerializer(serializers.ModelSerializer):
    driver_license_number = serializers.SerializerMethodField(help_text="Masked: only the last four characters.")

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "user_type",
            "phone_number",
            "is_email_verified",
            "is_phone_verified",
            "is_identity_verified",
            "default_address",
            "preferred_notification_method",
            "bio",
            "date_of_birth",
            "driver_license_number",
            "driver_license_state",
            "profile_picture",
            "rating_average",
            "rating_count",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_driver_license_number(self, user) -> str:
        return masked_driver_license(user)


class MeUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False)
    user_type = serializers.ChoiceField(choices=User.UserType.choices, required=False)
    phone_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=500, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    default_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    preferred_notification_method = serializers.ChoiceField(choices=User.NotificationMethod.choices, required=False)
    driver_license_number = serializers.CharField(max_length=40, required=False, allow_blank=True, write_only=True)
    driver_license_state = serializers.CharField(max_length=2, required=False, allow_blank=True)


class ProfilePictureSerializer(serializers.Serializer):
    profile_picture = serializers.FileField()


class PublicUserSerializer(serializers.ModelSerializer):
    last_initial = serializers.SerializerMethodField()
    member_since = serializers.DateTimeField(source="date_joined", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "first_name",
            "last_initial",
            "member_since",
            "rating_average",
            "rating_count",
            "is_email_verified",
            "is_phone_verified",
            "is_identity_verified",
            "profile_picture",
        ]
        read_only_fields = fields

    def get_last_initial(self, user) -> str:
        return user.last_name[:1].upper()


class TokenPairSerializer(serializers.Serializer):
    """What the token endpoints answer (refreshing rotates the refresh token, so it answers both too)."""

    access = serializers.CharField()
    refresh = serializers.CharField()


class EmailTokenObtainPairSerializer(TokenObtainPairSerializer):
    """`{email, password}` → `{access, refresh}`. Unknown email and wrong password get the same answer."""

    default_error_messages = {"no_active_account": "The email or password is not correct."}
