"""Phone numbers: parsed with Google's libphonenumber and stored in E.164."""

import phonenumbers
from django.conf import settings

from apps.core.errors import InvalidInput


def normalize_phone_number(raw: str, *, attr: str = "phone_number") -> str:
    """`(512) 555-0134` → `+15125550134`; an empty string stays empty; anything unparseable is a 400."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise InvalidInput("Enter a valid phone number.", code="invalid_phone_number", attr=attr) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("Enter a valid phone number.", code="invalid_phone_number", attr=attr)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
