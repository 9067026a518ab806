"""A driver searches for parking near a ZIP code for a window, sees the list and the price markers, zooms the map out
to search a wider area, links a card to its marker, and opens a listing to see the price of the stay."""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from apps.listings.tests.factories import ListingFactory
from apps.reviews.tests.factories import ReviewFactory
from apps.users.tests.factories import HostFactory
from e2e.conftest import shot

AUSTIN = ZoneInfo("America/Chicago")
ZIP_78701 = (-97.7426, 30.2713)  # the offline geocoder's centroid of 78701


def _austin_listings():
    host = HostFactory(first_name="Hana")
    lng, lat = ZIP_78701
    near = [
        ListingFactory(
            host=host,
            title="Covered garage on Congress Ave",
            spot_type="GARAGE",
            lng=lng + 0.004,
            lat=lat - 0.003,
            price_per_hour=Decimal("6.00"),
            features=["covered", "security_camera"],
        ),
        ListingFactory(
            host=host, title="Sunny driveway by the Capitol", lng=lng - 0.006, lat=lat + 0.004, features=["well_lit"]
        ),
        ListingFactory(
            host=host,
            title="Gated lot near Rainey Street",
            spot_type="LOT",
            lng=lng + 0.002,
            lat=lat - 0.012,
            price_per_hour=Decimal("3.50"),
            features=["gated", "attendant"],
        ),
    ]
    # About 6 km north-west: outside the first search, inside the map once it is zoomed out.
    far = ListingFactory(host=host, title="Quiet driveway in Hyde Park", lng=lng - 0.03, lat=lat + 0.045)
    ReviewFactory(booking__listing=near[0], published=True, comment="Easy to find, very safe.")
    return near, far


def _window() -> tuple[str, str]:
    day = (timezone.now().astimezone(AUSTIN) + timedelta(days=1)).date()
    return f"{day.isoformat()}T09:00", f"{day.isoformat()}T12:00"


def _offline_tiles(page) -> None:
    # No tile server in the test: the map must still show its markers and work.
    page.route(re.compile(r"https?://([a-z]\.)?tile\.openstreetmap\.org/.*"), lambda route: route.abort())


def test_seeker_searches_a_zip_moves_the_map_and_opens_a_listing(page):
    near, far = _austin_listings()
    arrival, departure = _window()
    _offline_tiles(page)

    page.goto("/")
    shot(page, "home-laptop")
    page.get_by_label("Where to?").fill("78701")
    page.get_by_label("Arrival").fill(arrival)
    page.get_by_label("Departure").fill(departure)
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/search/\?where=78701&start="))
    expect(page.locator("#results-summary")).to_have_text("3 spaces near 78701")
    expect(page.locator(".result-card")).to_have_count(3)
    expect(page.locator(".price-marker")).to_have_count(3)
    # With a window the markers show the price of the stay: 3 hours at $6 plus the 10 % service fee.
    expect(page.locator(".price-marker", has_text="$19.80")).to_have_count(1)
    shot(page, "search-laptop")

    # Zooming out searches the visible area: the listing further out appears, the URL follows.
    page.locator(".leaflet-control-zoom-out").click()
    expect(page.locator(".result-card")).to_have_count(4)
    expect(page.locator(".price-marker")).to_have_count(4)
    expect(page).to_have_url(re.compile(r"bbox="))
    expect(page.locator("#results-summary")).to_have_text("4 spaces in this map area")

    # A filter narrows the list without a reload and lands in the URL.
    page.locator(".filters > summary").click()
    page.get_by_role("group", name="Type of space").get_by_text("Garage").click()
    expect(page.locator(".result-card")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"spot_type=GARAGE"))
    expect(page.locator("#filter-count")).to_have_text(re.compile("1"))
    shot(page, "search-laptop-filters")
    page.get_by_role("group", name="Type of space").get_by_text("Garage").click()
    expect(page.locator(".result-card")).to_have_count(4)

    # Hovering a card lights up its marker; clicking a marker lights up its card.
    card = page.locator(f'.result-card[data-listing-id="{far.pk}"]')
    card.hover()
    expect(page.locator(f'.price-marker[data-listing-id="{far.pk}"]')).to_have_class(re.compile("is-active"))
    page.locator(f'.price-marker[data-listing-id="{near[2].pk}"] span').click()
    expect(page.locator(f'.result-card[data-listing-id="{near[2].pk}"]')).to_have_class(re.compile("is-active"))
    shot(page, "search-laptop-zoomed-out")

    # The card opens the listing with the window: the price breakdown is there, and the Book button carries it.
    page.locator(f'.result-card[data-listing-id="{near[0].pk}"] h3 a').click()
    expect(page.get_by_role("heading", name="Covered garage on Congress Ave")).to_be_visible()
    breakdown = page.locator(".breakdown")
    expect(breakdown).to_contain_text("3 hours")
    expect(breakdown).to_contain_text("$18.00")
    expect(breakdown).to_contain_text("$19.80")
    book = page.get_by_role("link", name=re.compile(r"^Book"))
    expect(book).to_have_attribute("href", re.compile(rf"/bookings/new/\?listing={near[0].pk}&start="))
    expect(page.locator(".review")).to_contain_text("Easy to find")
    back = page.get_by_role("link", name="← Back to search")
    expect(back).to_have_attribute("href", re.compile(r"^/search/\?.*bbox="))  # the very search, map area and all

    # Changing the departure updates the price live: five hours cost more than the day rate, so a day is billed.
    page.get_by_label("Departure").fill(departure.replace("T12:00", "T14:00"))
    expect(breakdown).to_contain_text("1 day")
    expect(breakdown).to_contain_text("$27.50")
    shot(page, "listing-laptop")
    assert not page.js_errors


def test_search_and_listing_on_a_phone(phone):
    near, _ = _austin_listings()
    arrival, departure = _window()
    _offline_tiles(phone)

    phone.goto("/")
    shot(phone, "home-phone")
    phone.get_by_label("Where to?").fill("Atlantis")
    phone.get_by_role("button", name="Search").click()
    expect(phone.locator("#error-where")).to_contain_text("find “Atlantis”")
    shot(phone, "search-phone-not-found")

    phone.goto(f"/search/?where=78701&start={arrival}&end={departure}")
    expect(phone.locator(".result-card")).to_have_count(3)
    expect(phone.locator("#search-map")).to_be_hidden()
    shot(phone, "search-phone-list")

    phone.get_by_role("button", name="Show map").click()
    expect(phone.locator("#search-map")).to_be_visible()
    expect(phone.locator(".price-marker")).to_have_count(3)
    shot(phone, "search-phone-map")
    phone.get_by_role("button", name="Show list").click()

    phone.locator(f'.result-card[data-listing-id="{near[0].pk}"] h3 a').click()
    expect(phone.locator(".breakdown")).to_contain_text("$19.80")
    shot(phone, "listing-phone")
    assert not phone.js_errors
