"""The database itself refuses a second default card, a booking paid out twice, a webhook processed twice and
ledger rows that cannot be right."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.core.tests.factories import rejected_by
from apps.payments.models import PaymentMethod, Payout, Transaction
from apps.payments.tests.factories import (
    PaymentMethodFactory,
    PayoutFactory,
    PayoutItemFactory,
    TransactionFactory,
    WebhookEventFactory,
)
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- Saved cards --------------------------------------------------------------------------------------------------


def test_two_default_payment_methods_for_one_user_are_rejected():
    user = UserFactory()
    PaymentMethodFactory(user=user, is_default=True)
    with rejected_by("payment_methods_one_default_per_user"):
        PaymentMethodFactory(user=user, is_default=True)


def test_making_a_second_card_default_without_unsetting_the_first_is_rejected():
    user = UserFactory()
    PaymentMethodFactory(user=user, is_default=True)
    other = PaymentMethodFactory(user=user)
    with rejected_by("payment_methods_one_default_per_user"):
        PaymentMethod.objects.filter(pk=other.pk).update(is_default=True)


def test_one_default_and_several_other_cards_for_one_user_are_accepted():
    user = UserFactory()
    PaymentMethodFactory(user=user, is_default=True)
    PaymentMethodFactory(user=user)
    PaymentMethodFactory(user=user)
    assert user.payment_methods.count() == 3


def test_each_user_may_have_a_default_card():
    PaymentMethodFactory(is_default=True)
    PaymentMethodFactory(is_default=True)


def test_a_provider_card_saved_twice_is_rejected():
    card = PaymentMethodFactory()
    with rejected_by("payment_methods_stripe_payment_method_id_key"):
        PaymentMethodFactory(stripe_payment_method_id=card.stripe_payment_method_id)


@pytest.mark.parametrize("month", [0, 13])
def test_an_expiry_month_outside_1_to_12_is_rejected(month):
    with rejected_by("payment_methods_exp_month_range"):
        PaymentMethodFactory(exp_month=month)


@pytest.mark.parametrize("last4", ["424", "42a2", "abcd", ""])
def test_last4_other_than_four_digits_is_rejected(last4):
    with rejected_by("payment_methods_last4_digits"):
        PaymentMethodFactory(last4=last4)


# --- Ledger -------------------------------------------------------------------------------------------------------


def test_a_negative_ledger_amount_is_rejected():
    entry = TransactionFactory()
    with rejected_by("transactions_amount_not_negative"):
        Transaction.objects.filter(pk=entry.pk).update(amount=Decimal("-0.01"))


def test_one_provider_operation_recorded_twice_is_rejected():
    entry = TransactionFactory(idempotency_key="capture:pi_123")
    with rejected_by("transactions_one_entry_per_operation"):
        TransactionFactory(booking=entry.booking, idempotency_key="capture:pi_123")


def test_the_same_key_for_different_kinds_of_operation_is_accepted():
    entry = TransactionFactory(idempotency_key="booking-42")
    TransactionFactory(booking=entry.booking, refund=True, idempotency_key="booking-42")


def test_entries_without_an_idempotency_key_are_accepted():
    entry = TransactionFactory(idempotency_key="")
    TransactionFactory(booking=entry.booking, idempotency_key="")


# --- Payouts ------------------------------------------------------------------------------------------------------


def test_a_booking_in_two_payouts_is_rejected():
    item = PayoutItemFactory()
    second = PayoutFactory(host=item.payout.host)
    with rejected_by("payout_bookings_booking_id_key"):
        PayoutItemFactory(payout=second, booking=item.booking)


def test_a_booking_twice_in_one_payout_is_rejected():
    item = PayoutItemFactory()
    with rejected_by("payout_bookings_booking_id_key"):
        PayoutItemFactory(payout=item.payout, booking=item.booking)


def test_a_negative_payout_is_rejected():
    payout = PayoutFactory()
    with rejected_by("payouts_amount_not_negative"):
        Payout.objects.filter(pk=payout.pk).update(amount=Decimal("-1.00"))


def test_a_payout_period_ending_before_it_starts_is_rejected():
    payout = PayoutFactory()
    with rejected_by("payouts_period_order"):
        Payout.objects.filter(pk=payout.pk).update(period_end=payout.period_start - timedelta(days=1))


def test_a_negative_attempt_count_is_rejected():
    payout = PayoutFactory()
    with rejected_by("payouts_attempts_check"):
        Payout.objects.filter(pk=payout.pk).update(attempts=-1)


# --- Webhook events -----------------------------------------------------------------------------------------------


def test_a_duplicate_webhook_event_id_is_rejected():
    event = WebhookEventFactory(event_id="evt_1")
    with rejected_by("payment_webhook_events_once"):
        WebhookEventFactory(provider=event.provider, event_id="evt_1")


def test_the_same_event_id_from_another_provider_is_accepted():
    WebhookEventFactory(provider="stripe", event_id="evt_1")
    WebhookEventFactory(provider="other", event_id="evt_1")
