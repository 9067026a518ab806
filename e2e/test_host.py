"""A host answers a booking request in place, then reads their dashboard, calendar and earnings, on a laptop and on
a phone."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from apps.analytics.models import ListingView, SearchQuery
from apps.analytics.tests.factories import ListingViewFactory, SearchQueryFactory
from apps.bookings import services
from apps.bookings.models import Booking
from apps.bookings.tests.conftest import VEHICLE
from apps.bookings.tests.factories import BookingFactory
from apps.listings.models import Listing
from apps.listings.tests.factories import ListingFactory
from apps.payments.models import Payout
from apps.payments.tests.factories import PayoutFactory, PayoutItemFactory
from apps.users.tests.factories import PASSWORD, HostFactory, UserFactory
from e2e.conftest import shot, sign_in


def _history(host):
    """Four weeks of a host's life: two listings, stays behind them, views every day, one payout sent."""
    garage = ListingFactory(host=host, title="Covered garage on Rainey St", spaces_available=2)
    driveway = ListingFactory(host=host, title="Driveway near the stadium", instant_booking=False)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    Listing.objects.filter(host=host).update(created_at=now - timedelta(days=90))
    stays = []
    for days_ago in range(1, 27, 2):
        listing = garage if days_ago % 3 else driveway
        start = now - timedelta(days=days_ago, hours=days_ago % 5)
        stays.append(
            BookingFactory(
                listing=listing,
                guest=UserFactory(first_name="Sam"),
                start_datetime=start,
                end_datetime=start + timedelta(hours=3 + days_ago % 6),
                status=Booking.Status.COMPLETED,
                subtotal=Decimal(20 + 3 * (days_ago % 7)),
            )
        )
    for booking in stays:
        Booking.objects.filter(pk=booking.pk).update(created_at=booking.start_datetime - timedelta(days=2))
    views = []
    for days_ago in range(28):
        for number in range((days_ago * 7) % 11 + 2):
            view = ListingViewFactory(listing=garage if number % 2 else driveway)
            views.append((view.pk, now - timedelta(days=days_ago, hours=number)))
    for pk, moment in views:
        ListingView.objects.filter(pk=pk).update(viewed_at=moment)
    for days_ago in range(0, 28, 2):
        search = SearchQueryFactory(result_listing_ids=[garage.pk, driveway.pk][: 1 + days_ago % 2])
        SearchQuery.objects.filter(pk=search.pk).update(searched_at=now - timedelta(days=days_ago, hours=2))
    paid_stays = stays[6:]
    paid = PayoutFactory(
        host=host,
        amount=sum(b.host_payout for b in paid_stays),
        status=Payout.Status.PAID,
        period_start=min(b.end_datetime for b in paid_stays).date(),
        period_end=max(b.end_datetime for b in paid_stays).date(),
    )
    Payout.objects.filter(pk=paid.pk).update(paid_at=now - timedelta(days=5))
    for booking in paid_stays:
        PayoutItemFactory(payout=paid, booking=booking, amount=booking.host_payout)
    BookingFactory(listing=garage, guest=UserFactory(first_name="Ana"), start_datetime=now + timedelta(days=1))
    return garage, driveway


def _request(listing, first_name: str, days: int):
    start = (timezone.now() + timedelta(days=days)).replace(hour=15, minute=0, second=0, microsecond=0)
    return services.create_booking(
        guest=UserFactory(first_name=first_name),
        listing_id=listing.pk,
        start_datetime=start,
        end_datetime=start + timedelta(hours=3),
        vehicle=VEHICLE,
        payment_method="pm_card_visa",
        guest_notes="I'll be there around 3, thanks!",
    )


def test_a_host_approves_a_request_in_place_and_reads_the_dashboard(page):
    host = HostFactory(first_name="Hana")
    garage, driveway = _history(host)
    request = _request(driveway, "Dev", days=2)
    _request(driveway, "Lee", days=4)

    sign_in(page, host.email, PASSWORD)
    page.goto("/host/bookings/")
    row = page.locator(f"#request-{request.pk}")
    expect(row).to_contain_text("Dev")
    expect(row).to_contain_text("Driveway near the stadium")
    expect(row).to_contain_text(re.compile(r"Expires in 2\d\shours"))
    shot(page, "host-requests-laptop")
    row.get_by_role("button", name=re.compile("Approve")).click()
    expect(row).to_contain_text("Confirmed")  # swapped in place, no page load
    expect(row.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)
    expect(page.locator("#host-live")).to_contain_text("Approved")
    request.refresh_from_db()
    assert request.status == "CONFIRMED" and request.payment_status == "succeeded"
    shot(page, "host-requests-approved-laptop")

    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(5)
    expect(page.get_by_role("img", name="Views per day")).to_be_visible()
    expect(page.get_by_role("img", name="Earnings per day")).to_be_visible()
    assert page.locator("svg.chart rect.bar").count() > 20
    page.get_by_role("link", name="Per week").click()
    expect(page.get_by_role("img", name="Occupancy per week")).to_be_visible()
    page.get_by_role("link", name="Per day").click()
    page.locator("details.numbers summary").click()
    expect(page.locator("details.numbers table")).to_be_visible()
    shot(page, "host-dashboard-laptop")

    page.goto(f"/host/bookings/calendar/{garage.pk}/")
    expect(page.locator("table.calendar caption")).to_contain_text("times in America/Chicago")
    shot(page, "host-calendar-laptop")
    page.get_by_role("link", name="Earnings").first.click()
    expect(page.get_by_role("heading", name="Earnings")).to_be_visible()
    shot(page, "host-earnings-laptop")
    assert not page.js_errors


def test_a_host_declines_a_request_and_reads_everything_on_a_phone(phone):
    host = HostFactory(first_name="Hana")
    garage, driveway = _history(host)
    request = _request(driveway, "Dev", days=2)
    _request(driveway, "Lee", days=3)

    sign_in(phone, host.email, PASSWORD)
    phone.goto("/host/bookings/")
    row = phone.locator(f"#request-{request.pk}")
    shot(phone, "host-requests-phone")
    row.get_by_text("Decline…").click()
    row.get_by_label(re.compile("Reason")).fill("Sorry, the driveway is being resurfaced that day.")
    row.get_by_role("button", name="Decline request").click()
    expect(row).to_contain_text("Cancelled")
    request.refresh_from_db()
    assert request.status == "CANCELLED" and "resurfaced" in request.cancellation_reason

    phone.goto("/host/dashboard/")
    expect(phone.locator("svg.chart")).to_have_count(5)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the dashboard scrolls sideways on a phone ({width}px)"
    shot(phone, "host-dashboard-phone")
    phone.goto(f"/host/bookings/calendar/{garage.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "host-calendar-phone")
    phone.goto("/host/earnings/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "host-earnings-phone")
    assert not phone.js_errors
