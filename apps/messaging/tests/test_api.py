"""Conversations and messages through the API: who may write to whom, read receipts and unread counts, contact
details hidden before a booking, attachments, deleting and reporting, and refusals that write nothing."""

import io
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from apps.bookings.tests.conftest import client_for
from apps.bookings.tests.factories import BookingFactory
from apps.messaging import services
from apps.messaging.models import Conversation, Message, MessageRead
from apps.messaging.signals import message_posted
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _png(name="photo.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def _open(client, **body):
    return client.post("/api/v1/conversations", body, format="json")


def test_a_driver_asks_a_host_about_a_listing_and_the_host_reads_and_answers(guest, host, listing):
    first = _open(client_for(guest), listing=listing.pk, message="  Is the gate locked at night?  ")
    assert first.status_code == 201, first.content
    conversation = first.json()["conversation"]
    assert {p["id"] for p in conversation["participants"]} == {guest.pk, host.pk}
    assert "email" not in conversation["participants"][0]
    assert first.json()["message"]["content"] == "Is the gate locked at night?"

    # The same question again reuses the thread (200), it does not open a second one.
    again = _open(client_for(guest), listing=listing.pk, recipient=host.pk, message="And is there a roof?")
    assert again.status_code == 200 and again.json()["conversation"]["id"] == conversation["id"]
    assert Conversation.objects.count() == 1

    inbox = client_for(host).get("/api/v1/conversations").json()
    assert inbox["count"] == 1 and inbox["unread_count"] == 2
    assert inbox["results"][0]["unread_count"] == 2
    assert inbox["results"][0]["last_message"] == "And is there a roof?"
    assert inbox["results"][0]["last_message_by"] == guest.pk
    assert client_for(guest).get("/api/v1/conversations").json()["unread_count"] == 0

    read = client_for(host).post(f"/api/v1/conversations/{conversation['id']}/read")
    assert read.status_code == 200 and read.json() == {"read": 2, "unread_count": 0}
    assert client_for(host).post(f"/api/v1/conversations/{conversation['id']}/read").json()["read"] == 0
    messages = client_for(guest).get(f"/api/v1/conversations/{conversation['id']}/messages").json()["results"]
    assert [m["read_by"] for m in messages] == [[host.pk], [host.pk]]
    assert all(m["read_at"] for m in messages)

    answer = client_for(host).post(
        f"/api/v1/conversations/{conversation['id']}/messages", {"content": "Open 24/7, no roof."}, format="json"
    )
    assert answer.status_code == 201 and answer.json()["sender"]["id"] == host.pk
    assert answer.json()["read_by"] == [] and answer.json()["read_at"] is None
    inbox = client_for(guest).get("/api/v1/conversations").json()
    assert inbox["unread_count"] == 1 and inbox["results"][0]["last_message"] == "Open 24/7, no roof."
    newest_first = client_for(guest).get(f"/api/v1/conversations/{conversation['id']}/messages").json()["results"]
    assert [m["content"] for m in newest_first] == ["Open 24/7, no roof.", "And is there a roof?", _first_text()]
    # A polling client asks only for what is newer than what it has.
    polled = (
        client_for(guest)
        .get(f"/api/v1/conversations/{conversation['id']}/messages?after={newest_first[1]['id']}")
        .json()
    )
    assert [m["content"] for m in polled["results"]] == ["Open 24/7, no roof."]
    assert client_for(guest).get(f"/api/v1/conversations/{conversation['id']}/messages?after=x").status_code == 400


def _first_text() -> str:
    return "Is the gate locked at night?"


def test_contact_details_are_hidden_until_a_booking_between_them_is_confirmed(guest, host, listing):
    body = _open(client_for(guest), listing=listing.pk, message="Text me on 512-555-0199 or ann@example.com").json()
    assert body["message"]["content_masked"] is True
    assert "555" not in body["message"]["content"] and "ann@example.com" not in body["message"]["content"]
    assert "555" not in Conversation.objects.get().last_message
    assert "555" not in Message.objects.get().content  # the original is not kept anywhere

    booking = BookingFactory(listing=listing, guest=guest)  # confirmed
    about_booking = _open(client_for(host), booking=str(booking.booking_code), message="Call 512-555-0100 on arrival")
    assert about_booking.status_code == 201
    assert about_booking.json()["message"]["content"] == "Call 512-555-0100 on arrival"
    assert about_booking.json()["message"]["content_masked"] is False
    # The listing thread is unmasked too once the two have a confirmed booking of that listing.
    listing_thread = body["conversation"]["id"]
    reply = client_for(host).post(
        f"/api/v1/conversations/{listing_thread}/messages", {"content": "Mine is 512-555-0111"}, format="json"
    )
    assert reply.json()["content"] == "Mine is 512-555-0111"


def test_a_pending_request_does_not_unlock_contact_details(guest, host, listing):
    booking = BookingFactory(listing=listing, guest=guest, pending=True)
    body = _open(client_for(guest), booking=str(booking.booking_code), message="My number is (512) 555-0142").json()
    assert body["message"]["content_masked"] is True and "0142" not in body["message"]["content"]


@pytest.mark.parametrize(
    ("body", "status", "attr"),
    [
        ({"message": "Hello?"}, 400, "listing"),
        ({"listing": "LISTING", "message": ""}, 400, "message"),
        ({"listing": "LISTING", "message": "   "}, 400, "message"),
        ({"listing": "LISTING", "message": "x" * 4001}, 400, "message"),
        ({"listing": "LISTING", "message": "Hi", "recipient": "STRANGER"}, 400, "recipient"),
        ({"listing": "LISTING", "message": "Hi", "recipient": 999999}, 404, "recipient"),
        ({"listing": 999999, "message": "Hi"}, 404, None),
        ({"booking": "00000000-0000-0000-0000-000000000000", "message": "Hi"}, 404, None),
        ({"listing": "abc", "message": "Hi"}, 400, "listing"),
    ],
)
def test_bad_first_messages_are_refused_and_write_nothing(guest, listing, body, status, attr):
    stranger = UserFactory()
    body = {key: {"LISTING": listing.pk, "STRANGER": stranger.pk}.get(value, value) for key, value in body.items()}
    response = _open(client_for(guest), **body)
    assert response.status_code == status, response.content
    if attr:
        assert response.json()["errors"][0]["attr"] == attr
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_nobody_writes_to_themselves_and_a_host_does_not_cold_message_drivers(host, listing):
    driver = UserFactory()
    response = _open(client_for(host), listing=listing.pk, recipient=driver.pk, message="Need parking?")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "not_a_guest"
    assert _open(client_for(host), listing=listing.pk, recipient=host.pk, message="Me").status_code == 400
    BookingFactory(listing=listing, guest=driver)
    assert _open(client_for(host), listing=listing.pk, recipient=driver.pk, message="Welcome!").status_code == 201


def test_someone_outside_a_conversation_cannot_read_or_post_and_nothing_is_written(guest, listing):
    conversation_id = _open(client_for(guest), listing=listing.pk, message="Hi").json()["conversation"]["id"]
    outsider = client_for(UserFactory())
    url = f"/api/v1/conversations/{conversation_id}/messages"
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"content": "let me in"}, format="json").status_code == 404
    assert outsider.post(f"/api/v1/conversations/{conversation_id}/read").status_code == 404
    assert Message.objects.count() == 1 and not MessageRead.objects.exists()
    assert outsider.get("/api/v1/conversations").json()["count"] == 0


def test_empty_and_oversized_replies_are_refused(guest, listing):
    conversation_id = _open(client_for(guest), listing=listing.pk, message="Hi").json()["conversation"]["id"]
    url = f"/api/v1/conversations/{conversation_id}/messages"
    for content in ("", "  \n ", "y" * 4001):
        response = client_for(guest).post(url, {"content": content}, format="json")
        assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "content"
    assert client_for(guest).post(url, {}, format="json").json()["errors"][0]["attr"] == "content"
    assert Message.objects.count() == 1


def test_attachments_are_checked_like_photos_and_only_participants_can_open_them(guest, host, listing, settings):
    response = client_for(guest).post(
        "/api/v1/conversations",
        {"listing": listing.pk, "message": "This is my car", "attachments": [_png()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    attachment = response.json()["message"]["attachments"][0]
    name = Message.objects.get().attachments[0]
    # Stored outside MEDIA_ROOT, which a web server may publish; reachable only through the checked URL.
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    download = client_for(host).get(attachment["url"])
    assert download.status_code == 200
    assert Image.open(io.BytesIO(b"".join(download.streaming_content))).format == "PNG"
    assert client_for(UserFactory()).get(attachment["url"]).status_code == 404
    message_id = response.json()["message"]["id"]
    assert client_for(host).get(f"/api/v1/messages/{message_id}/attachments/1").status_code == 404

    conversation_id = response.json()["conversation"]["id"]
    not_an_image = io.BytesIO(b"%PDF-1.4 not an image")
    not_an_image.name = "doc.pdf"
    refused = client_for(guest).post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"content": "see file", "attachments": [not_an_image]},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "attachments"
    too_many = client_for(guest).post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"content": "lots", "attachments": [_png(f"{i}.png") for i in range(5)]},
        format="multipart",
    )
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["attr"] == "attachments"
    assert Message.objects.count() == 1


def test_a_sender_deletes_their_own_message_and_the_preview_moves_back(guest, host, listing):
    conversation_id = _open(client_for(guest), listing=listing.pk, message="First").json()["conversation"]["id"]
    second = client_for(guest).post(
        f"/api/v1/conversations/{conversation_id}/messages", {"content": "Oops, wrong plate"}, format="json"
    )
    message_id = second.json()["id"]
    assert client_for(host).delete(f"/api/v1/messages/{message_id}").status_code == 403
    assert client_for(guest).delete(f"/api/v1/messages/{message_id}").status_code == 204
    assert client_for(guest).delete(f"/api/v1/messages/{message_id}").status_code == 404
    contents = [
        m["content"]
        for m in client_for(host).get(f"/api/v1/conversations/{conversation_id}/messages").json()["results"]
    ]
    assert contents == ["First"]
    inbox = client_for(host).get("/api/v1/conversations").json()
    assert inbox["results"][0]["last_message"] == "First" and inbox["unread_count"] == 1
    assert Message.objects.get(pk=message_id).is_deleted  # kept for staff and disputes


def test_a_participant_reports_the_other_sides_message_for_staff(guest, host, listing):
    message_id = _open(client_for(guest), listing=listing.pk, message="Pay me in cash instead").json()["message"]["id"]
    assert (
        client_for(guest).post(f"/api/v1/messages/{message_id}/flag", {"reason": "mine"}, format="json").status_code
        == 400
    )
    assert (
        client_for(host).post(f"/api/v1/messages/{message_id}/flag", {"reason": ""}, format="json").status_code == 400
    )
    assert not Message.objects.get().is_flagged
    response = client_for(host).post(
        f"/api/v1/messages/{message_id}/flag", {"reason": "Off-platform payment"}, format="json"
    )
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.is_flagged and message.flagged_reason == "Off-platform payment"
    assert (
        client_for(UserFactory())
        .post(f"/api/v1/messages/{message_id}/flag", {"reason": "x"}, format="json")
        .status_code
        == 404
    )


def test_the_message_posted_signal_fires_once_after_commit(guest, host, listing, django_capture_on_commit_callbacks):
    received = []

    def record(sender, message, recipients, **kwargs):
        received.append((message.content, [r.pk for r in recipients]))

    message_posted.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _open(client_for(guest), listing=listing.pk, message="Hello")
        assert received == [("Hello", [host.pk])]
    finally:
        message_posted.disconnect(record)


def test_the_inbox_and_a_thread_take_the_same_number_of_queries_at_any_page_size(guest, listing, make_listing):
    for index in range(6):
        other = make_listing(title=f"Spot {index}") if index else listing
        conversation, _, _ = services.start_conversation(sender=guest, listing=other, message=f"Question {index}")
        services.post_message(conversation=conversation, sender=other.host, content="Answer")
    client = client_for(guest)
    counts = []
    for size in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/conversations?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    thread = Conversation.objects.filter(listing=listing).get().pk
    for index in range(5):
        services.post_message(conversation=Conversation.objects.get(pk=thread), sender=guest, content=f"More {index}")
    counts = []
    for size in (1, 7):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/conversations/{thread}/messages?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_two_first_messages_sent_at_once_open_one_conversation(guest, listing):
    barrier = threading.Barrier(2)
    errors = []

    def send(text):
        try:
            barrier.wait()
            services.start_conversation(sender=guest, listing=listing, message=text)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(f"Hi {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Conversation.objects.count() == 1 and Message.objects.count() == 2
