from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm

User = get_user_model()


class SignupForm(forms.Form):
    first_name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only digits, not a common password.",
    )
    user_type = forms.ChoiceField(
        label="I want to", choices=[("SEEKER", "Find parking"), ("HOST", "Rent out my space"), ("BOTH", "Both")]
    )
    phone_number = forms.CharField(
        max_length=32,
        required=False,
        label="Mobile phone (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "The email or password is not correct.",
        "inactive": "This account is not active.",
    }


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SetPasswordForm(forms.Form):
    new_password = forms.CharField(
        label="New password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(
        label="Current password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label="New password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    user_type = forms.ChoiceField(label="Account type", choices=User.UserType.choices)
    phone_number = forms.CharField(max_length=32, required=False, label="Mobile phone")
    default_address = forms.CharField(max_length=255, required=False, label="Home address")
    preferred_notification_method = forms.ChoiceField(label="Notify me by", choices=User.NotificationMethod.choices)
    bio = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    driver_license_number = forms.CharField(
        max_length=40,
        required=False,
        label="Driver licence number",
        help_text="Stored encrypted. Leave empty to keep the one on file.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    driver_license_state = forms.CharField(max_length=2, required=False, label="Licence state (e.g. TX)")
    profile_picture = forms.ImageField(required=False, label="Profile picture (JPEG, PNG or WebP, up to 5 MB)")


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="6-digit code",
        error_messages={"invalid": "Enter the 6-digit code."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
