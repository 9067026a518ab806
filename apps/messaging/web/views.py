"""The inbox and a conversation's thread in the browser, on the same services and selectors as the API. New
messages appear without a page reload: the page polls a small fragment (htmx) that also marks them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.bookings.selectors import booking_for_party
from apps.core.errors import DomainError
from apps.core.web.forms import add_domain_error
from apps.listings.selectors import visible_listing
from apps.messaging import selectors, services
from apps.messaging.web.forms import FirstMessageForm, MessageForm, ReportForm

THREAD_LENGTH = 100  # the newest messages shown on the page


def _thread_messages(conversation, *, after: int | None = None) -> list:
    return list(reversed(selectors.messages_of(conversation, after=after)[:THREAD_LENGTH]))


@login_required
def inbox(request):
    conversations = list(selectors.conversations_of(request.user)[:100])
    for conversation in conversations:
        conversation.other = next((p for p in conversation.participants.all() if p.pk != request.user.pk), None)
    template = "messaging/_conversation_list.html" if request.htmx else "messaging/inbox.html"
    return render(request, template, {"conversations": conversations})


@login_required
def thread(request, pk: int):
    conversation = selectors.conversation_for(request.user, pk)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.post_message(
                    conversation=conversation,
                    sender=request.user,
                    content=form.cleaned_data["content"],
                    attachments=form.cleaned_data["attachments"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if not request.htmx:
                    return redirect("conversation", pk=conversation.pk)
                # An empty form comes back; the thread's poller fetches the new message at once.
                response = render(
                    request, "messaging/_form.html", {"form": MessageForm(), "conversation": conversation}
                )
                response["HX-Trigger"] = "messageSent"
                return response
        if request.htmx:
            context = {"form": form, "conversation": conversation}
            return render(request, "messaging/_form.html", context, status=422)
    services.mark_conversation_read(conversation=conversation, reader=request.user)
    items = _thread_messages(conversation)
    context = {
        "conversation": conversation,
        "messages_": items,
        "last_id": items[-1].pk if items else 0,
        "form": form,
        "other": next((p for p in conversation.participants.all() if p.pk != request.user.pk), None),
    }
    return render(request, "messaging/thread.html", context, status=400 if form.errors else 200)


@login_required
def new_messages(request, pk: int):
    """What a polling thread has not shown yet (after `?after=`), marked read as it is shown."""
    conversation = selectors.conversation_for(request.user, pk)
    try:
        after = max(int(request.GET.get("after", "0")), 0)
    except ValueError:
        after = 0
    items = _thread_messages(conversation, after=after)
    if items:
        services.mark_conversation_read(conversation=conversation, reader=request.user)
    context = {"conversation": conversation, "messages_": items, "last_id": items[-1].pk if items else after}
    return render(request, "messaging/_poll.html", context)


@login_required
def start(request):
    """Write to a listing's host (`?listing=`) or to the other side of a booking (`?booking=`)."""
    booking = listing = None
    try:
        if request.GET.get("booking"):
            booking = booking_for_party(request.GET["booking"], request.user)
        elif request.GET.get("listing", "").isdigit():
            listing = visible_listing(int(request.GET["listing"]), request.user)
    except ValidationError:  # not a booking code at all
        raise Http404("No such booking.") from None
    if booking is None and listing is None:
        raise Http404("Choose a listing or a booking to write about.")
    form = FirstMessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation, _, _ = services.start_conversation(
                sender=request.user,
                listing=listing,
                booking=booking,
                message=form.cleaned_data["content"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            if error.attr in ("message", "listing", "recipient"):
                error.attr = "content" if error.attr == "message" else None
            add_domain_error(form, error)
        else:
            return redirect("conversation", pk=conversation.pk)
    subject = booking.listing if booking else listing
    return render(request, "messaging/new.html", {"form": form, "listing": subject, "booking": booking})


@login_required
@require_POST
def delete_message(request, pk: int):
    message = selectors.message_for(request.user, pk)
    try:
        services.delete_own_message(message=message, actor=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    if request.htmx:
        return render(request, "messaging/_deleted.html")
    return redirect("conversation", pk=message.conversation_id)


@login_required
def report_message(request, pk: int):
    message = selectors.message_for(request.user, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_message(message=message, reporter=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Thank you. Our team will look at this message.")
            return redirect("conversation", pk=message.conversation_id)
    return render(request, "messaging/report.html", {"form": form, "message_": message})


@login_required
def attachment(request, pk: int, index: int):
    file, filename = selectors.open_attachment(selectors.message_for(request.user, pk), index)
    response = FileResponse(file, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response
