"""Money is `Decimal` with two places, rounded half-up once per line."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(amount: Decimal | int | str) -> Decimal:
    """Round an amount to cents, half-up (the rounding customers expect on a receipt)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "EUR": "€", "GBP": "£"}


def format_money(amount: Decimal | int | str, currency: str = "USD") -> str:
    """An amount as people read it in a message: `$1,234.50`, or `1,234.50 CHF` for a currency without a symbol."""
    text = f"{to_money(amount):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"
