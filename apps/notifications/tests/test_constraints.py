"""The database itself refuses a notification that must exist once being made twice, a second unread notification
about one conversation, duplicate templates and a push endpoint registered twice."""

import pytest
from django.utils import timezone

from apps.core.tests.factories import rejected_by
from apps.messaging.tests.factories import ConversationFactory
from apps.notifications.models import Notification, NotificationTemplate, NotificationType
from apps.notifications.tests.factories import (
    NotificationFactory,
    NotificationTemplateFactory,
    PushSubscriptionFactory,
)

pytestmark = pytest.mark.django_db


def test_a_second_notification_with_the_same_dedupe_key_is_rejected():
    NotificationFactory(dedupe_key="reminder-checkin:booking-1")
    with rejected_by("notifications_dedupe_key_key"):
        NotificationFactory(dedupe_key="reminder-checkin:booking-1")


def test_notifications_without_a_dedupe_key_are_accepted():
    recipient = NotificationFactory().recipient
    NotificationFactory(recipient=recipient, dedupe_key=None)
    assert recipient.notifications.count() == 2


def test_two_templates_with_one_name_are_rejected():
    template = NotificationTemplateFactory()
    with rejected_by("notification_templates_name_key"):
        NotificationTemplate.objects.create(name=template.name, subject="Again", email_template="Again")


@pytest.mark.parametrize(
    ("field", "constraint"),
    [("attempts", "notifications_attempts_check"), ("object_id", "notifications_object_id_check")],
)
def test_a_negative_attempt_count_or_object_id_is_rejected(field, constraint):
    notification = NotificationFactory()
    with rejected_by(constraint):
        Notification.objects.filter(pk=notification.pk).update(**{field: -1})


def test_a_second_unread_message_notification_about_one_conversation_is_rejected():
    conversation = ConversationFactory()
    first = NotificationFactory(notification_type=NotificationType.MESSAGE_RECEIVED, target=conversation)
    with rejected_by("notifications_one_unread_per_conversation"):
        NotificationFactory(
            recipient=first.recipient, notification_type=NotificationType.MESSAGE_RECEIVED, target=conversation
        )


def test_once_read_or_for_someone_else_or_of_another_type_more_notifications_are_accepted():
    conversation = ConversationFactory()
    first = NotificationFactory(notification_type=NotificationType.MESSAGE_RECEIVED, target=conversation)
    NotificationFactory(notification_type=NotificationType.MESSAGE_RECEIVED, target=conversation)  # another person
    NotificationFactory(recipient=first.recipient, target=conversation)  # another type
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    NotificationFactory(
        recipient=first.recipient, notification_type=NotificationType.MESSAGE_RECEIVED, target=conversation
    )
    assert Notification.objects.count() == 4


def test_one_push_endpoint_is_registered_once():
    subscription = PushSubscriptionFactory()
    with rejected_by("push_subscriptions_endpoint_key"):
        PushSubscriptionFactory(endpoint=subscription.endpoint)
