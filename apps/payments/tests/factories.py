"""Factories for saved cards, ledger entries, payouts and provider webhook events."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.bookings.tests.factories import BookingFactory
from apps.payments.models import PaymentMethod, Payout, PayoutItem, Transaction, WebhookEvent
from apps.users.tests.factories import HostFactory, UserFactory

TransactionType = Transaction.TransactionType


class PaymentMethodFactory(DjangoModelFactory):
    """A saved Visa card, not the default (`is_default=True` for the one default card of a user)."""

    class Meta:
        model = PaymentMethod

    class Params:
        default = factory.Trait(is_default=True)

    user = factory.SubFactory(UserFactory)
    stripe_payment_method_id = factory.Sequence(lambda n: f"pm_test_{n:06d}")
    brand = "visa"
    last4 = "4242"
    exp_month = 12
    exp_year = factory.LazyFunction(lambda: timezone.now().year + 3)
    is_default = False


class TransactionFactory(DjangoModelFactory):
    """The completed capture of a booking's total, by its guest."""

    class Meta:
        model = Transaction

    class Params:
        refund = factory.Trait(
            transaction_type=TransactionType.REFUND,
            description="Refund",
            stripe_refund_id=factory.Sequence(lambda n: f"re_test_{n:06d}"),
        )

    booking = factory.SubFactory(BookingFactory)
    user = factory.Maybe("booking", factory.SelfAttribute("booking.guest"), factory.SubFactory(UserFactory))
    transaction_type = TransactionType.BOOKING_PAYMENT
    amount = factory.Maybe("booking", factory.SelfAttribute("booking.total_amount"), Decimal("10.00"))
    currency = "USD"
    stripe_payment_intent_id = factory.Maybe("booking", factory.SelfAttribute("booking.payment_intent_id"), "")
    idempotency_key = factory.Sequence(lambda n: f"operation-{n:06d}")
    status = Transaction.Status.COMPLETED
    description = "Booking payment"
    completed_at = factory.LazyFunction(timezone.now)


class PayoutFactory(DjangoModelFactory):
    """A pending payout to a host for the last week, with no bookings yet (see `PayoutItemFactory`)."""

    class Meta:
        model = Payout

    host = factory.SubFactory(HostFactory)
    amount = Decimal("0.00")
    currency = "USD"
    period_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    period_end = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    status = Payout.Status.PENDING


class PayoutItemFactory(DjangoModelFactory):
    """A completed booking of one of the payout host's listings, paid out for its host payout."""

    class Meta:
        model = PayoutItem

    payout = factory.SubFactory(PayoutFactory)
    booking = factory.SubFactory(BookingFactory, completed=True, listing__host=factory.SelfAttribute("...payout.host"))
    amount = factory.SelfAttribute("booking.host_payout")


class WebhookEventFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    provider = "stripe"
    event_id = factory.Sequence(lambda n: f"evt_test_{n:06d}")
    event_type = "payment_intent.succeeded"
    payload = factory.LazyAttribute(lambda o: {"id": o.event_id, "type": o.event_type, "data": {"object": {}}})
    processed_at = None
