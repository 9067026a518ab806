"""The database itself refuses empty messages and a message read twice by one person."""

import pytest

from apps.core.tests.factories import rejected_by
from apps.messaging.models import Conversation, Message
from apps.messaging.tests.factories import ConversationFactory, MessageFactory, MessageReadFactory

pytestmark = pytest.mark.django_db


def test_an_empty_message_is_rejected():
    with rejected_by("messages_content_not_empty"):
        MessageFactory(content="")


def test_emptying_a_sent_message_is_rejected():
    message = MessageFactory()
    with rejected_by("messages_content_not_empty"):
        Message.objects.filter(pk=message.pk).update(content="")


def test_a_message_read_twice_by_one_person_is_rejected():
    read = MessageReadFactory()
    with rejected_by("message_reads_once"):
        MessageReadFactory(message=read.message, user=read.user)


def test_a_message_read_by_each_participant_is_accepted():
    conversation = ConversationFactory()
    first, second = conversation.participants.order_by("id")
    message = MessageFactory(conversation=conversation, sender=first)
    MessageReadFactory(message=message, user=second)
    MessageReadFactory(message=message, user=first)
    assert message.read_by.count() == 2


def test_a_person_in_a_conversation_twice_is_rejected():
    conversation = ConversationFactory()
    person = conversation.participants.first()
    # `participants.add()` skips people already there; past the ORM, the database refuses the duplicate pair
    # (the name is Django's, derived from the table and columns).
    with rejected_by("conversation_participants_conversation_id_user_id_eeefe97d_uniq"):
        Conversation.participants.through.objects.create(conversation=conversation, user=person)
