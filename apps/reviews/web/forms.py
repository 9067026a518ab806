from django import forms

RATING_CHOICES = [
    (1, "1 star: poor"),
    (2, "2 stars: fair"),
    (3, "3 stars: good"),
    (4, "4 stars: very good"),
    (5, "5 stars: excellent"),
]
# The parts of a stay a guest rates besides the overall impression (a host rates a guest overall only).
GUEST_SUB_RATINGS = (
    ("location_rating", "Location"),
    ("value_rating", "Value"),
    ("cleanliness_rating", "Cleanliness"),
    ("communication_rating", "Communication"),
)


def _rating(label: str, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=RATING_CHOICES,
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose from 1 to 5 stars."},
    )


class ReviewForm(forms.Form):
    """Overall stars and a comment; the guest of a stay also rates location, value, cleanliness and communication."""

    overall_rating = _rating("Overall", required=True)
    title = forms.CharField(label="Title (optional)", max_length=100, required=False)
    comment = forms.CharField(
        label="Your review",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say a few words about it."},
    )

    def __init__(self, *args, is_guest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if is_guest:
            for name, label in GUEST_SUB_RATINGS:
                self.fields[name] = _rating(label, required=False)
        self.order_fields(["overall_rating", *(name for name, _ in GUEST_SUB_RATINGS), "title", "comment"])

    @property
    def rating_fields(self):
        return [self[name] for name in self.fields if name.endswith("_rating")]

    @property
    def text_fields(self):
        return [self[name] for name in self.fields if not name.endswith("_rating")]

    def ratings(self) -> dict[str, int | None]:
        return {name: value for name, value in self.cleaned_data.items() if name.endswith("_rating")}


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="Your public response",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a response."},
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this review?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell us what is wrong with this review."},
    )
