"""Writes of the messaging domain: staff moderation of messages."""

from django.db import transaction

from apps.core.errors import PermissionDenied
from apps.core.models import AuditLog
from apps.core.services import log_action
from apps.messaging.models import Conversation, Message
from apps.users.models import User


def _ensure_moderator(moderator: User) -> None:
    if not getattr(moderator, "is_staff", False):
        raise PermissionDenied("Only staff can moderate messages.")


def unflag_message(*, message: Message, moderator: User) -> Message:
    """Dismiss the report on a message: staff found nothing wrong. The reason it was reported is kept in the audit
    log. Unflagging a message that is not flagged changes nothing."""
    _ensure_moderator(moderator)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if not message.is_flagged:
            return message
        old_values = {"is_flagged": True, "flagged_reason": message.flagged_reason}
        message.is_flagged = False
        message.flagged_reason = ""
        message.save(update_fields=["is_flagged", "flagged_reason"])
        log_action(
            actor=moderator,
            action=AuditLog.Action.MODERATE,
            target=message,
            description="Message report dismissed",
            old_values=old_values,
            new_values={"is_flagged": False, "flagged_reason": ""},
        )
    return message


def remove_message(*, message: Message, moderator: User, reason: str) -> Message:
    """Soft-delete a message: it disappears from the conversation for both participants but stays for the audit
    and any dispute. The conversation's preview moves to the newest message still visible. Removing a removed
    message changes nothing."""
    _ensure_moderator(moderator)
    with transaction.atomic():
        # The conversation first, in the order a new message would lock them, so its preview cannot change under us.
        conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.is_deleted:
            return message
        message.mark_deleted()
        message.save(update_fields=["is_deleted", "deleted_at"])
        _refresh_preview(conversation)
        log_action(
            actor=moderator,
            action=AuditLog.Action.MODERATE,
            target=message,
            description=f"Message removed. {reason}".strip(),
            old_values={"is_deleted": False},
            new_values={"is_deleted": True},
            additional_data={"reason": reason},
        )
    return message


def _refresh_preview(conversation: Conversation) -> None:
    newest = Message.objects.alive().filter(conversation=conversation).order_by("-created_at", "-id").first()
    # `update()`: a removed message is not new activity in the conversation (`updated_at` stays).
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message=newest.content if newest else "",
        last_message_at=newest.created_at if newest else None,
        last_message_by=newest.sender_id if newest else None,
    )
