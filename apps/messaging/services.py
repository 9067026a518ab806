"""Writes of the messaging domain: opening conversations, posting, reading, deleting and reporting messages, and
staff moderation.

A conversation is between a driver and a host about one listing (before booking) or one booking. Only its
participants may read or write it; the selectors answer 404 to anyone else before a service is called.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from apps.bookings.models import Booking
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.images import clean_image
from apps.core.models import AuditLog
from apps.core.services import log_action
from apps.listings.models import Listing
from apps.messaging.masking import mask_contact_details
from apps.messaging.models import Conversation, Message, MessageRead
from apps.messaging.signals import message_posted
from apps.users.models import User

# Bookings after which the two sides may exchange phone numbers and emails.
CONTACT_SHARING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.IN_PROGRESS, Booking.Status.COMPLETED)
PREVIEW_LENGTH = 200


def _clean_content(content: str | None, *, attr: str) -> str:
    content = (content or "").strip()
    if not content:
        raise InvalidInput("Write a message.", code="blank", attr=attr)
    if len(content) > settings.MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            f"A message can be at most {settings.MESSAGE_MAX_LENGTH} characters.", code="max_length", attr=attr
        )
    return content


def _clean_attachments(uploads: Sequence[UploadedFile]) -> list:
    if len(uploads) > settings.MESSAGE_MAX_ATTACHMENTS:
        raise InvalidInput(
            f"At most {settings.MESSAGE_MAX_ATTACHMENTS} attachments per message.",
            code="max_length",
            attr="attachments",
        )
    return [
        clean_image(upload, max_bytes=settings.MESSAGE_ATTACHMENT_MAX_BYTES, attr="attachments") for upload in uploads
    ]


def _lock_thread(*parts: Any) -> None:
    """Serialise the opening of one thread (same people, same subject), so two first messages sent at once end up
    in one conversation. A transaction-scoped advisory lock: no row to lock exists yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [":".join(map(str, parts))])


def contact_details_allowed(conversation: Conversation) -> bool:
    """May the participants share phone numbers and emails? Once a booking between them is confirmed."""
    if conversation.booking_id is not None:
        return Booking.objects.filter(pk=conversation.booking_id, status__in=CONTACT_SHARING_STATUSES).exists()
    if conversation.listing_id is None:
        return False
    people = list(conversation.participants.values_list("pk", flat=True))
    return Booking.objects.filter(
        listing_id=conversation.listing_id,
        guest_id__in=people,
        listing__host_id__in=people,
        status__in=CONTACT_SHARING_STATUSES,
    ).exists()


def _thread_subject(
    *, sender: User, recipient: User | None, listing: Listing | None, booking: Booking | None
) -> tuple[User, Listing | None, Booking | None]:
    """Check who may write to whom about what; return the recipient and the listing/booking the thread is about."""
    if booking is not None:
        host, guest = booking.listing.host, booking.guest
        other = host if sender.pk == guest.pk else guest
        if recipient is not None and recipient.pk != other.pk:
            raise InvalidInput("Messages about a booking go to its other party.", code="invalid", attr="recipient")
        if listing is not None and listing.pk != booking.listing_id:
            raise InvalidInput("This booking is for another listing.", code="invalid", attr="listing")
        return other, booking.listing, booking
    if listing is None:
        raise InvalidInput("Say which listing or booking the message is about.", code="required", attr="listing")
    if sender.pk != listing.host_id:
        if recipient is not None and recipient.pk != listing.host_id:
            raise InvalidInput("Questions about a listing go to its host.", code="invalid", attr="recipient")
        return listing.host, listing, None
    if recipient is None:
        raise InvalidInput("Choose whom to write to.", code="required", attr="recipient")
    # A host may write first only to drivers who booked (or asked to book) this listing: no cold messages.
    if not Booking.objects.filter(listing=listing, guest=recipient).exists():
        raise InvalidInput(
            "You can write to drivers who have booked this listing.", code="not_a_guest", attr="recipient"
        )
    return recipient, listing, None


def start_conversation(
    *,
    sender: User,
    message: str,
    recipient: User | None = None,
    listing: Listing | None = None,
    booking: Booking | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> tuple[Conversation, Message, bool]:
    """Open the thread between `sender` and the other side about `booking` or `listing` (or reuse the one they
    already have) and post `message` in it. Returns the conversation, the message and whether the thread is new.

    The caller has checked that `sender` may see the listing/booking (404 otherwise). The recipient defaults to the
    other party of the booking, or to the host of the listing."""
    recipient, listing, booking = _thread_subject(sender=sender, recipient=recipient, listing=listing, booking=booking)
    if recipient.pk == sender.pk:
        raise InvalidInput("You cannot write to yourself.", code="invalid", attr="recipient")
    if not recipient.is_active or recipient.is_deleted:
        raise NotFound("No such person.", attr="recipient")
    content = _clean_content(message, attr="message")
    images = _clean_attachments(attachments)
    with transaction.atomic():
        _lock_thread(
            "conversation",
            *sorted((sender.pk, recipient.pk)),
            listing.pk if listing else "-",
            booking.pk if booking else "-",
        )
        existing = Conversation.objects.filter(participants=sender).filter(participants=recipient)
        existing = (
            existing.filter(booking=booking) if booking is not None else existing.filter(listing=listing, booking=None)
        )
        conversation = existing.order_by("id").first()
        created = conversation is None
        if created:
            conversation = Conversation.objects.create(listing=listing, booking=booking)
            conversation.participants.add(sender, recipient)
        posted = _post(conversation=conversation, sender=sender, content=content, images=images)
    return conversation, posted, created


def post_message(
    *, conversation: Conversation, sender: User, content: str, attachments: Sequence[UploadedFile] = ()
) -> Message:
    """Post a message in a conversation `sender` takes part in."""
    if not conversation.participants.filter(pk=sender.pk).exists():
        raise NotFound("No such conversation.")
    content = _clean_content(content, attr="content")
    images = _clean_attachments(attachments)
    with transaction.atomic():
        return _post(conversation=conversation, sender=sender, content=content, images=images)


def _post(*, conversation: Conversation, sender: User, content: str, images: list) -> Message:
    # The conversation's row first: messages of one thread are written one after the other, so its preview always
    # shows the newest one.
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    masked = False
    if not contact_details_allowed(conversation):
        content, masked = mask_contact_details(content)
    storage = storages["private"]
    names = []
    try:
        for image in images:
            names.append(storage.save(f"messages/{conversation.pk}/{uuid.uuid4().hex}-{image.name}", image))
        message = Message.objects.create(
            conversation=conversation, sender=sender, content=content, content_masked=masked, attachments=names
        )
    except BaseException:
        for name in names:
            storage.delete(name)
        raise
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message=content[:PREVIEW_LENGTH],
        last_message_at=message.created_at,
        last_message_by=sender,
        updated_at=message.created_at,
    )
    recipients = list(conversation.participants.exclude(pk=sender.pk))
    transaction.on_commit(lambda: message_posted.send(sender=Message, message=message, recipients=recipients))
    return message


def mark_conversation_read(*, conversation: Conversation, reader: User) -> int:
    """Record that `reader` has read every message the others sent so far. Returns how many were new to them."""
    with transaction.atomic():
        unread = list(
            Message.objects.alive()
            .filter(conversation=conversation)
            .exclude(sender=reader)
            .exclude(messageread__user=reader)
            .values_list("pk", flat=True)
        )
        if not unread:
            return 0
        now = timezone.now()
        MessageRead.objects.bulk_create(
            [MessageRead(message_id=pk, user=reader, read_at=now) for pk in unread], ignore_conflicts=True
        )
        Message.objects.filter(pk__in=unread, read_at__isnull=True).update(read_at=now)
    return len(unread)


def delete_own_message(*, message: Message, actor: User) -> Message:
    """Withdraw one of one's own messages: it disappears for both sides (staff still see it). Deleting it again
    changes nothing."""
    if message.sender_id != actor.pk:
        raise PermissionDenied("You can delete only your own messages.")
    with transaction.atomic():
        message, changed = _soft_delete(message)
        if not changed:
            return message
        log_action(
            actor=actor, action=AuditLog.Action.DELETE, target=message, description="Message deleted by its sender"
        )
    return message


def flag_message(*, message: Message, reporter: User, reason: str) -> Message:
    """Report a message the other side sent, for staff to look at. The first report's reason is kept on the
    message; every report is in the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Tell us what is wrong with this message.", code="blank", attr="reason")
    if message.sender_id == reporter.pk:
        raise InvalidInput("You cannot report your own message.", code="own_message", attr=None)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if not message.is_flagged:
            message.is_flagged = True
            message.flagged_reason = reason[:1000]
            message.save(update_fields=["is_flagged", "flagged_reason"])
        log_action(
            actor=reporter,
            action=AuditLog.Action.UPDATE,
            target=message,
            description="Message reported",
            additional_data={"reason": reason[:1000]},
        )
    return message


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
        message, changed = _soft_delete(message)
        if not changed:
            return message
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


def _soft_delete(message: Message) -> tuple[Message, bool]:
    """Hide `message` for both participants (kept for staff and disputes) and move the conversation's preview to
    the newest message still visible. Returns the locked message and whether it changed (deleting twice does not).
    Runs inside the caller's transaction."""
    # The conversation first, in the order a new message would lock them, so its preview cannot change under us.
    conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.is_deleted:
        return message, False
    message.mark_deleted()
    message.save(update_fields=["is_deleted", "deleted_at"])
    _refresh_preview(conversation)
    return message, True


def _refresh_preview(conversation: Conversation) -> None:
    newest = Message.objects.alive().filter(conversation=conversation).order_by("-created_at", "-id").first()
    # `update()`: a removed message is not new activity in the conversation (`updated_at` stays).
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message=newest.content[:PREVIEW_LENGTH] if newest else "",
        last_message_at=newest.created_at if newest else None,
        last_message_by=newest.sender_id if newest else None,
    )
