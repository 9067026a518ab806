"""Refusals of the booking domain, each with a stable code (see `apps.core.errors`)."""

from apps.core.errors import Conflict, InvalidInput


class WindowUnavailable(Conflict):
    default_code = "unavailable"


class WindowInPast(InvalidInput):
    default_code = "in_past"
