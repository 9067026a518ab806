"""The vehicle a booking is for: checked so the host can recognise it at the gate."""

import re
from dataclasses import dataclass

from apps.core.errors import InvalidInput

US_STATES = frozenset(
    (  # noqa: SIM905  (a readable block of codes)
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
        "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP"
    ).split()
)
PLATE = re.compile(r"^[A-Z0-9](?:[A-Z0-9 -]{0,8}[A-Z0-9])?$")


@dataclass(frozen=True)
class Vehicle:
    make: str
    model: str
    color: str
    license_plate: str
    state: str


def clean_vehicle(data: dict | None) -> Vehicle:
    """Trim and upper-case the plate and state; every missing or malformed part is a 400 naming it."""
    if not isinstance(data, dict):
        raise InvalidInput("Describe the vehicle: make, model, color, license_plate, state.", attr="vehicle")
    values = {}
    for field, limit in (("make", 50), ("model", 50), ("color", 30)):
        value = str(data.get(field) or "").strip()
        if not value:
            raise InvalidInput("This field is required.", code="required", attr=f"vehicle.{field}")
        if len(value) > limit:
            raise InvalidInput(f"At most {limit} characters.", attr=f"vehicle.{field}")
        values[field] = value
    plate = re.sub(r"\s+", " ", str(data.get("license_plate") or "").strip().upper())
    if not PLATE.match(plate) or len(plate.replace(" ", "").replace("-", "")) < 2:
        raise InvalidInput(
            "Enter the plate as printed: 2 to 10 letters and digits.", code="invalid", attr="vehicle.license_plate"
        )
    state = str(data.get("state") or "").strip().upper()
    if state not in US_STATES:
        raise InvalidInput("Use the two-letter code of a US state or territory.", attr="vehicle.state")
    return Vehicle(license_plate=plate, state=state, **values)
