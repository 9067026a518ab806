"""The ways to pay a guest is offered when booking (`apps.bookings.payments_port.Checkout`): their saved cards and,
with the offline sandbox, its test cards."""

from django.utils import timezone

from apps.bookings.payments_port import CheckoutChoices, PaymentChoice
from apps.payments.gateways import get_gateway
from apps.payments.gateways.sandbox import CARDS, SandboxGateway
from apps.payments.selectors import payment_methods_of

# The sandbox's test tokens, in the order a person tries them: the ones that pay, then the ones that fail.
SANDBOX_TEST_CARDS = (
    ("pm_card_visa", "visa", "approved"),
    ("pm_card_mastercard", "mastercard", "approved"),
    ("pm_card_amex", "amex", "approved"),
    ("pm_card_chargeDeclined", "chargeDeclined", "declined"),
    ("pm_card_insufficientFunds", "insufficientFunds", "declined: insufficient funds"),
)


def _saved_card_label(method, today) -> str:
    expired = (method.exp_year, method.exp_month) < (today.year, today.month)
    expiry = (
        f"expired {method.exp_month:02d}/{method.exp_year}"
        if expired
        else f"expires {method.exp_month:02d}/{method.exp_year}"
    )
    return f"{method.brand.title()} ending {method.last4} ({expiry})"


class Checkout:
    def choices_for(self, *, guest) -> CheckoutChoices:
        today = timezone.localdate()
        saved = [
            PaymentChoice(value=str(method.pk), label=_saved_card_label(method, today), is_default=method.is_default)
            for method in payment_methods_of(guest)
        ]
        test_cards = []
        if isinstance(get_gateway(), SandboxGateway):
            test_cards = [
                PaymentChoice(
                    value=token,
                    label=f"Test {CARDS[kind].brand.title()} ending {CARDS[kind].last4} ({outcome})",
                )
                for token, kind, outcome in SANDBOX_TEST_CARDS
            ]
        return CheckoutChoices(saved_cards=saved, test_cards=test_cards)
