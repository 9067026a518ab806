"""A driver and a host exchange messages in the browser; each sees the other's message arrive without reloading."""

import re

from playwright.sync_api import expect

from apps.listings.tests.factories import ListingFactory
from apps.users.tests.factories import PASSWORD, HostFactory, UserFactory
from e2e.conftest import shot, sign_in


def test_driver_and_host_exchange_messages_live(page, another_page):
    host = HostFactory(first_name="Hana", last_name="Host")
    listing = ListingFactory(host=host, title="Covered driveway near the stadium")
    driver = UserFactory(first_name="Dev", last_name="Driver")

    sign_in(page, driver.email, PASSWORD)
    page.goto(f"/inbox/new/?listing={listing.pk}")
    page.get_by_label("Your message").fill("Hi! Is the driveway wide enough for a pickup? Call me at 512-555-0199")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/inbox/\d+/$"))
    expect(page.locator(".msg.mine")).to_contain_text("wide enough for a pickup")
    expect(page.locator(".msg.mine .note")).to_contain_text("hidden until a booking is confirmed")

    host_page = another_page()
    sign_in(host_page, host.email, PASSWORD)
    host_page.goto("/inbox/")
    # The inbox's badge (the new message also shows on the notifications badge).
    expect(host_page.locator(".nav a[href='/inbox/'] .badge.count")).to_have_text(re.compile("1"))
    shot(host_page, "messaging-host-inbox")
    host_page.get_by_role("link", name=re.compile("Dev D")).click()
    expect(host_page.locator(".msg").first).to_contain_text("wide enough")
    host_page.get_by_role("textbox", name="Message").fill("Yes, 9 ft wide. See you Saturday!")
    host_page.get_by_role("button", name="Send").click()
    expect(host_page.locator(".msg.mine")).to_contain_text("9 ft wide")  # sent without a reload
    expect(host_page.get_by_role("textbox", name="Message")).to_have_value("")

    # The driver's open thread polls: the answer appears without reloading.
    expect(page.locator(".msg:not(.mine)")).to_contain_text("9 ft wide", timeout=12_000)
    shot(page, "messaging-driver-thread")
    assert not page.js_errors and not host_page.js_errors
