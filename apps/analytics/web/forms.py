from django import forms

from apps.analytics.selectors import MAX_DAYS


class DashboardForm(forms.Form):
    """The dashboard's query string: `?listing=&from=&to=&period=` (all optional)."""

    listing = forms.IntegerField(
        label="Listing", required=False, min_value=1, widget=forms.Select(choices=[("", "All listings")])
    )
    period = forms.ChoiceField(
        label="Per",
        required=False,
        choices=[("day", "Day"), ("week", "Week")],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Show the figures per day or per week."},
    )

    def __init__(self, *args, listings=(), **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so these two are added here rather than declared above.
        self.fields["from"] = forms.DateField(
            label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        self.fields["to"] = forms.DateField(
            label="To",
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            help_text=f"At most {MAX_DAYS} days.",
        )
        self.order_fields(["listing", "from", "to", "period"])
        self.fields["listing"].widget.choices = [("", "All listings")] + [
            (listing.pk, listing.title) for listing in listings
        ]
