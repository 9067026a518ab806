"""The Content Security Policy in a real browser: chromium loads the pages with the most moving parts (the search map
with Leaflet, htmx, the booking form's inline script, the parking pass, Swagger UI) and reports every violation the
policy raises. None is allowed: a violation is a script that did not run or a style that did not apply."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from apps.bookings.tests.factories import BookingFactory
from apps.listings.tests.factories import ListingFactory
from apps.users.tests.factories import PASSWORD, UserFactory
from e2e.conftest import sign_in

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.mark.slow
def test_the_busiest_pages_raise_no_content_security_policy_violation(page):
    listing = ListingFactory(title="Driveway by the park")
    driver = UserFactory()
    booking = BookingFactory(listing=listing, guest=driver)
    start = (timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    window = {"start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{start + timedelta(hours=3):%Y-%m-%dT%H:%M}"}
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.context.route("https://*.openstreetmap.org/**", lambda route: route.abort())  # no network in CI
    sign_in(page, driver.email, PASSWORD)

    violations = {}
    for path in (
        "/",
        "/search/?" + urlencode({"lat": listing.location.y, "lng": listing.location.x}),
        f"/listings/{listing.pk}/",
        "/bookings/new/?" + urlencode({"listing": listing.pk, **window}),
        f"/bookings/{booking.booking_code}/",
        "/inbox/",
        "/api/docs/",
    ):
        page.goto(path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # htmx and Leaflet set themselves up after load
        if found := page.evaluate("window.__cspViolations"):
            violations[path] = found

    assert not violations, violations
    assert not page.js_errors, page.js_errors
