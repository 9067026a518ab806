"""Message moderation: unflag and soft-delete from the admin, one audit row each, the inbox preview kept right."""

import pytest

from apps.core.errors import PermissionDenied
from apps.listings.tests.test_admin import admin_url, moderation_rows, new_listing, new_user, queries_of
from apps.messaging import services
from apps.messaging.models import Conversation, Message, MessageRead

pytestmark = pytest.mark.django_db


def new_conversation(*contents: str) -> tuple[Conversation, list[Message]]:
    """A conversation between a seeker and a host, with one message per content (the seeker writes first)."""
    listing = new_listing()
    seeker = new_user()
    conversation = Conversation.objects.create(listing=listing)
    conversation.participants.add(seeker, listing.host)
    senders = [seeker, listing.host]
    messages = [
        Message.objects.create(conversation=conversation, sender=senders[index % 2], content=content)
        for index, content in enumerate(contents)
    ]
    last = messages[-1]
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message=last.content, last_message_at=last.created_at, last_message_by=last.sender
    )
    conversation.refresh_from_db()
    return conversation, messages


def test_conversation_message_and_read_pages_open(admin_client):
    conversation, [message] = new_conversation("Is it covered?")
    read = MessageRead.objects.create(message=message, user=conversation.listing.host)

    for obj in (conversation, message, read):
        model = type(obj)
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200, model
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
        assert admin_client.get(admin_url(model, "add")).status_code == 403, model
    page = admin_client.get(admin_url(Conversation, "change", conversation.pk)).content.decode()
    assert "Is it covered?" in page  # the messages inline


def test_unflagging_dismisses_the_report_with_one_moderation_row(admin_client, admin_user):
    _, [message] = new_conversation("Pay me outside the site")
    Message.objects.filter(pk=message.pk).update(is_flagged=True, flagged_reason="Off-platform payment")
    action = {"action": "unflag_messages", "_selected_action": [message.pk]}

    response = admin_client.post(admin_url(Message, "changelist"), action, follow=True)
    admin_client.post(admin_url(Message, "changelist"), action)

    message.refresh_from_db()
    assert (message.is_flagged, message.flagged_reason) == (False, "")
    [row] = moderation_rows(message)
    assert row.user == admin_user
    assert row.old_values == {"is_flagged": True, "flagged_reason": "Off-platform payment"}
    assert "Unflagged: 1." in [str(m) for m in response.context["messages"]]


def test_removing_soft_deletes_with_one_moderation_row_and_moves_the_preview(admin_client, admin_user):
    conversation, [first, abusive] = new_conversation("Hello", "You idiot")
    action = {"action": "remove_messages", "_selected_action": [abusive.pk], "reason": "Abuse"}

    admin_client.post(admin_url(Message, "changelist"), action)
    admin_client.post(admin_url(Message, "changelist"), action)

    abusive.refresh_from_db()
    assert abusive.is_deleted is True
    assert abusive.deleted_at is not None
    [row] = moderation_rows(abusive)
    assert (row.user, row.additional_data) == (admin_user, {"reason": "Abuse"})
    conversation.refresh_from_db()
    assert (conversation.last_message, conversation.last_message_by) == ("Hello", first.sender)


def test_removing_needs_a_reason(admin_client):
    _, [message] = new_conversation("Hi")

    admin_client.post(admin_url(Message, "changelist"), {"action": "remove_messages", "_selected_action": [message.pk]})

    message.refresh_from_db()
    assert message.is_deleted is False


def test_removing_the_only_message_empties_the_preview(admin_user):
    conversation, [message] = new_conversation("Hi")

    services.remove_message(message=message, moderator=admin_user, reason="Spam")

    conversation.refresh_from_db()
    assert (conversation.last_message, conversation.last_message_at, conversation.last_message_by) == ("", None, None)


def test_only_staff_moderate_messages():
    _, [message] = new_conversation("Hi")

    with pytest.raises(PermissionDenied):
        services.remove_message(message=message, moderator=new_user(), reason="No")


def test_the_flagged_filter_is_the_moderation_queue(admin_client, admin_user):
    _, [_, waiting, removed, dismissed] = new_conversation("Hi", "Buy my crypto", "Call me", "Rude words")
    Message.objects.filter(pk__in=[waiting.pk, removed.pk, dismissed.pk]).update(is_flagged=True)
    services.remove_message(message=removed, moderator=admin_user, reason="Contact details")
    services.unflag_message(message=dismissed, moderator=admin_user)
    url = admin_url(Message, "changelist")

    def listed(value: str) -> set[Message]:
        return set(admin_client.get(url, {"flagged": value}).context["cl"].result_list)

    assert listed("waiting") == {waiting}
    assert listed("removed") == {removed}
    assert listed("any") == {waiting, removed}
    assert waiting not in listed("no") and dismissed in listed("no")


def test_a_message_change_page_shows_its_audit_trail(admin_client, admin_user):
    _, [message] = new_conversation("Hi")
    services.remove_message(message=message, moderator=admin_user, reason="Spam")

    page = admin_client.get(admin_url(Message, "change", message.pk)).content.decode()

    assert "Message removed. Spam" in page
    assert admin_user.email in page


def test_the_message_and_conversation_lists_cost_the_same_for_one_row_or_many(
    admin_client, django_assert_max_num_queries
):
    new_conversation("Hi")
    urls = [admin_url(Message, "changelist"), admin_url(Conversation, "changelist")]
    one_row = [queries_of(admin_client, url) for url in urls]
    for _ in range(5):
        new_conversation("Hello", "Hi back")

    for url, expected in zip(urls, one_row, strict=True):
        with django_assert_max_num_queries(expected):
            assert admin_client.get(url).status_code == 200
