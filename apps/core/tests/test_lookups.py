"""`field__any=[...]` (apps/core/lookups.py): the same rows as `__in`, with the list sent as one array parameter."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.listings.models import ListingSpace


def test_any_selects_what_in_selects_with_one_parameter(make_listing):
    listings = [make_listing(title=f"Spot {number}") for number in range(4)]
    for listing in listings:
        ListingSpace.objects.get_or_create(listing=listing, label="1")
    asked = [listings[0].pk, listings[2].pk, listings[3].pk, 10**12]

    with CaptureQueriesContext(connection) as queries:
        found = set(ListingSpace.objects.filter(listing_id__any=asked).values_list("listing_id", flat=True))

    assert found == set(ListingSpace.objects.filter(listing_id__in=asked).values_list("listing_id", flat=True))
    assert found == {listings[0].pk, listings[2].pk, listings[3].pk}
    (query,) = queries.captured_queries
    assert '"listing_id" = ANY(' in query["sql"] and query["sql"].count(str(listings[2].pk)) == 1
    assert set(ListingSpace.objects.filter(listing__any=[listings[1]]).values_list("listing_id", flat=True)) == {
        listings[1].pk
    }  # model instances stand for their keys
    assert not ListingSpace.objects.filter(listing_id__any=[]).exists()
