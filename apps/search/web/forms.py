"""The seeker's search form and the listing page's window form. Times are typed in `datetime-local` inputs: naive,
local to the place searched (or to the listing), and only made aware once that place's time zone is known."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.gis.geos import Point
from django.utils import timezone

from apps.bookings.api.views import PAST_TOLERANCE
from apps.core.errors import InvalidInput
from apps.listings.models import FEATURES, Listing
from apps.search.selectors import SearchParams
from apps.search.web.places import Place, PlaceNotFound, covering_radius_m, locate, parse_bbox

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = (LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
METRES_PER_MILE = 1609.344
DEFAULT_RADIUS = "2"
DEFAULT_SORT = "distance"

FEATURE_LABELS = {
    "covered": "Covered",
    "gated": "Gated",
    "security_camera": "Security camera",
    "well_lit": "Well lit",
    "ev_charging": "EV charging",
    "handicap_accessible": "Accessible",
    "attendant": "Attendant",
    "in_and_out": "In & out",
}
RADIUS_CHOICES = [
    ("0.5", "½ mile"),
    ("1", "1 mile"),
    ("2", "2 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("25", "25 miles"),
]
RATING_CHOICES = [("", "Any rating"), ("3", "3+ stars"), ("4", "4+ stars"), ("4.5", "4.5+ stars")]
SORT_CHOICES = [
    ("distance", "Nearest"),
    ("price", "Lowest price"),
    ("rating", "Best rated"),
    ("relevance", "Best match for keywords"),
]


def feature_label(feature: str) -> str:
    return FEATURE_LABELS.get(feature, feature.replace("_", " ").capitalize())


class LocalDateTimeField(forms.Field):
    """A `datetime-local` value kept naive: which zone it is in depends on the place, decided later."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    default_error_messages = {"invalid": "Enter a date and time, e.g. 2026-12-01 09:00."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for fmt in INPUT_FORMATS:
            try:
                return datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def local_to_aware(moment: datetime, time_zone: str) -> datetime:
    return moment.replace(tzinfo=ZoneInfo(time_zone))


def aware_to_local_text(moment: datetime, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime(LOCAL_FORMAT)


class WindowFormMixin:
    """Arrival and departure: both or neither, departure after arrival."""

    require_window = False

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start is None and end is not None:
            self.add_error("start", "Add your arrival time too.")
        elif start is not None and end is None:
            self.add_error("end", "Add your departure time too.")
        elif start is not None and end <= start:
            self.add_error("end", "Departure must be after arrival.")
        elif start is None and self.require_window:
            self.add_error("start", "Choose your arrival and departure.")
        return cleaned

    def aware_window(self, time_zone: str) -> tuple[datetime | None, datetime | None]:
        """The window in `time_zone`, or a field error (and None, None) when it starts in the past."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start is None or end is None:
            return None, None
        start, end = local_to_aware(start, time_zone), local_to_aware(end, time_zone)
        if start < timezone.now() - PAST_TOLERANCE:  # the same allowance as the quote API
            self.add_error("start", "Arrival is in the past. Pick a time from now on.")
            return None, None
        return start, end


class SearchForm(WindowFormMixin, forms.Form):
    where = forms.CharField(
        label="Where to?",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Address or ZIP", "autocomplete": "off"}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    bbox = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    start = LocalDateTimeField(label="Arrival", required=False)
    end = LocalDateTimeField(label="Departure", required=False)
    radius = forms.ChoiceField(label="Distance", choices=RADIUS_CHOICES, required=False)
    vehicle_size = forms.ChoiceField(
        label="Vehicle", choices=[("", "Any size"), *Listing.VehicleSize.choices], required=False
    )
    spot_type = forms.MultipleChoiceField(
        label="Type of space", choices=Listing.SpotType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    features = forms.MultipleChoiceField(
        label="Must have",
        choices=[(feature, feature_label(feature)) for feature in FEATURES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    price_max = forms.DecimalField(
        label="Max price ($)",
        required=False,
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        help_text="For your whole stay, or per day without times.",
    )
    instant_booking = forms.BooleanField(label="Instant booking only", required=False)
    min_rating = forms.ChoiceField(label="Rating", choices=RATING_CHOICES, required=False)
    q = forms.CharField(
        label="Keywords",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. covered, stadium", "type": "search"}),
    )
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    FILTERS = ("radius", "vehicle_size", "spot_type", "features", "price_max", "instant_booking", "min_rating", "q")

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            for name, default in (("radius", DEFAULT_RADIUS), ("sort", DEFAULT_SORT)):
                if not data.get(name):
                    data[name] = default
        super().__init__(data, **kwargs)
        for name, field in self.fields.items():  # errors arrive in these slots, also when htmx swaps only them
            described_by = f"error-{name}" + (f" help-{name}" if field.help_text else "")
            field.widget.attrs.setdefault("aria-describedby", described_by)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sort") == "relevance" and not cleaned.get("q"):
            self.add_error("sort", "Type some keywords to sort by best match.")
        # The position and the map area are hidden fields: their errors are told at the top of the form.
        if any(self.errors.pop(name, None) for name in ("lat", "lng")):
            self.add_error(None, "Your location could not be read. Search for an address or ZIP code instead.")
        elif (cleaned.get("lat") is None) != (cleaned.get("lng") is None):
            self.add_error(None, "Your location was incomplete. Search for an address or ZIP code instead.")
        if self.errors.pop("bbox", None):
            self.add_error(None, "The map area is not valid.")
        return cleaned

    def active_filter_count(self) -> int:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        count = 0
        for name in self.FILTERS:
            value = data.get(name)
            if name == "radius":
                count += value not in (None, "", DEFAULT_RADIUS)
            else:
                count += value not in (None, "", [], False)
        return count

    def place(self) -> Place | None:
        """Where to search: the words typed, else the browser's position, else the middle of the map area."""
        data = self.cleaned_data
        if data.get("where"):
            try:
                return locate(data["where"])
            except PlaceNotFound:
                self.add_error(
                    "where",
                    f"We couldn't find “{data['where']}”. Try a US ZIP code (like 78701), a full address, "
                    "or “Near me”.",
                )
                return None
        if data.get("lat") is not None and data.get("lng") is not None:
            return Place(Point(data["lng"], data["lat"], srid=4326), "your location")
        if data.get("bbox"):
            try:
                area = parse_bbox(data["bbox"])
            except InvalidInput as error:
                self.add_error(None, error.detail)
                return None
            return Place(area.centroid, "the map area")
        return None

    def search_params(self, place: Place) -> SearchParams | None:
        """The form as the search selector's parameters (None, with errors on the form, if it can't be)."""
        data = self.cleaned_data
        params = SearchParams(point=place.point)
        params.radius_m = round(float(data.get("radius") or DEFAULT_RADIUS) * METRES_PER_MILE)
        if data.get("bbox"):
            try:
                params.within = parse_bbox(data["bbox"])
            except InvalidInput as error:
                self.add_error(None, error.detail)
                return None
            # The visible map decides the area; the radius only has to reach all of it.
            params.radius_m = covering_radius_m(place.point, params.within)
        params.start, params.end = self.aware_window(place.time_zone)
        params.vehicle_size = data.get("vehicle_size") or None
        params.spot_types = list(data.get("spot_type") or [])
        params.features = list(data.get("features") or [])
        params.price_max = data.get("price_max")
        params.instant_booking = True if data.get("instant_booking") else None
        params.min_rating = Decimal(data["min_rating"]) if data.get("min_rating") else None
        params.q = (data.get("q") or "").strip()
        params.sort = data.get("sort") or DEFAULT_SORT
        return None if self.errors else params

    def canonical_query(self) -> list[tuple[str, str]]:
        """The search as short query parameters (defaults and empty fields left out), for a shareable URL."""
        data = self.cleaned_data
        pairs: list[tuple[str, str]] = []
        if data.get("where"):
            pairs.append(("where", data["where"]))
        elif data.get("lat") is not None and data.get("lng") is not None:
            pairs += [("lat", f"{data['lat']:.5f}"), ("lng", f"{data['lng']:.5f}")]
        if data.get("bbox"):
            pairs.append(("bbox", data["bbox"]))
        for name in ("start", "end"):
            if data.get(name):
                pairs.append((name, data[name].strftime(LOCAL_FORMAT)))
        if data.get("radius") and data["radius"] != DEFAULT_RADIUS and not data.get("bbox"):
            pairs.append(("radius", data["radius"]))
        for name in ("vehicle_size", "spot_type", "features", "price_max", "instant_booking", "min_rating", "q"):
            value = data.get(name)
            if value in (None, "", [], False):
                continue
            if isinstance(value, list):
                pairs += [(name, item) for item in value]
            elif value is True:
                pairs.append((name, "true"))
            else:
                pairs.append((name, str(value)))
        if data.get("sort") and data["sort"] != DEFAULT_SORT:
            pairs.append(("sort", data["sort"]))
        return pairs


class WindowForm(WindowFormMixin, forms.Form):
    """Arrival and departure on a listing's page, in the listing's local time."""

    require_window = True

    start = LocalDateTimeField(label="Arrival", error_messages={"required": "Choose your arrival time."})
    end = LocalDateTimeField(label="Departure", error_messages={"required": "Choose your departure time."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"quote-error-{name}"
