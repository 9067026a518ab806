"""Factories for bookings.

A booking made here is priced by the pricing module for its listing and window, so its money satisfies the
database's checks (total = subtotal + service fee, host payout = subtotal - host fee). It is written directly,
without the booking service: no availability check, no payment, no audit row. Use the service to test those.
"""

from datetime import datetime, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.bookings import pricing
from apps.bookings.models import Booking
from apps.listings.tests.factories import ListingFactory
from apps.users.tests.factories import UserFactory

Status = Booking.Status
PaymentStatus = Booking.PaymentStatus


def next_hour() -> datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def first_active_space(listing):
    if listing.pk is None:  # built, not saved: it has no spaces yet
        return None
    return listing.spaces.filter(is_active=True).order_by("id").first()


class BookingFactory(DjangoModelFactory):
    """A confirmed, paid booking of the listing's first space for `hours` hours (2 by default).

    Each booking made without a `start_datetime` starts three hours after the previous one, so bookings of one
    listing made in a row do not overlap.
    """

    class Meta:
        model = Booking

    class Params:
        hours = 2
        quote = factory.LazyAttribute(
            lambda o: pricing.quote(
                rates=pricing.Rates.of(o.listing),
                start=o.start_datetime,
                end=o.end_datetime,
                currency=o.listing.currency,
            )
        )
        pending = factory.Trait(status=Status.PENDING, payment_status=PaymentStatus.AUTHORIZED)
        in_progress = factory.Trait(status=Status.IN_PROGRESS, checked_in_at=factory.SelfAttribute("start_datetime"))
        # In the past, checked in and out: what a review or a payout needs.
        completed = factory.Trait(
            status=Status.COMPLETED,
            start_datetime=factory.LazyFunction(lambda: next_hour() - timedelta(days=3)),
            checked_in_at=factory.SelfAttribute("start_datetime"),
            checked_out_at=factory.SelfAttribute("end_datetime"),
        )
        cancelled = factory.Trait(
            status=Status.CANCELLED,
            payment_status=PaymentStatus.REFUNDED,
            cancelled_at=factory.LazyFunction(timezone.now),
            cancelled_by=factory.SelfAttribute("guest"),
            refund_amount=factory.SelfAttribute("total_amount"),
            cancellation_reason="Plans changed",
        )

    guest = factory.SubFactory(UserFactory)
    listing = factory.SubFactory(ListingFactory)
    space = factory.LazyAttribute(lambda o: first_active_space(o.listing))

    start_datetime = factory.Sequence(lambda n: next_hour() + timedelta(days=1, hours=3 * n))
    end_datetime = factory.LazyAttribute(lambda o: o.start_datetime + timedelta(hours=o.hours))
    duration_hours = factory.LazyAttribute(lambda o: o.quote.duration_hours)

    vehicle_make = "Toyota"
    vehicle_model = "Corolla"
    vehicle_color = "Blue"
    vehicle_license_plate = factory.Sequence(lambda n: f"PNC{n:04d}")
    vehicle_state = "TX"

    currency = factory.SelfAttribute("listing.currency")
    price_per_hour = factory.SelfAttribute("listing.price_per_hour")
    price_per_day = factory.SelfAttribute("listing.price_per_day")
    subtotal = factory.LazyAttribute(lambda o: o.quote.subtotal)
    service_fee = factory.LazyAttribute(lambda o: o.quote.service_fee)
    host_fee = factory.LazyAttribute(lambda o: o.quote.host_fee)
    # The identities the database checks, kept even when a test overrides the subtotal or a fee.
    total_amount = factory.LazyAttribute(lambda o: o.subtotal + o.service_fee)
    host_payout = factory.LazyAttribute(lambda o: o.subtotal - o.host_fee)
    price_breakdown = factory.LazyAttribute(lambda o: [line.as_dict() for line in o.quote.breakdown])
    cancellation_policy = factory.SelfAttribute("listing.cancellation_policy")

    status = Status.CONFIRMED
    payment_status = PaymentStatus.SUCCEEDED
    payment_intent_id = factory.Sequence(lambda n: f"pi_test_{n:06d}")
