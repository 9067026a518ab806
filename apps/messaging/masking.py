"""Hiding contact details in messages sent before a booking is confirmed.

Marketplaces do this so that a host and a driver who found each other here settle the booking here (where the
driver is insured by the cancellation policy and the host is paid reliably), not by phone. Once a booking between
the two is confirmed they may share whatever they like.
"""

import re

import phonenumbers

HIDDEN = "[hidden until a booking is confirmed]"

# Plain and lightly disguised addresses: "ann@example.com", "ann (at) example (dot) com", "ann at example dot com".
_AT = r"(?:@|\s*[\(\[\{]\s*at\s*[\)\]\}]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[\(\[\{]\s*dot\s*[\)\]\}]\s*|\s+dot\s+)"
EMAIL = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
# Any run of ten or more digits with the usual separators between them: a phone number written in a way the
# phone-number parser does not recognise ("5 5 5 1 2 3 4 5 6 7", "555.123.4567 ext").
DIGIT_RUN = re.compile(r"\+?\d(?:[\s().-]{0,3}\d){9,}")


def mask_contact_details(text: str, *, region: str = "US") -> tuple[str, bool]:
    """Return `text` with phone numbers and email addresses replaced, and whether anything was replaced."""
    masked = EMAIL.sub(HIDDEN, text)
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(masked, region, phonenumbers.Leniency.POSSIBLE)]
    for start, end in reversed(spans):
        masked = masked[:start] + HIDDEN + masked[end:]
    masked = DIGIT_RUN.sub(HIDDEN, masked)
    return masked, masked != text
