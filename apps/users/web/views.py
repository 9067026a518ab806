"""Account pages: sign up, sign in, verify, reset, profile. Each calls the same services as the API."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.web.forms import add_domain_error
from apps.users import services
from apps.users.web import forms


def signup(request):
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_user(**form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome! We sent a confirmation link to {user.email}.")
            return redirect("profile")
    return render(request, "users/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "users/login.html"
    authentication_form = forms.EmailAuthenticationForm
    redirect_authenticated_user = True


def verify_email(request, token: str):
    try:
        user = services.verify_email(token=token)
    except DomainError as error:
        return render(request, "users/verify_email.html", {"error": error.detail}, status=400)
    return render(request, "users/verify_email.html", {"verified_email": user.email})


@login_required
@require_POST
def resend_verification(request):
    if request.user.is_email_verified:
        messages.info(request, "Your email address is already verified.")
    else:
        services.send_email_verification(user=request.user)
        messages.success(request, f"We sent a new confirmation link to {request.user.email}.")
    return redirect("profile")


def password_reset(request):
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(email=form.cleaned_data["email"])
        return render(request, "users/password_reset_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "users/password_reset.html", {"form": form})


def password_reset_confirm(request, uidb64: str, token: str):
    form = forms.SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(token=f"{uidb64}.{token}", new_password=form.cleaned_data["new_password"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your password has been changed. Sign in with the new one.")
            return redirect("login")
    return render(request, "users/password_reset_confirm.html", {"form": form})


@login_required
def password_change(request):
    form = forms.ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_password(user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your password has been changed.")
            return redirect("profile")
    return render(request, "users/password_change.html", {"form": form})


@login_required
def profile(request):
    user = request.user
    initial = {field: getattr(user, field) for field in services.PROFILE_FIELDS if field != "date_of_birth"}
    initial.update(phone_number=user.phone_number, driver_license_state=user.driver_license_state)
    form = forms.ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        picture = changes.pop("profile_picture")
        if not changes["driver_license_number"]:
            changes.pop("driver_license_number")
        try:
            services.update_profile(user=user, actor=user, **changes)
            if picture:
                services.set_profile_picture(user=user, upload=picture)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("profile")
    context = {
        "form": form,
        "phone_form": forms.PhoneCodeForm(),
        "masked_license": services.masked_driver_license(user),
    }
    return render(request, "users/profile.html", context)


@login_required
@require_POST
def send_phone_code(request):
    try:
        number = services.start_phone_verification(user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"We texted a code to {number[:-4]}••••.")
        request.session["phone_code_sent"] = True
    return redirect("profile")


@login_required
@require_POST
def confirm_phone_code(request):
    form = forms.PhoneCodeForm(request.POST)
    if form.is_valid():
        try:
            services.confirm_phone_verification(user=request.user, code=form.cleaned_data["code"])
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            request.session.pop("phone_code_sent", None)
            messages.success(request, "Your phone number is verified.")
    else:
        messages.error(request, "Enter the 6-digit code.")
    return redirect("profile")


@login_required
def delete_account(request):
    if request.method == "POST":
        try:
            services.delete_account(user=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("profile")
        request.session.flush()
        messages.success(request, "Your account has been deleted.")
        return redirect("home")
    return render(request, "users/delete_account.html")
