"""Notifications in the admin: templates are edited by staff; sent notifications are a read-only record, with an
action that gives failed ones another round of delivery; push subscriptions can be looked at and removed."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.template import TemplateSyntaxError

from apps.core.admin import ModerationMixin, ReadOnlyAdminMixin, pretty_json
from apps.notifications import services
from apps.notifications.models import Notification, NotificationTemplate, PushSubscription
from apps.notifications.rendering import TEMPLATE_FIELDS, compile_template


class NotificationTemplateForm(forms.ModelForm):
    """Refuses a template that does not compile, so a typo never reaches a notification."""

    class Meta:
        model = NotificationTemplate
        fields = ["name", "is_active", "subject", "email_template", "sms_template", "push_template", "variables"]

    def clean(self):
        cleaned = super().clean()
        for field in TEMPLATE_FIELDS:
            try:
                compile_template(cleaned.get(field) or "")
            except TemplateSyntaxError as error:
                self.add_error(field, f"This template does not compile: {error}")
        return cleaned


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ("name", "subject", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "subject", "email_template")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "is_active", "subject")}),
        ("Texts", {"fields": ("email_template", "sms_template", "push_template")}),
        (
            "Variables",
            {
                "description": "Django template syntax, rendered as plain text: {{ variable }}, {% if for_host %}.",
                "fields": ("variables", "created_at"),
            },
        ),
    )


@admin.register(Notification)
class NotificationAdmin(ModerationMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "recipient",
        "notification_type",
        "title",
        "status",
        "email_status",
        "sms_status",
        "push_status",
        "attempts",
        "sent_at",
        "read_at",
    )
    list_filter = ("status", "notification_type", "email_status", "sms_status", "push_status")
    search_fields = ("recipient__email", "title", "dedupe_key")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("recipient", "notification_type", "status", ("created_at", "sent_at", "read_at"))}),
        ("Texts", {"fields": ("title", "message", "email_body", "sms_body")}),
        (
            "Delivery",
            {
                "fields": (
                    ("send_email", "email_status"),
                    ("send_sms", "sms_status"),
                    ("send_push", "push_status"),
                    ("attempts", "last_attempt_at"),
                    "last_error",
                    "receipts_json",
                )
            },
        ),
        ("About", {"fields": (("content_type", "object_id"), "dedupe_key", "data_json")}),
    )
    readonly_fields = ("data_json", "receipts_json")
    actions = ("resend_failed",)

    @admin.display(description="Data")
    def data_json(self, notification: Notification) -> str:
        return pretty_json(notification.data)

    @admin.display(description="Provider receipts")
    def receipts_json(self, notification: Notification) -> str:
        return pretty_json(notification.receipts)

    @admin.action(description="Resend the failed channels of selected notifications", permissions=["moderate"])
    def resend_failed(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            service=lambda notification: services.resend_failed(notification=notification),
            state=lambda notification: notification.status,
            done="Queued again",
        )


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "endpoint", "created_at")
    search_fields = ("user__email", "endpoint")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = ("user", "endpoint", "p256dh", "auth", "created_at")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
