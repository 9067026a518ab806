"""What the booking state machine needs from the money side, and nothing more.

`payments` sits above `bookings` (it records the ledger of bookings), so bookings cannot import it. Instead
bookings names the operations it needs here and `payments` registers the implementation when Django starts
(`PaymentsConfig.ready`). Every method runs inside the caller's transaction and writes the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from apps.bookings.models import Booking


class BookingPayments(Protocol):
    def authorize(self, *, booking: Booking, payment_method: str, idempotency_key: str) -> None:
        """Hold `booking.total_amount` on the guest's card (a saved method id or a provider token), for a booking
        not saved yet: sets its `payment_intent_id` and `payment_status`, so that its one INSERT carries them, and
        writes nothing (`record_payment` does, once the booking is saved). Raises `apps.core.errors.PaymentRequired`
        when declined, `NotFound`/`InvalidInput` for a payment method the guest cannot use."""

    def charge(self, *, booking: Booking, payment_method: str, idempotency_key: str) -> None:
        """Authorise and capture `booking.total_amount` at once, for a booking confirmed as it is made. Sets and
        raises as `authorize` does."""

    def record_payment(self, *, booking: Booking, idempotency_key: str) -> None:
        """The ledger entry (and audit row) of what `authorize` or `charge` set on `booking`, now saved."""

    def record_declined(
        self, *, guest, listing_id: int, start: datetime, end: datetime, amount: Decimal, reason: str, code: str
    ) -> None:
        """Write the failed ledger entry that explains a declined booking attempt."""

    def capture(self, *, booking: Booking) -> None: ...

    def release(self, *, booking: Booking) -> None: ...

    def refund(self, *, booking: Booking, amount: Decimal) -> None: ...


@dataclass(frozen=True)
class PaymentChoice:
    """A way to pay offered when booking; `value` is what `create_booking(payment_method=...)` accepts."""

    value: str
    label: str
    is_default: bool = False


@dataclass(frozen=True)
class CheckoutChoices:
    saved_cards: list[PaymentChoice]
    # The offline sandbox's test cards. A real provider offers none: a new card needs its own card form
    # (Stripe.js), which the server-rendered pages do not load.
    test_cards: list[PaymentChoice]


class Checkout(Protocol):
    def choices_for(self, *, guest) -> CheckoutChoices:
        """The guest's saved cards (the default first) and the test cards the configured gateway accepts."""


_implementation: BookingPayments | None = None
_checkout: Checkout | None = None


def register(implementation: BookingPayments) -> None:
    global _implementation
    _implementation = implementation


def register_checkout(implementation: Checkout) -> None:
    global _checkout
    _checkout = implementation


def checkout() -> Checkout:
    if _checkout is None:
        raise RuntimeError("No checkout implementation registered; is apps.payments installed?")
    return _checkout


def payments() -> BookingPayments:
    if _implementation is None:
        raise RuntimeError("No payments implementation registered; is apps.payments installed?")
    return _implementation
