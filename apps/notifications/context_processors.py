"""Unread counts for the navigation bar of every page (two small counting queries, only for signed-in people and
only when a template shows them)."""

from django.utils.functional import SimpleLazyObject

from apps.messaging.selectors import unread_total
from apps.notifications.selectors import unread_count


def unread_badges(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_messages": SimpleLazyObject(lambda: unread_total(user)),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
    }
