"""Factories for conversations, messages and read receipts."""

import factory
from factory.django import DjangoModelFactory

from apps.bookings.tests.factories import BookingFactory
from apps.listings.tests.factories import ListingFactory
from apps.messaging.models import Conversation, Message, MessageRead
from apps.users.tests.factories import UserFactory


class ConversationFactory(DjangoModelFactory):
    """A seeker asking a host about a listing. `participants=[...]` chooses who takes part; by default the
    listing's host and a new seeker (or, with `for_booking=True`, the booking's guest and host)."""

    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    class Params:
        for_booking = factory.Trait(
            booking=factory.SubFactory(BookingFactory),
            listing=factory.SelfAttribute("booking.listing"),
        )

    listing = factory.SubFactory(ListingFactory)
    booking = None

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is not None:
            people = list(extracted)
        elif self.booking is not None:
            people = [self.booking.guest, self.booking.listing.host]
        elif self.listing is not None:
            people = [UserFactory(), self.listing.host]
        else:
            people = [UserFactory(), UserFactory()]
        self.participants.add(*people)


def _first_participant(conversation: Conversation):
    return conversation.participants.order_by("id").first()


class MessageFactory(DjangoModelFactory):
    """A message from the conversation's first participant (a new conversation's seeker); the conversation's
    last-message fields are left as they were (the messaging service keeps them)."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    sender = factory.LazyAttribute(lambda o: _first_participant(o.conversation))
    content = factory.Faker("sentence", nb_words=10)


class MessageReadFactory(DjangoModelFactory):
    """The message read by a participant other than its sender."""

    class Meta:
        model = MessageRead

    message = factory.SubFactory(MessageFactory)
    user = factory.LazyAttribute(
        lambda o: o.message.conversation.participants.exclude(pk=o.message.sender_id).order_by("id").first()
    )
