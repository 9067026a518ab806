"""A host's history written straight to the database, at given local times: listings published long before,
bookings, views and searches. The dates straddle the start of daylight-saving time in 2026."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apps.analytics.models import ListingView, SearchQuery
from apps.analytics.tests.factories import ListingViewFactory, SearchQueryFactory
from apps.bookings.models import Booking
from apps.bookings.tests.factories import BookingFactory
from apps.listings.models import Listing
from apps.listings.tests.factories import AUSTIN, ListingFactory, point

CHICAGO = ZoneInfo("America/Chicago")
# In 2026 the United States move their clocks forward on Sunday March 8: that local day has 23 hours.
SATURDAY, SUNDAY, MONDAY = date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


def listing_of(host, **fields) -> Listing:
    listing = ListingFactory(host=host, location=point(*AUSTIN), **fields)
    Listing.objects.filter(pk=listing.pk).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    listing.refresh_from_db()
    return listing


def book(listing, start: datetime, end: datetime, *, made_at: datetime | None = None, **fields) -> Booking:
    booking = BookingFactory(listing=listing, start_datetime=start, end_datetime=end, **fields)
    Booking.objects.filter(pk=booking.pk).update(created_at=made_at or start - timedelta(days=1))
    return booking


def viewed(listing, moment: datetime) -> None:
    ListingView.objects.filter(pk=ListingViewFactory(listing=listing).pk).update(viewed_at=moment)


def searched(listing_ids: list[int], moment: datetime) -> None:
    SearchQuery.objects.filter(pk=SearchQueryFactory(result_listing_ids=listing_ids).pk).update(searched_at=moment)
