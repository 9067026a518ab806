"""The database itself refuses negative counts and distances in the search log."""

import pytest

from apps.analytics.models import SearchQuery
from apps.analytics.tests.factories import ListingViewFactory, SearchQueryFactory
from apps.core.tests.factories import rejected_by

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "constraint"),
    [
        ("radius_m", "search_queries_radius_m_check"),
        ("results_count", "search_queries_results_count_check"),
        ("clicked_listing_id", "search_queries_clicked_listing_id_check"),
    ],
)
def test_a_negative_radius_result_count_or_clicked_listing_is_rejected(field, constraint):
    query = SearchQueryFactory()
    with rejected_by(constraint):
        SearchQuery.objects.filter(pk=query.pk).update(**{field: -1})


def test_a_search_without_a_place_or_window_is_accepted():
    SearchQueryFactory(location=None, radius_m=None, start_datetime=None, end_datetime=None)


def test_views_of_one_listing_from_one_session_are_all_kept():
    # Views are an append-only log: deduplication happens before writing, never by a constraint.
    view = ListingViewFactory()
    ListingViewFactory(listing=view.listing, session_id=view.session_id)
    assert view.listing.views.count() == 2
