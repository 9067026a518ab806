"""The inbox and thread pages: writing to a host, answering, new messages fetched by polling (htmx) and marked read,
errors next to the field, and nobody else's thread."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.bookings.tests.factories import BookingFactory
from apps.messaging import services
from apps.messaging.models import Conversation, Message
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_driver_writes_to_a_host_from_the_listing_and_the_host_answers_in_the_thread(guest, host, listing):
    driver = _browser(guest)
    page = driver.get(reverse("conversation_start") + f"?listing={listing.pk}")
    assert page.status_code == 200 and listing.title in page.content.decode()
    sent = driver.post(reverse("conversation_start") + f"?listing={listing.pk}", {"content": "Is it covered?"})
    conversation = Conversation.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("conversation", args=[conversation.pk])

    owner = _browser(host)
    inbox = owner.get(reverse("inbox")).content.decode()
    assert "Is it covered?" in inbox and 'aria-label="1 unread"' in inbox
    assert re.search(r"Inbox <span class=\"badge count\">1", inbox)  # the navigation badge
    thread = owner.get(reverse("conversation", args=[conversation.pk]))
    assert "Is it covered?" in thread.content.decode()
    assert "Inbox <span" not in owner.get(reverse("inbox")).content.decode()  # opening the thread read it

    # Answering through htmx: the form comes back empty and the poller is told to fetch at once.
    answer = owner.post(reverse("conversation", args=[conversation.pk]), {"content": "Yes, fully."}, **HTMX)
    assert answer.status_code == 200 and answer["HX-Trigger"] == "messageSent"
    assert 'id="message-form"' in answer.content.decode() and "Yes, fully." not in answer.content.decode()
    first_id = Message.objects.order_by("id").first().pk
    polled = driver.get(reverse("conversation_poll", args=[conversation.pk]) + f"?after={first_id}", **HTMX)
    body = polled.content.decode()
    assert "Yes, fully." in body and "Is it covered?" not in body
    newest = Message.objects.order_by("id").last().pk
    assert f"after={newest}" in body  # the next poll asks only for what is newer
    assert Message.objects.get(pk=newest).read_at is not None  # shown to the driver = read by the driver


def test_a_blank_message_shows_an_error_next_to_the_field_and_writes_nothing(guest, listing):
    conversation, _, _ = services.start_conversation(sender=guest, listing=listing, message="Hello")
    browser = _browser(guest)
    url = reverse("conversation", args=[conversation.pk])
    response = browser.post(url, {"content": "   "}, **HTMX)
    assert response.status_code == 422 and 'class="error"' in response.content.decode()
    plain = browser.post(url, {"content": ""})
    assert plain.status_code == 400 and 'class="error"' in plain.content.decode()
    assert Message.objects.count() == 1


def test_a_host_cannot_start_a_conversation_with_a_stranger_and_sees_why(host, listing):
    booking = BookingFactory(listing=listing)
    browser = _browser(host)
    response = browser.post(reverse("conversation_start") + f"?booking={booking.booking_code}", {"content": "Hi!"})
    assert response.status_code == 302  # the booking's guest is no stranger
    other = UserFactory()
    response = _browser(other).get(reverse("conversation_start") + f"?booking={booking.booking_code}")
    assert response.status_code == 404
    assert _browser(other).get(reverse("conversation_start") + "?booking=not-a-code").status_code == 404
    assert _browser(other).get(reverse("conversation_start")).status_code == 404


def test_someone_elses_thread_poll_and_attachments_are_not_found(guest, listing):
    conversation, message, _ = services.start_conversation(sender=guest, listing=listing, message="Private")
    outsider = _browser(UserFactory())
    assert outsider.get(reverse("conversation", args=[conversation.pk])).status_code == 404
    assert outsider.get(reverse("conversation_poll", args=[conversation.pk])).status_code == 404
    assert outsider.post(reverse("conversation", args=[conversation.pk]), {"content": "hi"}).status_code == 404
    assert outsider.post(reverse("message_delete", args=[message.pk])).status_code == 404
    assert outsider.get(reverse("message_report", args=[message.pk])).status_code == 404
    assert outsider.get(reverse("message_attachment", args=[message.pk, 0])).status_code == 404
    assert Message.objects.count() == 1
    assert Client().get(reverse("inbox")).status_code == 302  # to the sign-in page


def test_delete_own_and_report_the_other_sides_message(guest, host, listing):
    conversation, mine, _ = services.start_conversation(sender=guest, listing=listing, message="Wrong plate")
    theirs = services.post_message(conversation=conversation, sender=host, content="Pay cash at the gate")
    driver = _browser(guest)
    deleted = driver.post(reverse("message_delete", args=[mine.pk]), **HTMX)
    assert deleted.status_code == 200 and "Message deleted" in deleted.content.decode()
    assert Message.objects.get(pk=mine.pk).is_deleted
    form = driver.post(reverse("message_report", args=[theirs.pk]), {"reason": ""})
    assert form.status_code == 200 and 'class="error"' in form.content.decode()
    reported = driver.post(reverse("message_report", args=[theirs.pk]), {"reason": "Asks for cash"})
    assert reported.status_code == 302
    assert Message.objects.get(pk=theirs.pk).is_flagged


def test_the_thread_page_takes_a_bounded_number_of_queries(guest, host, listing, django_assert_max_num_queries):
    conversation, _, _ = services.start_conversation(sender=guest, listing=listing, message="One")
    for index in range(30):
        services.post_message(conversation=conversation, sender=host if index % 2 else guest, content=f"m{index}")
    browser = _browser(guest)
    with django_assert_max_num_queries(20):
        assert browser.get(reverse("conversation", args=[conversation.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert browser.get(reverse("inbox")).status_code == 200
