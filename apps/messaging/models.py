"""Conversations between a seeker and a host about a listing or a booking."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from apps.core.models import SoftDeleteModel


class Conversation(models.Model):
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="conversations", db_table="conversation_participants"
    )
    listing = models.ForeignKey("listings.Listing", on_delete=models.SET_NULL, null=True, blank=True)
    booking = models.ForeignKey("bookings.Booking", on_delete=models.SET_NULL, null=True, blank=True)

    # Kept in step with the newest message so the inbox is one read.
    last_message = models.TextField(blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "conversations"
        # Newest activity first; a conversation without messages yet sorts last, not first.
        ordering = [models.F("last_message_at").desc(nulls_last=True), "-id"]
        indexes = [models.Index(fields=["last_message_at"], name="conversations_last_message_idx")]

    def __str__(self) -> str:
        return f"Conversation {self.pk} about listing {self.listing_id or '-'}"


class Message(SoftDeleteModel):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages")

    content = models.TextField()
    # True when contact details (phone numbers, emails) were hidden because no booking was confirmed yet.
    content_masked = models.BooleanField(default=False)
    # Names in the "private" storage, served only to the conversation's participants.
    attachments = ArrayField(models.CharField(max_length=255), default=list, blank=True)

    read_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="MessageRead", related_name="read_messages", blank=True
    )
    # When the first recipient read it (the seed's single read_at); per-reader times live in message_reads.
    read_at = models.DateTimeField(null=True, blank=True)

    is_flagged = models.BooleanField(default=False)
    flagged_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "messages"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="messages_conversation_idx"),
            models.Index(fields=["created_at"], condition=models.Q(is_flagged=True), name="messages_flagged_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(content=""), name="messages_content_not_empty"),
        ]


class MessageRead(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "message_reads"
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="message_reads_once")]

    def __str__(self) -> str:
        return f"message {self.message_id} read by {self.user_id}"
