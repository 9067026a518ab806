"""Parsing query parameters into typed values, with a 400 naming the parameter when they are malformed."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime

from apps.core.errors import InvalidInput


def parse_aware_datetime(value: str | None, *, attr: str, required: bool = True) -> datetime | None:
    """ISO 8601 with an offset (`2026-12-01T09:00:00-05:00` or `...Z`) → an aware datetime in UTC."""
    if value in (None, ""):
        if required:
            raise InvalidInput("This parameter is required.", code="required", attr=attr)
        return None
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput("Use an ISO 8601 date and time, e.g. 2026-12-01T09:00:00-05:00.", attr=attr)
    if moment.tzinfo is None:
        raise InvalidInput("Include a UTC offset (e.g. -05:00 or Z).", code="naive_datetime", attr=attr)
    return moment.astimezone(UTC)


def parse_window(params, *, required: bool = True) -> tuple[datetime | None, datetime | None]:
    start = parse_aware_datetime(params.get("start"), attr="start", required=required)
    end = parse_aware_datetime(params.get("end"), attr="end", required=required or start is not None)
    if start is None and end is not None:
        raise InvalidInput("Give a start with the end.", code="required", attr="start")
    if start is not None and end <= start:
        raise InvalidInput("The end must be after the start.", code="invalid_window", attr="end")
    return start, end


def parse_decimal(value: str | None, *, attr: str, minimum: Decimal | None = None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError) as error:
        raise InvalidInput("Expected a number.", attr=attr) from error
    if not number.is_finite() or (minimum is not None and number < minimum):
        raise InvalidInput(f"Expected a number of at least {minimum}.", attr=attr)
    return number


def parse_int(value: str | None, *, attr: str, minimum: int, maximum: int, default: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise InvalidInput("Expected a whole number.", attr=attr) from error
    if not minimum <= number <= maximum:
        raise InvalidInput(f"Expected a whole number from {minimum} to {maximum}.", attr=attr)
    return number


def parse_bool(value: str | None, *, attr: str) -> bool | None:
    if value in (None, ""):
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidInput("Expected true or false.", attr=attr)


def parse_choices(values: list[str], *, attr: str, allowed) -> list[str]:
    chosen = [value.strip() for raw in values for value in raw.split(",") if value.strip()]
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise InvalidInput(f"Unknown value(s): {', '.join(unknown)}. Allowed: {', '.join(allowed)}.", attr=attr)
    return chosen
