"""The listing editor's forms, one per step, plus photos, availability rules and date exceptions.

Forms only parse and check the shape of the input; the rules (opening hours in order, geocoding, who may publish,
rule kinds) are the services' and come back next to the field through `add_domain_error`.
"""

from django import forms

from apps.core.web.forms import MultipleImageField
from apps.listings.models import FEATURES, AvailabilityRule, Listing

DAY_CHOICES = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
FEATURE_LABELS = {
    "covered": "Covered",
    "gated": "Gated",
    "security_camera": "Security camera",
    "well_lit": "Well lit",
    "ev_charging": "EV charging",
    "handicap_accessible": "Accessible (ADA)",
    "attendant": "Attendant on site",
    "in_and_out": "In-and-out privileges",
}


def _money(label: str, *, required: bool = False, max_digits: int = 6, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        min_value=0.01,
        max_digits=max_digits,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )


def _feet(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=1,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


def _time(label: str, **kwargs) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), **kwargs)


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class BasicsForm(forms.Form):
    """Step 1: what the space is."""

    title = forms.CharField(max_length=100, help_text="What drivers see first, e.g. “Covered driveway by the stadium”")
    description = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How to find it, what fits, what is nearby.",
    )
    spot_type = forms.ChoiceField(label="Kind of space", choices=Listing.SpotType.choices)


class LocationForm(forms.Form):
    """Step 2: the address, and the pin the host dragged to the exact spot (optional: else the address is geocoded)."""

    address = forms.CharField(
        label="Street address", max_length=255, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    city = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    state = forms.RegexField(
        r"^[A-Za-z]{2}$",
        max_length=2,
        help_text="Two letters, e.g. TX",
        error_messages={"invalid": "Use the two-letter state code, e.g. TX."},
        widget=forms.TextInput(attrs={"autocomplete": "address-level1", "size": 2}),
    )
    zip_code = forms.RegexField(
        r"^\d{5}(-\d{4})?$",
        max_length=10,
        label="ZIP code",
        error_messages={"invalid": "Use a US ZIP code: five digits, e.g. 78701."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    latitude = forms.DecimalField(
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    longitude = forms.DecimalField(
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    def clean_state(self):
        return self.cleaned_data["state"].upper()

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", "Give both latitude and longitude, or neither.")
        return data


class AddressForm(LocationForm):
    """The address alone, to place the pin before saving."""

    latitude = None
    longitude = None


class PricingForm(forms.Form):
    """Step 3: prices, size, features, booking rules, opening hours and access."""

    price_per_hour = _money("Per hour")
    price_per_day = _money("Per day", required=True)
    price_per_week = _money("Per week", max_digits=7)
    price_per_month = _money("Per month", max_digits=8)
    spaces_available = forms.IntegerField(
        label="Spaces", min_value=1, max_value=1000, initial=1, help_text="How many cars can park at once"
    )
    max_vehicle_size = forms.ChoiceField(
        label="Largest vehicle that fits", choices=Listing.VehicleSize.choices, initial="SEDAN"
    )
    width = _feet("Width (ft)")
    length = _feet("Length (ft)")
    height_clearance = _feet("Height clearance (ft)")
    features = forms.MultipleChoiceField(
        choices=[(feature, FEATURE_LABELS.get(feature, feature.replace("_", " "))) for feature in FEATURES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    instant_booking = forms.BooleanField(
        label="Instant booking", required=False, initial=True, help_text="Drivers book without waiting for you"
    )
    minimum_hours = forms.IntegerField(label="Minimum stay (hours)", min_value=1, max_value=720, initial=1)
    maximum_days = forms.IntegerField(label="Maximum stay (days)", min_value=1, max_value=365, initial=30)
    cancellation_policy = forms.ChoiceField(choices=Listing.CancellationPolicy.choices, initial="MODERATE")
    available_start_time = _time("Opens at", initial="00:00")
    available_end_time = _time("Closes at", initial="23:59", help_text="23:59 means until midnight")
    available_days = forms.TypedMultipleChoiceField(
        label="Open on",
        choices=DAY_CHOICES,
        coerce=int,
        initial=[0, 1, 2, 3, 4, 5, 6],
        widget=forms.CheckboxSelectMultiple,
    )
    access_instructions = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown only to drivers with a confirmed booking",
    )
    gate_code = forms.CharField(
        max_length=20, required=False, help_text="Shown only to drivers with a confirmed booking"
    )

    def clean_features(self):
        return list(dict.fromkeys(self.cleaned_data["features"]))  # each once, in the order given

    def clean_available_days(self):
        return sorted(set(self.cleaned_data["available_days"]))


class PhotoForm(forms.Form):
    image = MultipleImageField(
        label="Photos to upload", help_text="JPEG, PNG or WebP, up to 10 MB each; choose several at once"
    )
    caption = forms.CharField(max_length=255, required=False, help_text="Optional, applies to every photo uploaded")


class CaptionForm(forms.Form):
    caption = forms.CharField(max_length=255, required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class ReorderForm(forms.Form):
    photo_ids = forms.TypedMultipleChoiceField(coerce=int)

    def __init__(self, *args, photo_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo_ids"].choices = [(photo_id, photo_id) for photo_id in photo_ids]


OPEN_CHOICES = [("open", "Open (bookable)"), ("closed", "Closed")]


def _is_open(value: str) -> bool:
    return value == "open"


class RuleForm(forms.Form):
    """A recurring window that opens or closes the listing, optionally at another hourly price."""

    rule_type = forms.ChoiceField(
        label="Repeats",
        choices=[
            ("weekly", "Every week on some days"),
            ("daily", "Every day"),
            ("monthly", "Every month on the start date's day"),
            ("date_range", "Once, from start to end"),
        ],
        initial="weekly",
    )
    is_available = forms.TypedChoiceField(
        label="The space is", choices=OPEN_CHOICES, coerce=_is_open, initial="open", widget=forms.RadioSelect
    )
    start_date = _date("From")
    end_date = _date("Until", required=False, help_text="Leave empty to repeat with no end")
    start_time = _time("From time", initial="08:00")
    end_time = _time("To time", initial="18:00", help_text="23:59 means until midnight")
    days_of_week = forms.TypedMultipleChoiceField(
        label="On", choices=DAY_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    price_override = _money(
        "Price per hour in this window", help_text="Optional: replaces the hourly price while the rule applies"
    )
    max_bookings = forms.IntegerField(
        label="Bookings at once", min_value=1, max_value=1000, initial=1, help_text="For opening rules"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rule_%s")  # ids apart from the exception form's on the same page
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, rule: AvailabilityRule) -> dict:
        values = {name: getattr(rule, name) for name in cls.base_fields}
        values["is_available"] = "open" if rule.is_available else "closed"
        return values


class ExceptionForm(forms.Form):
    """One date that differs from the rules: closed all day, or open/closed between two times."""

    exception_date = _date("Date")
    is_available = forms.TypedChoiceField(
        label="On that day the space is",
        choices=[("closed", "Closed"), ("open", "Open")],
        coerce=_is_open,
        initial="closed",
        widget=forms.RadioSelect,
    )
    start_time = _time("From", required=False, help_text="Leave both times empty for the whole day")
    end_time = _time("To", required=False)
    reason = forms.CharField(max_length=100, required=False, help_text="Only you see it, e.g. “Family visit”")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "exception_%s")
        super().__init__(*args, **kwargs)


class MonthForm(forms.Form):
    """`?month=2026-05` (and `?date=2026-05-14` to prefill an exception) on the calendar; anything else is ignored."""

    month = forms.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False)
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean_month(self):
        value = self.cleaned_data.get("month")
        if not value:
            return None
        year, month = (int(part) for part in value.split("-"))
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("Choose a month between 2000 and 2100.")
        return year, month
