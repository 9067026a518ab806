"""Factories for notification templates and notifications."""

import factory
from django.contrib.contenttypes.models import ContentType
from factory.django import DjangoModelFactory

from apps.notifications.models import Notification, NotificationTemplate, NotificationType, PushSubscription
from apps.users.tests.factories import UserFactory


class NotificationTemplateFactory(DjangoModelFactory):
    """A template; asking again for a `name` that exists returns the existing one."""

    class Meta:
        model = NotificationTemplate
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"TEST_NOTICE_{n}")
    subject = "Your booking at {{ listing_title }}"
    email_template = "Hello {{ first_name }},\n\nYour booking at {{ listing_title }} is confirmed."
    sms_template = "Booking at {{ listing_title }} confirmed."
    push_template = "Booking confirmed"
    variables = factory.LazyFunction(
        lambda: {"first_name": "The recipient's first name", "listing_title": "The listing's title"}
    )
    is_active = True


class NotificationFactory(DjangoModelFactory):
    """A pending booking confirmation for a seeker, about `target` when one is given."""

    class Meta:
        model = Notification

    class Params:
        target = None
        sent = factory.Trait(status=Notification.Status.SENT, email_status=Notification.ChannelStatus.SENT)

    recipient = factory.SubFactory(UserFactory)
    notification_type = NotificationType.BOOKING_CONFIRMED
    title = "Booking confirmed"
    message = factory.Faker("sentence", nb_words=10)
    send_email = True
    send_sms = False
    send_push = True
    status = Notification.Status.PENDING
    email_status = Notification.ChannelStatus.PENDING
    content_type = factory.LazyAttribute(
        lambda o: ContentType.objects.get_for_model(o.target, for_concrete_model=True) if o.target else None
    )
    object_id = factory.LazyAttribute(lambda o: o.target.pk if o.target else None)
    dedupe_key = None
    data = factory.LazyFunction(dict)


class PushSubscriptionFactory(DjangoModelFactory):
    """A browser's push subscription (the keys are placeholders: nothing is encrypted for them here)."""

    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://push.example.net/send/{n}")
    p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    auth = "tBHItJI5svbpez7KI4CCXg"
