"""Conversations and messages in the admin: read-only, moderated with the unflag/remove actions. Staff see removed
messages too (marked as such): moderation and disputes need the whole thread. The "Flagged" filter's first choice is
the moderation queue: reported messages nobody has unflagged or removed yet."""

from django.contrib import admin
from django.db.models import Q
from django.utils.text import Truncator

from apps.core.admin import AuditTrailMixin, ModerationMixin, NamedChoicesFilter, ReadOnlyAdminMixin, ReadOnlyInline
from apps.messaging import services
from apps.messaging.models import Conversation, Message, MessageRead


class FlaggedFilter(NamedChoicesFilter):
    title = "flagged"
    parameter_name = "flagged"
    # Removing a message keeps its flag (the report is part of its history); unflagging clears it.
    named_choices = {
        "waiting": ("Flagged, not yet moderated", Q(is_flagged=True, is_deleted=False)),
        "removed": ("Flagged and removed", Q(is_flagged=True, is_deleted=True)),
        "any": ("Flagged", Q(is_flagged=True)),
        "no": ("Not flagged", Q(is_flagged=False)),
    }


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "sender", "content", "is_flagged", "is_deleted")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender")


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "participant_emails", "listing", "booking", "short_last_message", "last_message_at")
    search_fields = ("participants__email", "listing__title", "last_message")
    list_select_related = ("listing", "booking")
    date_hierarchy = "created_at"
    fields = ("participants", "listing", "booking", "last_message", "last_message_at", "last_message_by")
    inlines = (MessageInline,)

    def get_queryset(self, request):
        # One query for all the rows' participants instead of one per row.
        return super().get_queryset(request).prefetch_related("participants")

    @admin.display(description="Participants")
    def participant_emails(self, conversation: Conversation) -> str:
        return ", ".join(sorted(user.email for user in conversation.participants.all()))

    @admin.display(description="Last message")
    def short_last_message(self, conversation: Conversation) -> str:
        return Truncator(conversation.last_message).chars(60)


@admin.register(Message)
class MessageAdmin(ModerationMixin, ReadOnlyAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = ("id", "conversation", "sender", "short_content", "is_flagged", "is_deleted", "created_at")
    list_filter = (FlaggedFilter, "is_deleted")
    search_fields = ("content", "sender__email", "flagged_reason")
    list_select_related = ("conversation", "sender")
    date_hierarchy = "created_at"
    fields = (
        "conversation",
        "sender",
        "content",
        "attachments",
        ("created_at", "edited_at", "read_at"),
        ("is_flagged", "flagged_reason"),
        ("is_deleted", "deleted_at"),
        "audit_trail",
    )
    readonly_fields = ("created_at", "audit_trail")
    actions = ("unflag_messages", "remove_messages")

    @admin.display(description="Content")
    def short_content(self, message: Message) -> str:
        return Truncator(message.content).chars(80)

    @admin.action(description="Unflag selected messages (dismiss the report)", permissions=["moderate"])
    def unflag_messages(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            service=lambda message: services.unflag_message(message=message, moderator=request.user),
            state=lambda message: message.is_flagged,
            done="Unflagged",
        )

    @admin.action(description="Soft-delete selected messages (reason required)", permissions=["moderate"])
    def remove_messages(self, request, queryset):
        reason = self.action_reason(request)
        if not reason:
            self.message_user(request, "Give a reason for removing the messages.", level="error")
            return
        self.apply_service(
            request,
            queryset,
            service=lambda message: services.remove_message(message=message, moderator=request.user, reason=reason),
            state=lambda message: message.is_deleted,
            done="Removed",
        )


@admin.register(MessageRead)
class MessageReadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "message_id", "user", "read_at")
    search_fields = ("user__email", "message__id__exact")
    list_select_related = ("user",)
    date_hierarchy = "read_at"
