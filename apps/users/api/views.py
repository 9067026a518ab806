"""Account endpoints of API.md: parse, call one service, answer."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from apps.core.api.schema import error_responses
from apps.core.errors import InvalidInput
from apps.core.security import client_ip
from apps.users import selectors, services
from apps.users.api import serializers

User = get_user_model()


class AuthThrottleMixin:
    """Sign-in, sign-up and token endpoints share one per-address rate limit."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


def _detail(message: str, status_code: int = status.HTTP_200_OK) -> Response:
    return Response({"detail": message}, status=status_code)


class RegisterView(AuthThrottleMixin, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=serializers.RegisterSerializer, responses={201: serializers.MeSerializer})
    def post(self, request):
        data = serializers.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.register_user(**data.validated_data)
        return Response(serializers.MeSerializer(user, context={"request": request}).data, status=201)


class VerifyEmailView(AuthThrottleMixin, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=serializers.TokenSerializer, responses={200: serializers.DetailSerializer})
    def post(self, request):
        data = serializers.TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.verify_email(token=data.validated_data["token"])
        return _detail("Your email address is verified.")


class TokenView(AuthThrottleMixin, TokenObtainPairView):
    serializer_class = serializers.EmailTokenObtainPairSerializer

    @extend_schema(responses={200: serializers.TokenPairSerializer, **error_responses(401)})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        finally:
            # django-axes marks a lockout on the request it was given, DRF's wrapper; its middleware reads the
            # Django request underneath and then answers with our lockout response.
            if getattr(request, "axes_locked_out", False):
                request._request.axes_locked_out = True
        services.record_login(user=serializer.user, ip_address=client_ip(request))
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class TokenRefresh(AuthThrottleMixin, TokenRefreshView):
    @extend_schema(responses={200: serializers.TokenPairSerializer, **error_responses(401)})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=serializers.LogoutSerializer, responses={200: serializers.DetailSerializer})
    def post(self, request):
        data = serializers.LogoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
            if str(token.get("user_id")) != str(request.user.pk):
                raise TokenError("not this user's token")
            token.blacklist()
        except TokenError as error:
            raise InvalidInput("The refresh token is not valid.", code="token_invalid", attr="refresh") from error
        services.record_logout(user=request.user)
        return _detail("Signed out.")


class PasswordResetView(AuthThrottleMixin, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=serializers.EmailSerializer, responses={200: serializers.DetailSerializer})
    def post(self, request):
        data = serializers.EmailSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_password_reset(email=data.validated_data["email"])
        return _detail("If an account uses this address, we have emailed it a reset link.")


class PasswordResetConfirmView(AuthThrottleMixin, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=serializers.PasswordResetConfirmSerializer, responses={200: serializers.DetailSerializer})
    def post(self, request):
        data = serializers.PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reset_password(**data.validated_data)
        return _detail("Your password has been changed. Sign in with the new one.")


class PasswordChangeView(AuthThrottleMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=serializers.PasswordChangeSerializer, responses={200: serializers.DetailSerializer})
    def post(self, request):
        data = serializers.PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.change_password(user=request.user, **data.validated_data)
        return _detail("Your password has been changed.")


class VerifyPhoneView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sms"

    @extend_schema(request=serializers.PhoneVerificationSerializer, responses={200: serializers.DetailSerializer})
    def post(self, request):
        data = serializers.PhoneVerificationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        number = services.start_phone_verification(user=request.user, **data.validated_data)
        return _detail(f"We have texted a code to {number[:-4]}••••.")


class VerifyPhoneConfirmView(AuthThrottleMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=serializers.PhoneCodeSerializer, responses={200: serializers.MeSerializer})
    def post(self, request):
        data = serializers.PhoneCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.confirm_phone_verification(user=request.user, code=data.validated_data["code"])
        return Response(serializers.MeSerializer(user, context={"request": request}).data)


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: serializers.MeSerializer})
    def get(self, request):
        return Response(serializers.MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(request=serializers.MeUpdateSerializer, responses={200: serializers.MeSerializer})
    def patch(self, request):
        data = serializers.MeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.update_profile(user=request.user, actor=request.user, **data.validated_data)
        return Response(serializers.MeSerializer(user, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        services.delete_account(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfilePictureView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": serializers.ProfilePictureSerializer}, responses=serializers.MeSerializer
    )
    def post(self, request):
        data = serializers.ProfilePictureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.set_profile_picture(user=request.user, upload=data.validated_data["profile_picture"])
        return Response(serializers.MeSerializer(user, context={"request": request}).data)

    @extend_schema(responses={200: serializers.MeSerializer})
    def delete(self, request):
        user = services.set_profile_picture(user=request.user, upload=None)
        return Response(serializers.MeSerializer(user, context={"request": request}).data)


class PublicUserView(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.PublicUserSerializer

    def get_queryset(self):
        return selectors.public_users()
