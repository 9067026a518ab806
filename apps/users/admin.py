"""Accounts in the admin: people sign in with their email address (there is no username).

The driver licence number is ciphertext and private to its owner: it appears nowhere here, not even as a form field.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from apps.core.admin import AuditTrailMixin, DomainErrorsAsMessagesMixin, MapAdminMixin, ModerationMixin
from apps.users import services
from apps.users.models import User

# Read-only on the change page: set by the sign-up, verification and payment flows or by the review service.
SYSTEM_FIELDS = (
    "email",
    "phone_number",
    "is_active",
    "is_email_verified",
    "is_phone_verified",
    "driver_license_state",
    "rating_average",
    "rating_count",
    "stripe_customer_id",
    "stripe_account_id",
    "last_login",
    "last_login_ip",
    "date_joined",
    "created_at",
    "updated_at",
    "is_deleted",
    "deleted_at",
)


class StaffUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "user_type")


class StaffUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        exclude = ("driver_license_number",)


@admin.register(User)
class UserAdmin(DomainErrorsAsMessagesMixin, ModerationMixin, AuditTrailMixin, MapAdminMixin, DjangoUserAdmin):
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    ("first_name", "last_name"),
                    "user_type",
                    "bio",
                    "date_of_birth",
                    "default_address",
                    "default_location",
                    "preferred_notification_method",
                )
            },
        ),
        (
            "Contact and verification",
            {
                "fields": (
                    "phone_number",
                    ("is_email_verified", "is_phone_verified", "is_identity_verified"),
                    "driver_license_state",
                )
            },
        ),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (
            "Account",
            {
                "fields": (
                    ("rating_average", "rating_count"),
                    ("stripe_customer_id", "stripe_account_id"),
                    ("last_login", "last_login_ip"),
                    ("date_joined", "created_at", "updated_at"),
                    ("is_deleted", "deleted_at"),
                )
            },
        ),
        ("Audit trail", {"fields": ("audit_trail",)}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "user_type", "usable_password", "password1", "password2")},
        ),
    )
    list_display = (
        "email",
        "first_name",
        "last_name",
        "user_type",
        "is_active",
        "is_email_verified",
        "is_staff",
        "rating_average",
        "rating_count",
        "created_at",
    )
    list_filter = (
        "user_type",
        "is_active",
        "is_deleted",
        "is_email_verified",
        "is_phone_verified",
        "is_identity_verified",
        "is_staff",
        "is_superuser",
        "groups",
    )
    search_fields = ("email", "first_name", "last_name", "phone_number")
    ordering = ("email",)
    date_hierarchy = "created_at"
    actions = ("suspend_users", "reactivate_users")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        readonly = [*SYSTEM_FIELDS, "audit_trail"]
        if not request.user.is_superuser:
            readonly += services.RIGHTS_FIELDS
        return readonly

    def has_delete_permission(self, request, obj=None):
        # Deleting an account is a soft delete that keeps bookings, payments and the audit trail (the account's
        # own "delete my account"); removing the row would cascade into reviews and messages.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            services.update_account(user=obj, actor=request.user, **changes)
        else:
            services.create_account(user=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        # Groups and permissions were saved by `update_account`, with everything else, in its audit row.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Suspend selected users (reason required)", permissions=["moderate"])
    def suspend_users(self, request, queryset):
        reason = self.action_reason(request)
        if not reason:
            self.message_user(request, "Give a reason for suspending.", level="error")
            return
        self.apply_service(
            request,
            queryset,
            service=lambda user: services.suspend_user(user=user, actor=request.user, reason=reason),
            state=lambda user: user.is_active,
            done="Suspended",
        )

    @admin.action(description="Reactivate selected users", permissions=["moderate"])
    def reactivate_users(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            service=lambda user: services.reactivate_user(user=user, actor=request.user),
            state=lambda user: user.is_active,
            done="Reactivated",
        )
