"""Refusals of the booking domain, each with a stable code (see `apps.core.errors`)."""

from apps.core.errors import Conflict, InvalidInput


class WindowUnavailable(Conflict):
    """The window is closed, taken or capped: 409 with the reason's code."""

    default_code = "unavailable"


class WindowInPast(InvalidInput):
    default_code = "in_past"


class IllegalTransition(Conflict):
    default_code = "illegal_transition"
