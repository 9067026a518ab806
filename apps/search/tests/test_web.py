"""The seekers' web pages: home, the search page (full page and htmx fragment) and a listing's public page."""

import json
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.bookings.tests.factories import BookingFactory
from apps.listings.geocoding import GeocodingError, get_geocoder
from apps.listings.geocoding.zipcodes import ZipCentroidGeocoder
from apps.listings.signals import listing_viewed
from apps.listings.tests.factories import AvailabilityExceptionFactory, ListingPhotoFactory
from apps.reviews.tests.factories import ReviewFactory
from apps.search.selectors import month_calendar
from apps.search.web.places import address_from_text

pytestmark = pytest.mark.django_db

AUSTIN = ZoneInfo("America/Chicago")
HTMX = {"HTTP_HX_REQUEST": "true"}


def local_window(days: int = 2, start_hour: int = 9, hours: int = 3) -> tuple[str, str]:
    """A window `days` from now in Austin's local time, as a datetime-local input sends it."""
    day = (timezone.now().astimezone(AUSTIN) + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, start_hour)
    return start.strftime("%Y-%m-%dT%H:%M"), (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def search_data(response) -> dict:
    match = re.search(rb'<script id="search-data" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, "the results carry the map's data"
    return json.loads(match.group(1))


class CountingGeocoder:
    """The offline geocoder, counting how often it is asked."""

    calls = 0

    def geocode(self, address):
        type(self).calls += 1
        return ZipCentroidGeocoder().geocode(address)


class BrokenGeocoder:
    def geocode(self, address):
        raise GeocodingError("The geocoding service failed: timed out")


@pytest.fixture
def use_geocoder(settings):
    def use(path: str) -> None:
        settings.GEOCODER = path
        get_geocoder.cache_clear()

    yield use
    get_geocoder.cache_clear()


# --- Home ------------------------------------------------------------------------------------------------------------


def test_home_offers_a_search_by_place_and_times(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'action="/search/"' in html
    for label in ("Where to?", "Arrival", "Departure"):
        assert f">{label}</label>" in html
    assert html.count('type="datetime-local"') == 2
    assert "Near me" in html


# --- Search page -----------------------------------------------------------------------------------------------------


def test_search_by_zip_lists_nearby_listings_with_markers(client, make_listing):
    near = make_listing(title="Driveway on Congress")
    make_listing(title="Far away in Dallas", lng=-96.797, lat=32.7767)
    response = client.get("/search/", {"where": "78701"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 space near 78701" in html
    assert "Driveway on Congress" in html and "Far away" not in html
    assert 'hx-get="/search/"' in html and 'hx-target="#results"' in html
    data = search_data(response)
    assert [marker["id"] for marker in data["markers"]] == [near.pk]
    assert data["markers"][0]["label"] == "$3/h"  # no window: the hourly rate
    assert data["canonical"] == "/search/?where=78701"
    assert "leaflet/leaflet.js" in html and "js/search.js" in html


def test_a_window_prices_each_result_and_cards_carry_the_window(client, make_listing):
    listing = make_listing(title="Driveway on Congress", price_per_hour=Decimal("3.00"))
    start, end = local_window(hours=3)
    response = client.get("/search/", {"where": "78701", "start": start, "end": end})
    html = response.content.decode()
    assert response.status_code == 200
    # 3 hours at $3 + 10 % service fee.
    assert search_data(response)["markers"][0]["label"] == "$9.90"
    assert "$9.90" in html and "total" in html
    link = f"/listings/{listing.pk}/?start={start.replace(':', '%3A')}&amp;end={end.replace(':', '%3A')}"
    assert link in html


def test_the_window_is_local_time_at_the_place_searched(client, make_listing):
    listing = make_listing()
    start, end = local_window(hours=2)
    # A booking at exactly those local (Austin) hours makes the only space unavailable.
    BookingFactory(
        listing=listing,
        start_datetime=datetime.fromisoformat(start).replace(tzinfo=AUSTIN),
        end_datetime=datetime.fromisoformat(end).replace(tzinfo=AUSTIN),
    )
    response = client.get("/search/", {"where": "78701", "start": start, "end": end})
    assert "No spaces here for that time" in response.content.decode()
    assert "try a wider area or other times" in response.content.decode().lower()


def test_filters_and_sort_are_reflected_in_the_url(client, make_listing):
    make_listing(title="Covered garage", spot_type="GARAGE", features=["covered", "gated"])
    make_listing(title="Open driveway", spot_type="DRIVEWAY", features=["well_lit"])
    query = {
        "where": "78701",
        "spot_type": "GARAGE",
        "features": ["covered", "gated"],
        "price_max": "40",
        "instant_booking": "on",
        "vehicle_size": "SEDAN",
        "q": "garage",
        "sort": "price",
        "radius": "5",
        "lat": "",
        "bbox": "",
    }
    response = client.get("/search/", query, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Covered garage" in html and "Open driveway" not in html
    assert response["HX-Push-Url"] == (
        "/search/?where=78701&radius=5&vehicle_size=SEDAN&spot_type=GARAGE&features=covered&features=gated"
        "&price_max=40&instant_booking=true&q=garage&sort=price"
    )
    # The fragment only: no page around it, the filter count updated out of band.
    assert "<html" not in html
    assert 'id="filter-count" class="badge count" hx-swap-oob="true">7' in html

    # The shared URL opens the same search with the same boxes ticked.
    page = client.get(response["HX-Push-Url"])
    page_html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'value="GARAGE"[^>]*checked', page_html)
    assert re.search(r'name="instant_booking"[^>]*checked', page_html)
    assert '<option value="price" selected>' in page_html


def test_moving_the_map_searches_the_visible_area_and_replaces_the_url(client, make_listing):
    inside = make_listing(title="Inside the box", lng=-97.75, lat=30.27)
    make_listing(title="Outside the box", lng=-97.70, lat=30.30)
    bbox = "-97.76,30.26,-97.74,30.28"
    response = client.get("/search/", {"where": "78701", "bbox": bbox}, HTTP_X_SEARCH_ORIGIN="map", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 space in this map area" in html
    assert [marker["id"] for marker in search_data(response)["markers"]] == [inside.pk]
    assert search_data(response)["from_map"] is True
    assert response["HX-Replace-Url"] == "/search/?where=78701&bbox=-97.76%2C30.26%2C-97.74%2C30.28"
    assert "HX-Push-Url" not in response


def test_a_map_area_far_from_the_place_still_finds_what_is_in_it(client, make_listing):
    dallas = make_listing(title="Deep Ellum lot", lng=-96.7836, lat=32.7843)
    response = client.get("/search/", {"where": "78701", "bbox": "-96.80,32.77,-96.77,32.80"})
    assert [marker["id"] for marker in search_data(response)["markers"]] == [dallas.pk]


def test_near_me_searches_around_the_browsers_position(client, make_listing):
    listing = make_listing()
    response = client.get("/search/", {"lat": "30.2672", "lng": "-97.7431"})
    assert "near your location" in response.content.decode()
    assert [marker["id"] for marker in search_data(response)["markers"]] == [listing.pk]


def test_results_are_paginated(client, make_listing):
    for index in range(23):
        make_listing(title=f"Spot {index}", lng=-97.7431 + index * 0.0001)
    first = client.get("/search/", {"where": "78701"})
    assert first.content.decode().count('class="result-card"') == 20
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/search/", {"where": "78701", "page": "2"}, **HTMX)
    assert second.content.decode().count('class="result-card"') == 3
    assert second["HX-Push-Url"] == "/search/?where=78701&page=2"
    beyond = client.get("/search/", {"where": "78701", "page": "99"})
    assert "Page 2 of 2" in beyond.content.decode()
    assert client.get("/search/", {"where": "78701", "page": "abc"}).status_code == 200


def test_a_window_search_that_stops_at_the_candidate_cap_says_there_are_more(client, make_listing, monkeypatch):
    monkeypatch.setattr("apps.search.selectors.MAX_WINDOW_CANDIDATES", 3)
    for index in range(5):
        make_listing(title=f"Spot {index}", lng=-97.7431 + index * 0.0001)
    start, end = local_window(hours=3)
    html = client.get("/search/", {"where": "78701", "start": start, "end": end}).content.decode()
    assert html.count('class="result-card"') == 3
    assert ">3+ spaces near" in html
    assert ">5 spaces near" in client.get("/search/", {"where": "78701"}).content.decode()


def test_going_back_in_history_gets_the_whole_page(client, make_listing):
    make_listing()
    response = client.get("/search/", {"where": "78701"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert response.status_code == 200
    assert "<html" in response.content.decode() and 'id="search-map"' in response.content.decode()


def test_no_place_yet_asks_where_to(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Where are you going?" in response.content.decode()
    assert search_data(response)["markers"] == []


def test_an_empty_area_says_so(client, make_listing):
    make_listing()
    response = client.get("/search/", {"where": "10001"})
    assert response.status_code == 200
    assert "No spaces here yet" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "tomorrow at nine"}, "Enter a date and time"),
        ({"start": "2031-01-01T10:00"}, "Add your departure time too."),
        ({"start": "2031-01-01T10:00", "end": "2031-01-01T09:00"}, "Departure must be after arrival."),
        ({"start": "2020-01-01T10:00", "end": "2020-01-01T12:00"}, "Arrival is in the past."),
        ({"sort": "cheapest"}, "Select a valid choice."),
        ({"sort": "relevance"}, "Type some keywords to sort by best match."),
        ({"spot_type": "BOAT"}, "Select a valid choice."),
        ({"features": "jacuzzi"}, "Select a valid choice."),
        ({"vehicle_size": "TANK"}, "Select a valid choice."),
        ({"price_max": "-3"}, "greater than or equal to 0"),
        ({"price_max": "cheap"}, "Enter a number."),
        ({"min_rating": "9"}, "Select a valid choice."),
        ({"radius": "100000"}, "Select a valid choice."),
        ({"bbox": "everywhere"}, "The map area is not valid."),
        ({"bbox": "10,20,5,30"}, "The map area is not valid."),
        ({"bbox": "nan,1,2,3"}, "The map area is not valid."),
        ({"where": "", "lat": "30.2", "lng": ""}, "Your location was incomplete."),
        ({"where": "", "lat": "200", "lng": "10"}, "Your location could not be read."),
        ({"where": "", "lat": "north", "lng": "10"}, "Your location could not be read."),
        ({"bbox": "1," * 200}, "The map area is not valid."),
        ({"q": "x" * 300}, "at most 200 characters"),
    ],
)
def test_bad_parameters_get_a_friendly_400_never_a_500(client, make_listing, query, message):
    make_listing()
    params = {"where": "78701", **query}
    response = client.get("/search/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Let's fix your search" in response.content.decode()
    fragment = client.get("/search/", params, **HTMX)
    assert fragment.status_code == 422  # htmx swaps 422: the errors appear next to the fields
    assert message in fragment.content.decode()
    assert "HX-Push-Url" not in fragment


def test_field_errors_come_back_out_of_band_next_to_their_fields(client):
    response = client.get("/search/", {"where": "78701", "start": "2031-01-01T10:00"}, **HTMX)
    html = response.content.decode()
    assert re.search(r'<div class="error-slot" id="error-end" hx-swap-oob="true"><p class="error">Add your', html)
    assert '<div class="error-slot" id="error-start" hx-swap-oob="true"></div>' in html  # cleared
    assert search_data(response)["frame"] is None  # the map stays where it is


def test_an_address_that_cannot_be_found_gets_a_friendly_message(client):
    response = client.get("/search/", {"where": "Atlantis"})
    assert response.status_code == 400
    assert "find “Atlantis”" in response.content.decode()
    assert "Try a US ZIP code" in response.content.decode()


def test_a_failing_geocoder_gets_a_friendly_message_not_a_500(client, use_geocoder):
    use_geocoder("apps.search.tests.test_web.BrokenGeocoder")
    response = client.get("/search/", {"where": "100 Congress Ave, Austin, TX 78701"}, **HTMX)
    assert response.status_code == 422
    assert "Try a US ZIP code" in response.content.decode()


def test_a_place_is_geocoded_once_for_many_searches(client, make_listing, use_geocoder):
    use_geocoder("apps.search.tests.test_web.CountingGeocoder")
    CountingGeocoder.calls = 0
    make_listing()
    for sort in ("distance", "price", "rating"):
        assert client.get("/search/", {"where": "Austin, TX 78701", "sort": sort}, **HTMX).status_code == 200
    assert CountingGeocoder.calls == 1


@pytest.mark.parametrize(
    ("text", "street", "city", "state", "zip_code"),
    [
        ("78701", "", "", "", "78701"),
        ("Austin, TX", "", "Austin", "TX", ""),
        ("Austin TX 78701", "", "Austin", "TX", "78701"),
        ("100 Congress Ave, Austin, TX 78701", "100 Congress Ave", "Austin", "TX", "78701"),
        ("Austin, TX 78701-1234, USA", "", "Austin", "TX", "78701"),
        ("12345 Main St, Springfield, IL", "12345 Main St", "Springfield", "IL", ""),
        ("500 Main St", "500 Main St", "", "", ""),
        ("Denver", "", "Denver", "", ""),
    ],
)
def test_typed_places_become_addresses_for_the_geocoder(text, street, city, state, zip_code):
    address = address_from_text(text)
    assert (address.street, address.city, address.state, address.zip_code) == (street, city, state, zip_code)


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("with_window", [False, True])
def test_search_runs_a_bounded_number_of_queries_whatever_the_page_size(
    client, make_listing, django_assert_max_num_queries, with_window
):
    params = {"where": "78701"}
    if with_window:
        params["start"], params["end"] = local_window()
    listing = make_listing()
    ListingPhotoFactory(listing=listing)
    few = _queries(client, params)
    for index in range(15):
        ListingPhotoFactory(listing=make_listing(title=f"Spot {index}", lng=-97.7431 + index * 0.0002))
    many = _queries(client, params)
    assert many == few
    with django_assert_max_num_queries(10):
        client.get("/search/", params)


# --- Listing page ----------------------------------------------------------------------------------------------------


def test_listing_page_shows_the_space_host_reviews_and_never_the_access_details(client, make_listing):
    listing = make_listing(
        title="Covered garage on Rainey",
        description="Two blocks from the convention center.",
        spot_type="GARAGE",
        features=["covered", "ev_charging"],
        max_vehicle_size="SUV",
        height_clearance=Decimal("7.5"),
        gate_code="9731",
        access_instructions="The key is under the blue flowerpot.",
    )
    ListingPhotoFactory(listing=listing, caption="The entrance")
    ReviewFactory(booking__listing=listing, published=True, comment="Spotless and easy.", value_rating=3)
    ReviewFactory(booking__listing=listing, comment="Not published yet, hidden.")
    response = client.get(f"/listings/{listing.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Covered garage on Rainey",
        "Two blocks from the convention center.",
        "Garage",
        "SUV/Truck",
        "7.5 ft",
        "EV charging",
        "Covered",
        "Hana",
        "Member since",
        "Spotless and easy.",
        "Cleanliness",
        "The entrance",
        'id="listing-map"',
        'id="calendar"',
        "Choose your arrival and departure",
    ):
        assert text in html, text
    assert "Not published yet" not in html
    assert "9731" not in html and "blue flowerpot" not in html
    assert f'href="/inbox/new/?listing={listing.pk}"' in html


def test_listing_page_with_a_window_shows_the_price_breakdown_and_the_booking_link(client, make_listing):
    listing = make_listing(price_per_hour=Decimal("3.00"), price_per_day=Decimal("20.00"))
    start, end = local_window(hours=3)
    response = client.get(f"/listings/{listing.pk}/", {"start": start, "end": end})
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 hours" in html and "$9.00" in html and "$0.90" in html and "$9.90" in html
    window = f"start={start.replace(':', '%3A')}&amp;end={end.replace(':', '%3A')}"
    assert f"/bookings/new/?listing={listing.pk}&amp;{window}" in html


def test_the_quote_fragment_prices_the_window_like_the_api(client, make_listing):
    listing = make_listing(price_per_hour=Decimal("3.00"), price_per_day=Decimal("20.00"))
    start, end = local_window(hours=30)
    response = client.get(f"/listings/{listing.pk}/quote/", {"start": start, "end": end}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    # 30 hours: a day and six hours would be $38, so two days ($40) is not cheaper; the cheapest cover wins.
    assert "1 day" in html and "6 hours" in html and "$38.00" in html and "$41.80" in html
    assert response["HX-Replace-Url"].startswith(f"/listings/{listing.pk}/?start=")


def test_the_quote_fragment_explains_why_a_window_cannot_be_booked(client, make_listing):
    listing = make_listing()
    start, end = local_window(hours=2)
    BookingFactory(
        listing=listing,
        start_datetime=datetime.fromisoformat(start).replace(tzinfo=AUSTIN),
        end_datetime=datetime.fromisoformat(end).replace(tzinfo=AUSTIN),
    )
    response = client.get(f"/listings/{listing.pk}/quote/", {"start": start, "end": end}, **HTMX)
    assert response.status_code == 409
    assert "Every space is already booked during this window." in response.content.decode()
    assert "/bookings/new/" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "soon", "end": "2031-01-01T10:00"}, "Enter a date and time"),
        ({"end": "2031-01-01T10:00"}, "Choose your arrival time."),
        ({"start": "2031-01-01T10:00", "end": "2031-01-01T09:00"}, "Departure must be after arrival."),
        ({"start": "2020-01-01T10:00", "end": "2020-01-01T12:00"}, "Arrival is in the past."),
    ],
)
def test_the_quote_fragment_answers_bad_input_with_a_400_message(client, make_listing, query, message):
    listing = make_listing()
    response = client.get(f"/listings/{listing.pk}/quote/", query, **HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    page = client.get(f"/listings/{listing.pk}/", query)
    assert page.status_code == 200
    assert message in page.content.decode()


def test_too_short_a_window_gives_the_listings_minimum(client, make_listing):
    listing = make_listing(minimum_hours=4)
    start, end = local_window(hours=2)
    response = client.get(f"/listings/{listing.pk}/quote/", {"start": start, "end": end}, **HTMX)
    assert response.status_code == 409
    assert "at least 4 hour(s)" in response.content.decode()


def test_calendar_shows_free_partly_available_and_closed_days(client, make_listing):
    # Open 06:00-22:00: a day with all of that free is free, not "partly available".
    listing = make_listing(available_start_time=time(6, 0), available_end_time=time(22, 0))
    today = timezone.now().astimezone(AUSTIN).date()
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    AvailabilityExceptionFactory(listing=listing, exception_date=month.replace(day=10))
    BookingFactory(
        listing=listing,
        start_datetime=datetime(month.year, month.month, 12, 9, tzinfo=AUSTIN),
        end_datetime=datetime(month.year, month.month, 12, 11, tzinfo=AUSTIN),
    )
    response = client.get(f"/listings/{listing.pk}/calendar/", {"month": month.strftime("%Y-%m")}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert month.strftime("%B %Y") in html
    cells = re.findall(r'<td class="day (\w+)"[^>]*><span class="num">(\d+)</span>', html)
    by_day = {int(day): status for status, day in cells}
    assert len(by_day) == (month.replace(day=28) + timedelta(days=4)).replace(day=1).toordinal() - month.toordinal()
    assert by_day[10] == "closed"
    assert by_day[12] == "partial"
    assert by_day[11] == "free"


def test_calendar_months_out_of_range_or_malformed_are_a_friendly_400(client, make_listing):
    listing = make_listing()
    too_far = date.today().replace(day=1) + timedelta(days=800)
    for month in ("2020-01", too_far.strftime("%Y-%m"), "next", "2031-13"):
        response = client.get(f"/listings/{listing.pk}/calendar/", {"month": month}, **HTMX)
        assert response.status_code == 400, month
        assert "Choose a month from now to a year ahead" in response.content.decode()


def test_hidden_and_unknown_listings_are_404_but_the_host_can_preview_their_own(client, make_listing, host):
    listing = make_listing()
    listing.is_active = False
    listing.save(update_fields=["is_active"])
    assert client.get(f"/listings/{listing.pk}/").status_code == 404
    assert client.get("/listings/999999/").status_code == 404
    assert client.get(f"/listings/{listing.pk}/quote/").status_code == 404
    client.force_login(host)
    start, end = local_window()
    response = client.get(f"/listings/{listing.pk}/", {"start": start, "end": end})
    assert response.status_code == 200
    assert "This is your listing" in response.content.decode()
    assert "/bookings/new/" not in response.content.decode()  # no booking one's own space
    assert "Message the host" not in response.content.decode()


def test_a_view_is_recorded_for_visitors_but_not_for_the_host(client, make_listing, host):
    listing = make_listing()
    seen = []

    def record(sender, listing_id, request, **kwargs):
        seen.append(listing_id)

    listing_viewed.connect(record)
    try:
        client.get(f"/listings/{listing.pk}/")
        client.force_login(host)
        client.get(f"/listings/{listing.pk}/")
    finally:
        listing_viewed.disconnect(record)
    assert seen == [listing.pk]


def _detail_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_listing_page_queries_do_not_grow_with_photos_and_reviews(client, make_listing, django_assert_max_num_queries):
    listing = make_listing()
    start, end = local_window()
    url = f"/listings/{listing.pk}/?start={start}&end={end}"
    ReviewFactory(booking__listing=listing, published=True)
    ListingPhotoFactory(listing=listing)
    few = _detail_queries(client, url)
    for _ in range(6):
        ReviewFactory(booking__listing=listing, published=True)
        ListingPhotoFactory(listing=listing)
    assert _detail_queries(client, url) == few
    with django_assert_max_num_queries(16):
        client.get(url)


def test_month_calendar_marks_past_days_closed_weekdays_and_full_days(make_listing):
    listing = make_listing(available_days=[0, 1, 2, 3, 4])  # weekdays only
    first = date(2031, 3, 1)  # a month with a daylight-saving change in Austin (March 9)
    BookingFactory(
        listing=listing,
        start_datetime=datetime(2031, 3, 12, 0, 0, tzinfo=AUSTIN),
        end_datetime=datetime(2031, 3, 13, 0, 0, tzinfo=AUSTIN),
    )
    now = datetime(2031, 3, 4, 12, 0, tzinfo=AUSTIN)
    calendar = month_calendar(listing, first, now=now)
    by_day = {entry.day.day: entry for entry in calendar.days}
    assert len(calendar.days) == 31
    assert by_day[3].status == "past"
    assert by_day[4].status == "free" and by_day[4].free_hours == 12.0  # from noon on
    assert by_day[8].status == "closed"  # a Saturday
    assert by_day[10].status == "free" and by_day[10].free_hours == 24.0  # the Monday after the clocks changed
    assert by_day[12].status == "closed"  # booked all day: no free time
    assert by_day[9].status == "closed"  # Sunday (the 23-hour day)
    assert calendar.weeks[0][:5] == [None] * 5  # March 2031 starts on a Saturday
    assert all(len(week) == 7 for week in calendar.weeks)
