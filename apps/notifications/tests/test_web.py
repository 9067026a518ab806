"""The notifications page: newest first with unread ones marked and counted in the navigation; opening one marks it
read and leads to what it is about; nobody opens another person's."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.messaging.tests.factories import ConversationFactory
from apps.notifications.models import Notification
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notify(user, title, **fields) -> Notification:
    return Notification.objects.create(
        recipient=user, notification_type="MESSAGE_RECEIVED", title=title, message=f"{title} body", **fields
    )


def test_the_list_shows_unread_first_in_the_badge_and_opening_one_reads_it_and_follows_it(guest):
    conversation = ConversationFactory(participants=[guest, UserFactory()])
    older = _notify(guest, "Old news")
    newer = _notify(guest, "New message from Hana", content_object=conversation)
    browser = _browser(guest)
    page = browser.get(reverse("notifications")).content.decode()
    assert page.index("New message from Hana") < page.index("Old news")
    assert 'Notifications <span class="badge count">2' in page
    opened = browser.post(reverse("notification_open", args=[newer.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("conversation", args=[conversation.pk])
    newer.refresh_from_db()
    assert newer.read_at is not None
    unread = browser.get(reverse("notifications") + "?unread=1").content.decode()
    assert "Old news" in unread and "New message from Hana" not in unread
    # Without a target it is simply marked read (htmx swaps the row in place).
    row = browser.post(reverse("notification_open", args=[older.pk]), HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "unread" not in row.content.decode().split(">")[0]
    assert "badge count" not in browser.get(reverse("notifications")).content.decode()


def test_another_persons_notification_is_not_found_and_stays_unread(guest):
    notification = _notify(UserFactory(), "Private")
    assert _browser(guest).post(reverse("notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "Private" not in _browser(guest).get(reverse("notifications")).content.decode()


def test_bad_page_numbers_are_not_errors_and_the_page_takes_bounded_queries(guest, django_assert_max_num_queries):
    for index in range(30):
        _notify(guest, f"Note {index}")
    browser = _browser(guest)
    with django_assert_max_num_queries(12):
        assert browser.get(reverse("notifications") + "?page=abc").status_code == 200
    assert browser.get(reverse("notifications") + "?page=999").status_code == 200
    assert Client().get(reverse("notifications")).status_code == 302
