"""A host lists a space in the browser, step by step: basics, the address placed on the map and the pin dragged to
the entrance, prices and features, photos uploaded and reordered, a day closed on the calendar, then live.

The map has no tiles here (as offline): the pin must still show, drag and move with the keyboard."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from apps.listings.models import Listing
from apps.users.tests.factories import PASSWORD, HostFactory
from e2e.conftest import shot, sign_in


@pytest.fixture(autouse=True)
def _no_map_tiles(settings, live_server):
    # Tiles that never load, like a machine without network: the map is blank, the pin still works.
    settings.MAP_TILES_URL = live_server.url + "/static/no-tiles/{z}/{x}/{y}.png"


def photo(color: str, name: str) -> dict:
    data = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(data, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": data.getvalue()}


def test_a_host_lists_a_space_step_by_step_and_activates_it(page, phone):
    host = HostFactory(first_name="Hana")
    sign_in(page, host.email, PASSWORD)

    # 1. Basics
    page.goto("/host/listings/new/")
    expect(page.locator("#step-title")).to_contain_text("Step 1 of 5")
    page.get_by_role("button", name="Continue").click()  # nothing filled in: errors next to the fields
    expect(page.locator("#id_title_error")).to_contain_text("required")
    page.get_by_label("Title").fill("Covered driveway by the stadium")
    page.get_by_label("Kind of space").select_option("DRIVEWAY")
    page.get_by_label("Description").fill("Wide concrete driveway, fits an SUV. Five minutes' walk to the stadium.")
    shot(page, "host-listing-1-basics")
    page.get_by_role("button", name="Continue").click()

    # 2. Location: place the pin from the address, then drag it and nudge it with the keyboard
    expect(page).to_have_url(re.compile(r"/host/listings/new/location/$"))
    page.get_by_label("Street address").fill("500 E 6th St")
    page.get_by_label("City").fill("Austin")
    page.get_by_label("State").fill("TX")
    page.get_by_label("ZIP code").fill("78701")
    page.get_by_role("button", name="Place the pin at this address").click()
    expect(page.locator("#geocode-status")).to_contain_text("drag it to the exact spot")
    latitude, longitude = page.get_by_label("Latitude"), page.get_by_label("Longitude")
    expect(latitude).to_have_value(re.compile(r"^30\.\d+"))
    placed = (latitude.input_value(), longitude.input_value())

    pin = page.locator("#location-map .leaflet-marker-icon")
    expect(pin).to_be_visible()
    box = pin.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=12)
    page.mouse.up()
    expect(latitude).not_to_have_value(placed[0])
    dragged = (float(latitude.input_value()), float(longitude.input_value()))
    assert dragged[0] < float(placed[0]) and dragged[1] > float(placed[1])  # dragged down and to the right
    pin.focus()
    page.keyboard.press("ArrowUp")
    expect(latitude).not_to_have_value(f"{dragged[0]:.6f}")
    assert float(latitude.input_value()) > dragged[0]
    shot(page, "host-listing-2-location")
    page.get_by_role("button", name="Continue").click()

    # 3. Pricing & features
    expect(page).to_have_url(re.compile(r"/host/listings/new/pricing/$"))
    page.get_by_label("Per hour").fill("4")
    page.get_by_label("Per day").fill("25")
    page.get_by_label("Covered").check()
    page.get_by_label("Security camera").check()
    page.get_by_label("Largest vehicle that fits").select_option("SUV")
    page.get_by_label("Opens at").fill("06:00")
    page.get_by_label("Closes at").fill("05:00")  # before opening: refused next to the field, input kept
    page.get_by_label("Gate code").fill("4821")
    page.get_by_role("button", name="Save listing").click()
    expect(page.locator("#id_available_end_time_error")).to_contain_text("after opening")
    expect(page.get_by_label("Per day")).to_have_value("25")
    expect(page.get_by_label("Covered")).to_be_checked()
    page.get_by_label("Closes at").fill("22:00")
    shot(page, "host-listing-3-pricing")
    page.get_by_role("button", name="Save listing").click()

    # 4. Photos: two at once, then reorder by keyboard and by drag and drop
    expect(page).to_have_url(re.compile(r"/host/listings/\d+/photos/$"))
    listing = Listing.objects.get(host=host)
    assert listing.is_active is False
    assert (round(listing.location.y, 6), round(listing.location.x, 6)) != tuple(map(float, placed))
    two_photos = [photo("#2c5d8a", "street.jpg"), photo("#9a6b2f", "space.jpg")]
    page.get_by_label("Photos to upload").set_input_files(two_photos)
    page.get_by_label("Caption", exact=True).fill("Driveway")
    page.get_by_role("button", name="Upload photos", exact=True).click()
    expect(page.locator(".photo-item")).to_have_count(2)
    expect(page.locator(".live-note")).to_contain_text("2 photos added")
    first, second = (photo.pk for photo in listing.photos.order_by("display_order"))
    page.get_by_role("button", name="Move photo 2 up").click()
    expect(page.locator(".photo-item").first).to_have_attribute("data-photo-id", str(second))
    expect(page.get_by_role("button", name="Move photo 1 down")).to_be_focused()  # focus followed the photo
    page.locator(".photo-item").nth(1).drag_to(page.locator(".photo-item").first)
    expect(page.locator(".photo-item").first).to_have_attribute("data-photo-id", str(first))
    expect(page.locator(".live-note")).to_contain_text("New order saved")
    assert [p.pk for p in listing.photos.order_by("display_order")] == [first, second]
    shot(page, "host-listing-4-photos")
    page.get_by_role("link", name="Continue").click()

    # 5. Availability: close a day of next month by clicking it on the calendar
    expect(page).to_have_url(re.compile(r"/availability/$"))
    page.get_by_role("link", name=re.compile("^Next month")).click()
    expect(page).to_have_url(re.compile(r"\?month=\d{4}-\d{2}$"))
    day = page.locator("a.day-cell").nth(9)
    day_id = day.get_attribute("id")
    day.click()
    expect(page.get_by_label("Date")).to_have_value(day_id.removeprefix("day-"))
    expect(page.locator("#exception-form")).to_be_focused()
    page.get_by_label("Reason").fill("Driveway repaving")
    page.get_by_role("button", name="Save this day").click()
    expect(page.locator(f"#{day_id}")).to_be_focused()
    expect(page.locator(f"td:has(#{day_id})")).to_have_class(re.compile(r"\bclosed\b.*has-exception"))
    expect(page.locator(".exceptions")).to_contain_text("Driveway repaving")
    assert listing.availability_exceptions.get().is_available is False

    # A recurring rule: Saturdays cost more; the calendar shows the new price on each Saturday
    page.get_by_text("Add a rule").click()
    page.get_by_label("Sat", exact=True).check()
    page.get_by_label("Price per hour in this window").fill("6.50")
    page.get_by_label("From time").fill("00:00")
    expect(page.get_by_label("From time")).to_have_value("00:00")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator("#rules")).to_be_focused()
    expect(page.locator(".rule-row").first).to_contain_text("every Sat")
    expect(page.locator("td.day.override").first).to_contain_text("$6.50/h")
    rule = listing.availability_rules.get()
    assert (rule.days_of_week, rule.start_time, rule.price_override) == ([5], dt.time(0), Decimal("6.50"))
    shot(page, "host-listing-5-availability")
    page.get_by_role("link", name="Edit rule 1").click()
    expect(page.locator("#rule-form")).to_have_attribute("open", "")
    page.get_by_label("Price per hour in this window").fill("0")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator("#rule_price_override_error")).to_be_visible()
    shot(page, "host-listing-5-availability-rule-error")
    page.get_by_role("link", name="Cancel").click()

    # Live
    page.get_by_role("button", name="Activate listing").click()
    expect(page.locator(".editor-status .badge")).to_have_text("Live in search")
    listing.refresh_from_db()
    assert listing.is_active
    shot(page, "host-listing-6-live")
    assert not page.js_errors

    # The same steps on a phone
    sign_in(phone, host.email, PASSWORD)
    for step in ("edit", "location", "pricing", "photos", "availability"):
        phone.goto(f"/host/listings/{listing.pk}/{step}/")
        expect(phone.locator(".stepper-progress")).to_be_visible()
        shot(phone, f"host-listing-phone-{step}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{step} scrolls sideways on a phone ({width}px)"
    phone.goto("/host/listings/")
    shot(phone, "host-listing-phone-my-listings")
    assert not phone.js_errors
