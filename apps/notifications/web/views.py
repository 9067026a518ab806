"""The in-app notifications page: the newest first, unread ones marked; opening one marks it read and goes to what
it is about (the booking, the conversation, the listing)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.notifications import selectors, services

PAGE_SIZE = 25

# Where a notification about an object of each kind leads (model label -> URL name and how to get its argument).
TARGETS = {
    "bookings.booking": ("booking_detail", lambda data, object_id: data.get("booking_code")),
    "messaging.conversation": ("conversation", lambda data, object_id: object_id),
    "listings.listing": ("listing_detail", lambda data, object_id: object_id),
}


def link_for(notification) -> str | None:
    if notification.content_type_id is None:
        return None
    label = f"{notification.content_type.app_label}.{notification.content_type.model}"
    target = TARGETS.get(label)
    if target is None:
        return None
    name, argument = target
    value = argument(notification.data or {}, notification.object_id)
    if value is None:
        return None
    try:
        return reverse(name, args=[value])
    except NoReverseMatch:
        return None


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    queryset = selectors.notifications_of(request.user, unread_only=unread_only).select_related("content_type")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page:
        notification.link = link_for(notification)
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def open_notification(request, pk: int):
    notification = services.mark_read(notification=selectors.notification_of(request.user, pk))
    if request.htmx:
        return render(request, "notifications/_item.html", {"notification": notification})
    link = link_for(notification)
    next_url = request.POST.get("next", "")
    if not link and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        link = next_url
    return redirect(link or "notifications")
