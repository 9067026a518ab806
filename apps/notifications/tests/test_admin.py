"""Notification templates are edited in the admin; sent notifications are a read-only record."""

import pytest

from apps.listings.tests.test_admin import admin_url, new_user, queries_of
from apps.notifications.models import Notification, NotificationTemplate, NotificationType

pytestmark = pytest.mark.django_db


def test_template_pages_open_and_staff_add_one(admin_client):
    template = NotificationTemplate.objects.get(name=NotificationType.BOOKING_CONFIRMED)  # seeded by migration

    assert admin_client.get(admin_url(NotificationTemplate, "changelist")).status_code == 200
    assert admin_client.get(admin_url(NotificationTemplate, "change", template.pk)).status_code == 200
    assert admin_client.get(admin_url(NotificationTemplate, "add")).status_code == 200
    response = admin_client.post(
        admin_url(NotificationTemplate, "add"),
        {
            "name": "HOLIDAY_HOURS",
            "subject": "Holiday hours",
            "email_template": "We sent {{ amount }}.",
            "variables": "{}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert NotificationTemplate.objects.filter(name="HOLIDAY_HOURS").exists()


def test_a_template_that_does_not_compile_is_refused(admin_client):
    template = NotificationTemplate.objects.get(name=NotificationType.PAYOUT_SENT)
    response = admin_client.post(
        admin_url(NotificationTemplate, "change", template.pk),
        {
            "name": template.name,
            "subject": "Paid {% if amount %}",
            "email_template": template.email_template,
            "variables": "{}",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "does not compile" in response.content.decode()
    template.refresh_from_db()
    assert template.subject.startswith("Your payout")


def test_notification_pages_open_read_only(admin_client):
    notification = Notification.objects.create(
        recipient=new_user(), notification_type=NotificationType.MESSAGE_RECEIVED, title="New message", message="Hi"
    )

    assert admin_client.get(admin_url(Notification, "changelist")).status_code == 200
    assert admin_client.get(admin_url(Notification, "change", notification.pk)).status_code == 200
    assert admin_client.get(admin_url(Notification, "add")).status_code == 403


def test_the_notification_list_costs_the_same_for_one_row_or_many(admin_client, django_assert_max_num_queries):
    def notify():
        Notification.objects.create(
            recipient=new_user(), notification_type=NotificationType.PAYOUT_SENT, title="Paid", message="Sent"
        )

    notify()
    url = admin_url(Notification, "changelist")
    one_row = queries_of(admin_client, url)
    for _ in range(5):
        notify()

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200
