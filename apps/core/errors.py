"""Domain errors: what a service raises when the business says no. One API handler maps them to HTTP."""


class DomainError(Exception):
    """Base of every business-rule refusal. `code` is stable for clients; `attr` names the offending field."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, attr: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.attr = attr


class InvalidInput(DomainError):
    status_code = 400
    default_code = "invalid"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"


class Conflict(DomainError):
    """The request is fine but the current state forbids it (slot taken, illegal transition, duplicate)."""

    status_code = 409
    default_code = "conflict"


class PaymentRequired(DomainError):
    status_code = 402
    default_code = "payment_declined"
