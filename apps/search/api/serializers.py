"""What a search answers for each listing found: the public listing, its distance and, with a window, its price.

`SearchResultSerializer` documents the card (OpenAPI) and is the reference; `search_cards` writes the very same
dictionaries from the rows of `search_listing_rows`, without model instances and without DRF's per-request work. A
ModelSerializer builds its ~45 fields again for every request and walks them generically for every row: for a light
search that was about a third of the time spent outside SQL; making the listing, host and photo instances for it was
as much again. `search_cards` converts each value with the serializer's own fields, built once per process (they are
pure for these types), and writes the nested parts, photos and host, and the location by hand. A test compares its
output with the serializer's over the same search's model instances, field for field.
"""

from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

from rest_framework import serializers

from apps.listings.api.serializers import ListingSerializer, PhotoSerializer
from apps.listings.models import ListingPhoto
from apps.search.selectors import ListingRow


class SearchResultSerializer(ListingSerializer):
    distance_m = serializers.FloatField(allow_null=True, read_only=True)
    quote_total = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True, read_only=True)

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "distance_m", "quote_total"]
        read_only_fields = fields


# How each field of a card is written (`_plan`): most are a column converted by the serializer's field, or taken as
# it is where that conversion returns the column's own value unchanged; five are made by hand.
PLAIN, PHOTOS, HOST, LOCATION, DISTANCE, QUOTE = range(6)
_SPECIAL = {"photos": PHOTOS, "host": HOST, "location": LOCATION, "distance_m": DISTANCE, "quote_total": QUOTE}


def _converter(field: serializers.Field) -> Callable[[Any], Any] | None:
    """`field.to_representation`, or None where it returns the value read from the database as it is: text, a choice
    among strings, a whole number, a boolean (DRF's `str(value)`, `choices.get(value, value)`, `int(value)`, `bool`).
    Skipping those calls is a fifth of a page's cards; the card test holds the result to the serializer's."""
    kind = type(field)
    if kind in (serializers.CharField, serializers.IntegerField, serializers.BooleanField):
        return None
    if kind is serializers.ChoiceField and all(isinstance(key, str) for key in field.choices):
        return None
    return field.to_representation


@cache
def _plan(serializer_class: type[serializers.Serializer]) -> tuple[tuple[str, int, str, Any, Any], ...]:
    """(name, how, source, field, converter) of every field of `serializer_class`, in its order, built once per
    process. Only the fields' `to_representation` is used, and for the plain types converted with it that reads
    neither the request nor the parent; the nested fields, the files and the location are written by hand."""
    return tuple(
        (name, _SPECIAL.get(name, PLAIN), field.source, field, _converter(field))
        for name, field in serializer_class().fields.items()
    )


class _XY(NamedTuple):
    """What the location field reads of a point."""

    x: float
    y: float


@cache
def _storage(field_name: str) -> Any:
    return ListingPhoto._meta.get_field(field_name).storage


def _file_url(name: str, field_name: str, request: Any) -> str | None:
    """DRF's ImageField: the file's URL, absolute when there is a request; None without a file."""
    if not name:
        return None
    url = _storage(field_name).url(name)
    return request.build_absolute_uri(url) if request is not None else url


def _photo(photo: dict[str, Any], request: Any) -> dict[str, Any]:
    row = {}
    for name, _, source, field, convert in _plan(PhotoSerializer):
        value = photo[source]
        if isinstance(field, serializers.FileField):
            row[name] = _file_url(value, source, request)
        else:
            row[name] = value if value is None or convert is None else convert(value)
    return row


def search_cards(rows: list[ListingRow], request: Any) -> list[dict[str, Any]]:
    """What `SearchResultSerializer` says of the listings of `rows`, with `distance_m` rounded to 0.1 m and the
    window's `quote_total` (None when not asked)."""
    plan = _plan(SearchResultSerializer)
    cards = []
    for row in rows:
        values = row.values
        card = {}
        for name, how, source, field, convert in plan:
            if how == PLAIN:
                value = values[source]
                card[name] = value if value is None or convert is None else convert(value)
            elif how == PHOTOS:
                card[name] = [_photo(photo, request) for photo in row.photos]
            elif how == HOST:
                card[name] = {"id": values["host_id"], "first_name": values["host_first_name"]}
            elif how == LOCATION:
                card[name] = field.to_representation(_XY(values["location_x"], values["location_y"]))
            elif how == DISTANCE:
                card[name] = None if row.distance_m is None else field.to_representation(round(row.distance_m, 1))
            else:
                card[name] = None if row.quote is None else field.to_representation(row.quote.total_amount)
        cards.append(card)
    return cards
