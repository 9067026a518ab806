"""A driver books a space in the browser with the sandbox's test card and gets the parking pass with its QR code;
a declined card is explained next to the payment choice and books nothing. Screenshots: laptop and phone."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from apps.bookings import selectors
from apps.bookings.models import Booking
from apps.bookings.tests.factories import BookingFactory
from apps.listings.tests.factories import ListingFactory, ListingPhotoFactory
from apps.users.tests.factories import PASSWORD, HostFactory, UserFactory
from e2e.conftest import shot, sign_in


def _window(listing, *, days: int = 3, hours: int = 3):
    zone = ZoneInfo(listing.time_zone)
    start = (timezone.now() + timedelta(days=days)).astimezone(zone).replace(hour=9, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def _booking_url(listing, start, end) -> str:
    query = {"listing": listing.pk, "start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{end:%Y-%m-%dT%H:%M}"}
    return "/bookings/new/?" + urlencode(query)


def _listing():
    host = HostFactory(first_name="Hana")
    listing = ListingFactory(
        host=host,
        title="Covered driveway by Zilker Park",
        address="1100 Barton Springs Rd",
        price_per_hour=Decimal("4.00"),
        price_per_day=Decimal("25.00"),
    )
    ListingPhotoFactory(listing=listing)
    return listing


def test_a_driver_books_with_the_sandbox_card_and_gets_the_pass_with_a_qr_code(page, another_page):
    listing = _listing()
    driver = UserFactory(first_name="Dev", last_name="Driver")
    start, end = _window(listing)

    sign_in(page, driver.email, PASSWORD)
    page.goto(_booking_url(listing, start, end))
    expect(page.get_by_role("heading", name="Confirm and pay")).to_be_visible()
    three_hours = selectors.quote_window(listing, start, end)
    expect(page.locator("#quote .total")).to_contain_text(f"${three_hours.total_amount}")

    # Changing the departure re-prices the window at once (htmx), and the pay button follows.
    five_hours = selectors.quote_window(listing, start, end + timedelta(hours=2))
    page.get_by_label("Leave").fill(f"{end + timedelta(hours=2):%Y-%m-%dT%H:%M}")
    page.get_by_label("Leave").dispatch_event("change")
    expect(page.locator("#quote .total")).to_contain_text(f"${five_hours.total_amount}")
    expect(page.get_by_role("button", name=re.compile("Book and pay"))).to_contain_text(f"${five_hours.total_amount}")

    page.get_by_label("Make").fill("Subaru")
    page.get_by_label("Model").fill("Outback")
    page.get_by_label("Color").fill("Green")
    page.get_by_label("License plate").fill("kpx 4410")
    page.get_by_label("Plate state").select_option("TX")
    expect(page.get_by_label("Test Visa ending 4242 (approved)")).to_be_checked()
    page.get_by_label("Notes for the host (optional)").fill("Arriving from the south side.")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "booking-new-laptop")
    page.get_by_role("button", name=re.compile("Book and pay")).click()

    expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}/$"))
    expect(page.get_by_text("You're booked!")).to_be_visible()
    expect(page.locator(".pass svg.qr")).to_be_visible()
    expect(page.locator(".pass-plate")).to_contain_text("KPX 4410")
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED and booking.total_amount == five_hours.total_amount
    assert booking.end_datetime == end + timedelta(hours=2)
    box = page.locator(".pass svg.qr").bounding_box()
    assert box["width"] >= 200  # big enough to scan from a phone held up to a camera
    shot(page, "booking-pass-laptop")
    page.emulate_media(media="print")  # printable: the pass alone, with the access details when due
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".pass svg.qr")).to_be_visible()
    shot(page, "booking-pass-print")
    page.emulate_media(media="screen")

    # The same pass on the driver's phone.
    phone = another_page(width=360, height=740)
    sign_in(phone, driver.email, PASSWORD)
    phone.goto(f"/bookings/{booking.booking_code}/")
    expect(phone.locator(".pass svg.qr")).to_be_visible()
    qr = phone.locator(".pass svg.qr").bounding_box()
    assert qr["width"] >= 240 and qr["x"] >= 0 and qr["x"] + qr["width"] <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out sideways
    shot(phone, "booking-pass-phone")

    # Cancelling shows the refund first.
    phone.get_by_role("link", name="Cancel booking").click()
    expect(phone.locator(".refund-amount")).to_contain_text(f"${booking.total_amount} back to you")
    shot(phone, "booking-cancel-phone")
    phone.get_by_role("link", name="Keep it").click()
    phone.goto("/bookings/")
    expect(phone.locator(".booking-row")).to_contain_text("Covered driveway by Zilker Park")
    shot(phone, "my-bookings-phone")
    assert not page.js_errors and not phone.js_errors


def test_a_declined_card_is_explained_and_books_nothing(phone):
    listing = _listing()
    driver = UserFactory(first_name="Dana")
    BookingFactory(guest=driver, completed=True, vehicle_make="Ford", vehicle_model="Focus", vehicle_color="Red")
    start, end = _window(listing, days=5, hours=2)

    sign_in(phone, driver.email, PASSWORD)
    phone.goto(_booking_url(listing, start, end))
    expect(phone.get_by_label("Make")).to_have_value("Ford")  # remembered from the last booking
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "booking-new-phone")
    phone.get_by_label("Test Visa ending 0002 (declined)").check()
    phone.get_by_role("button", name=re.compile("Book and pay")).click()

    error = phone.locator("#payment-error")
    expect(error).to_contain_text("Your card was declined. Nothing was charged; try another card.")
    expect(phone.get_by_label("Make")).to_have_value("Ford")
    assert Booking.objects.filter(listing=listing).count() == 0
    error.scroll_into_view_if_needed()
    shot(phone, "booking-declined-phone")

    # Another card then goes through.
    phone.get_by_label("Test Mastercard ending 4444 (approved)").check()
    phone.get_by_role("button", name=re.compile("Book and pay")).click()
    expect(phone.locator(".pass svg.qr")).to_be_visible()
    assert Booking.objects.filter(listing=listing).count() == 1
    assert not phone.js_errors


def test_a_driver_reviews_a_completed_stay_with_keyboard_friendly_stars(page, phone):
    listing = _listing()
    driver = UserFactory(first_name="Rae")
    stay = BookingFactory(guest=driver, listing=listing, completed=True)

    sign_in(page, driver.email, PASSWORD)
    page.goto("/bookings/?tab=past")
    page.get_by_role("link", name=re.compile("Review")).click()
    expect(page.get_by_role("heading", name=f"How was {listing.title}?")).to_be_visible()
    page.get_by_role("group", name=re.compile("Overall")).get_by_label("4 stars: very good").check()
    # The stars are radios: the keyboard moves along them.
    location = page.get_by_role("group", name=re.compile("Location"))
    location.get_by_label("1 star: poor").focus()
    page.keyboard.press("Space")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(location.get_by_label("5 stars: excellent")).to_be_checked()
    page.get_by_label("Your review").fill("Easy to find, wide enough for our van, and Hana answered in minutes.")
    shot(page, "review-write-laptop")
    page.get_by_role("button", name="Publish my review").click()
    expect(page.get_by_text("Your review appears once the host writes theirs")).to_be_visible()
    review = stay.reviews.get()
    assert (review.overall_rating, review.location_rating) == (4, 5)

    # The host answers on a phone once both reviews are out.
    sign_in(phone, listing.host.email, PASSWORD)
    phone.goto(f"/reviews/write/{stay.booking_code}/")
    phone.get_by_role("group", name=re.compile("Overall")).get_by_label("5 stars: excellent").check()
    phone.get_by_label("Your review").fill("Great guest, left on time.")
    shot(phone, "review-write-phone")
    phone.get_by_role("button", name="Publish my review").click()
    expect(phone.get_by_text("Both reviews are now published")).to_be_visible()
    phone.goto("/reviews/")
    phone.get_by_role("link", name=re.compile("Respond")).click()
    phone.get_by_label("Your public response").fill("Thank you, come back any time!")
    phone.get_by_role("button", name="Publish my response").click()
    expect(phone.locator(".review").first).to_contain_text("Thank you, come back any time!")
    shot(phone, "reviews-phone")
    assert not page.js_errors and not phone.js_errors
