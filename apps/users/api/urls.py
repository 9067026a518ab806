from django.urls import path

from apps.users.api import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="api-register"),
    path("auth/verify-email", views.VerifyEmailView.as_view(), name="api-verify-email"),
    path("auth/token", views.TokenView.as_view(), name="api-token"),
    path("auth/token/refresh", views.TokenRefresh.as_view(), name="api-token-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="api-logout"),
    path("auth/password-reset", views.PasswordResetView.as_view(), name="api-password-reset"),
    path("auth/password-reset/confirm", views.PasswordResetConfirmView.as_view(), name="api-password-reset-confirm"),
    path("auth/password-change", views.PasswordChangeView.as_view(), name="api-password-change"),
    path("auth/verify-phone", views.VerifyPhoneView.as_view(), name="api-verify-phone"),
    path("auth/verify-phone/confirm", views.VerifyPhoneConfirmView.as_view(), name="api-verify-phone-confirm"),
    path("me", views.MeView.as_view(), name="api-me"),
    path("me/picture", views.ProfilePictureView.as_view(), name="api-me-picture"),
    path("users/<int:pk>", views.PublicUserView.as_view(), name="api-user"),
]
