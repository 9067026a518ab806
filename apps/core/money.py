"""Money is `Decimal` with two places, rounded half-up once per line."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(amount: Decimal | int | str) -> Decimal:
    """Round an amount to cents, half-up (the rounding customers expect on a receipt)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
