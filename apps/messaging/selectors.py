"""Reads of the messaging domain. A conversation exists only for its participants: to anyone else it is 404."""

from django.core.files import File
from django.core.files.storage import storages
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.core.errors import NotFound
from apps.messaging.models import Conversation, Message, MessageRead
from apps.users.models import User


def _unread_messages(user: User) -> QuerySet[Message]:
    """Messages others sent to `user` that `user` has not read (deleted ones do not count)."""
    return Message.objects.alive().exclude(sender=user).exclude(messageread__user=user)


def conversations_of(user: User) -> QuerySet[Conversation]:
    """The inbox: `user`'s conversations, newest activity first, each with its unread count, participants, listing
    and booking loaded (a constant number of queries whatever the page size)."""
    unread = (
        _unread_messages(user)
        .filter(conversation=OuterRef("pk"))
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Conversation.objects.filter(participants=user)
        .select_related("listing", "booking", "last_message_by")
        .prefetch_related(Prefetch("participants", queryset=User.objects.order_by("id")))
        .annotate(unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
    )


def unread_total(user: User) -> int:
    """How many messages wait for `user` across all conversations (the inbox badge)."""
    return _unread_messages(user).filter(conversation__participants=user).count()


def conversation_for(user: User, conversation_id: int) -> Conversation:
    conversation = conversations_of(user).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("No such conversation.")
    return conversation


def messages_of(conversation: Conversation, *, after: int | None = None) -> QuerySet[Message]:
    """The visible messages of a conversation, newest first, with their read receipts. With `after`, only those
    newer than that message (what a polling client has not seen yet)."""
    messages = (
        Message.objects.alive()
        .filter(conversation=conversation)
        .select_related("sender")
        .prefetch_related(Prefetch("messageread_set", queryset=MessageRead.objects.order_by("read_at", "id")))
        .order_by("-created_at", "-id")
    )
    return messages.filter(pk__gt=after) if after is not None else messages


def message_for(user: User, message_id: int) -> Message:
    """A visible message of a conversation `user` takes part in."""
    message = (
        Message.objects.alive()
        .filter(pk=message_id, conversation__participants=user)
        .select_related("conversation", "sender")
        .first()
    )
    if message is None:
        raise NotFound("No such message.")
    return message


def open_attachment(message: Message, index: int) -> tuple[File, str]:
    """The file of a message's `index`-th attachment and a download name. The caller has checked that the reader
    takes part in the conversation (`message_for`)."""
    if not 0 <= index < len(message.attachments):
        raise NotFound("No such attachment.")
    name = message.attachments[index]
    return storages["private"].open(name, "rb"), name.rsplit("/", 1)[-1]
