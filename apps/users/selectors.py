"""Reads of the account domain."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

User = get_user_model()


def public_users() -> QuerySet:
    """Users whose public profile anyone may see: not deleted, not suspended."""
    return User.objects.filter(is_deleted=False, is_active=True)
