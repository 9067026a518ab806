"""The database itself refuses a notification that must exist once being made twice, and duplicate templates."""

import pytest

from apps.core.tests.factories import rejected_by
from apps.notifications.models import Notification, NotificationTemplate
from apps.notifications.tests.factories import NotificationFactory, NotificationTemplateFactory

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
