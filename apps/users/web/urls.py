from django.contrib.auth import views as auth_views
from django.urls import path

from apps.users.web import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("verify-email-resend/", views.resend_verification, name="resend_verification"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-change/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("profile/phone/send/", views.send_phone_code, name="send_phone_code"),
    path("profile/phone/confirm/", views.confirm_phone_code, name="confirm_phone_code"),
    path("delete/", views.delete_account, name="delete_account"),
]
