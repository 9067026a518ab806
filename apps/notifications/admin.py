"""Notifications in the admin: templates are edited by staff; sent notifications are a read-only record."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin, pretty_json
from apps.notifications.models import Notification, NotificationTemplate


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "subject", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "subject", "email_template")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    readonly_fields = ("data_json",)

    @admin.display(description="Data")
    def data_json(self, notification: Notification) -> str:
        return pretty_json(notification.data)
