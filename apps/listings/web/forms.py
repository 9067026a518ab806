from django import forms

from apps.listings.models import FEATURES, Listing

DAY_CHOICES = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class ListingForm(forms.Form):
    title = forms.CharField(max_length=100)
    description = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    spot_type = forms.ChoiceField(choices=Listing.SpotType.choices)
    address = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    city = forms.CharField(max_length=100)
    state = forms.RegexField(r"^[A-Za-z]{2}$", max_length=2, help_text="Two letters, e.g. TX")
    zip_code = forms.RegexField(r"^\d{5}(-\d{4})?$", max_length=10, label="ZIP code")
    latitude = forms.DecimalField(
        required=False, min_value=-90, max_value=90, decimal_places=6, help_text="Optional: else we use the ZIP code"
    )
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, decimal_places=6)
    price_per_hour = forms.DecimalField(required=False, min_value=0.01, max_digits=6, decimal_places=2)
    price_per_day = forms.DecimalField(min_value=0.01, max_digits=6, decimal_places=2)
    price_per_week = forms.DecimalField(required=False, min_value=0.01, max_digits=7, decimal_places=2)
    price_per_month = forms.DecimalField(required=False, min_value=0.01, max_digits=8, decimal_places=2)
    max_vehicle_size = forms.ChoiceField(choices=Listing.VehicleSize.choices, initial="SEDAN")
    spaces_available = forms.IntegerField(min_value=1, max_value=1000, initial=1)
    features = forms.MultipleChoiceField(
        choices=[(feature, feature.replace("_", " ")) for feature in FEATURES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    instant_booking = forms.BooleanField(required=False, initial=True)
    minimum_hours = forms.IntegerField(min_value=1, max_value=720, initial=1)
    maximum_days = forms.IntegerField(min_value=1, max_value=365, initial=30)
    cancellation_policy = forms.ChoiceField(choices=Listing.CancellationPolicy.choices, initial="MODERATE")
    available_start_time = forms.TimeField(
        initial="00:00", label="Opens at", widget=forms.TimeInput(attrs={"type": "time"})
    )
    available_end_time = forms.TimeField(
        initial="23:59",
        label="Closes at",
        help_text="23:59 means midnight",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    available_days = forms.TypedMultipleChoiceField(
        choices=DAY_CHOICES, coerce=int, initial=[0, 1, 2, 3, 4, 5, 6], widget=forms.CheckboxSelectMultiple
    )
    gate_code = forms.CharField(max_length=20, required=False, help_text="Shown only to confirmed guests")
    access_instructions = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", "Give both latitude and longitude, or neither.")
        return data


class PhotoForm(forms.Form):
    image = forms.ImageField(help_text="JPEG, PNG or WebP, up to 10 MB")
    caption = forms.CharField(max_length=255, required=False)
