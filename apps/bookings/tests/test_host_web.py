"""The host's bookings page: requests answered through the booking services (htmx swaps the row, a plain form post
comes back to the page), readable refusals, upcoming stays with their check-in state and the no-show button, and
nobody else's bookings."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from apps.bookings import services
from apps.bookings.models import Booking
from apps.bookings.tests.conftest import VEHICLE, window
from apps.bookings.tests.factories import BookingFactory
from apps.listings.tests.factories import ListingFactory
from apps.users.tests.factories import HostFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def request_booking(guest, listing, *, days: float = 3, hours: float = 2) -> Booking:
    """A real request: made through the booking service, its payment authorised and waiting for the host."""
    start, end = window(days=days, hours=hours)
    return services.create_booking(
        guest=guest,
        listing_id=listing.pk,
        start_datetime=start,
        end_datetime=end,
        vehicle=VEHICLE,
        payment_method="pm_card_visa",
        guest_notes="Arriving after work",
    )


@pytest.fixture
def request_only(make_listing):
    return make_listing(instant_booking=False, title="Driveway on Elm St")


def url(name: str, booking: Booking) -> str:
    return reverse(name, args=[booking.booking_code])


def test_the_host_sees_each_request_with_guest_window_vehicle_price_and_time_left(host, guest, request_only):
    booking = request_booking(guest, request_only)
    page = browser(host).get(reverse("host_requests"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Gil" in body and "New guest" in body and "Driveway on Elm St" in body
    local_start = booking.start_datetime.astimezone(ZoneInfo(request_only.time_zone))
    assert local_start.strftime("%b ") + str(local_start.day) in body  # the window in the listing's time
    assert re.search(r"C[SD]T", body)  # Austin's zone, not UTC
    assert "Silver Toyota Corolla · TX ABC 1234" in body
    assert f"${booking.host_payout}" in body and f"${booking.total_amount}" in body
    assert "Expires in 23\xa0hours" in body
    assert "Arriving after work" in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_approving_through_htmx_swaps_the_row_and_confirms_and_charges(host, guest, request_only):
    booking = request_booking(guest, request_only)
    response = browser(host).post(url("host_booking_approve", booking), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="request-{booking.pk}"' in body and "Confirmed" in body
    assert url("host_booking_approve", booking) not in body and "Decline" not in body
    assert 'id="host-live"' in body and 'hx-swap-oob="true"' in body and "Approved" in body
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "succeeded")


def test_approving_with_a_plain_form_comes_back_to_the_page_with_a_message(host, guest, request_only):
    booking = request_booking(guest, request_only)
    client = browser(host)
    response = client.post(url("host_booking_approve", booking))
    assert response.status_code == 302 and response["Location"] == reverse("host_requests")
    page = client.get(reverse("host_requests")).content.decode()
    assert "Approved: Gil is booked" in page
    booking.refresh_from_db()
    assert booking.status == "CONFIRMED"


def test_declining_with_a_reason_releases_the_payment(host, guest, request_only):
    booking = request_booking(guest, request_only)
    prefix = f"decline-{booking.pk}"
    response = browser(host).post(url("host_booking_decline", booking), {f"{prefix}-reason": "Resurfacing"}, **HTMX)
    assert response.status_code == 200 and "Cancelled" in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("CANCELLED", "released")
    assert booking.cancellation_reason == "Resurfacing"


def test_a_reason_too_long_is_shown_next_to_the_field_and_kept(host, guest, request_only):
    booking = request_booking(guest, request_only)
    prefix = f"decline-{booking.pk}"
    reason = "Sorry, " + "x" * 1000
    client = browser(host)
    htmx = client.post(url("host_booking_decline", booking), {f"{prefix}-reason": reason}, **HTMX)
    assert htmx.status_code == 422
    body = htmx.content.decode()
    assert f'id="id_{prefix}-reason_error"' in body and reason in body and '<details class="decline" open' in body
    plain = client.post(url("host_booking_decline", booking), {f"{prefix}-reason": reason})
    assert plain.status_code == 400
    assert f'id="id_{prefix}-reason_error"' in plain.content.decode() and reason in plain.content.decode()
    booking.refresh_from_db()
    assert booking.status == "PENDING"


def test_a_request_that_lapsed_meanwhile_says_so_readably(host, guest, request_only):
    booking = request_booking(guest, request_only)
    with freeze_time(timezone.now() + timedelta(hours=25)):
        services.expire_pending_bookings()
    client = browser(host)
    htmx = client.post(url("host_booking_approve", booking), **HTMX)
    assert htmx.status_code == 422
    body = htmx.content.decode()
    assert 'role="alert"' in body and "A cancelled booking cannot be approved." in body and "Cancelled" in body
    plain = client.post(url("host_booking_decline", booking))
    assert plain.status_code == 302
    assert "A cancelled booking cannot be declined." in client.get(reverse("host_requests")).content.decode()


def test_nobody_else_can_answer_a_request_not_even_its_guest(host, guest, request_only):
    booking = request_booking(guest, request_only)
    for outsider in (guest, UserFactory(), HostFactory()):
        client = browser(outsider)
        for name in ("host_booking_approve", "host_booking_decline", "host_booking_no_show"):
            assert client.post(url(name, booking), **HTMX).status_code == 404
        assert f'id="request-{booking.pk}"' not in client.get(reverse("host_requests")).content.decode()
    booking.refresh_from_db()
    assert booking.status == "PENDING"
    assert browser(host).get(url("host_booking_approve", booking)).status_code == 405
    assert Client().post(url("host_booking_approve", booking)).status_code == 302  # to sign in


def test_the_answer_forms_are_protected_against_cross_site_posts(host, guest, request_only):
    booking = request_booking(guest, request_only)
    client = Client(enforce_csrf_checks=True)
    client.force_login(host)
    assert client.post(url("host_booking_approve", booking)).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "PENDING"


def test_upcoming_stays_show_their_check_in_and_a_no_show_button_once_the_service_allows_it(host, guest, listing):
    now = timezone.now()
    later = BookingFactory(listing=listing, guest=guest, start_datetime=now + timedelta(days=2))
    checked_in = BookingFactory(
        listing=listing, guest=guest, in_progress=True, start_datetime=now - timedelta(hours=1), hours=3
    )
    late = BookingFactory(
        listing=ListingFactory(host=host), start_datetime=now - timedelta(minutes=45) - timedelta(days=1), hours=30
    )
    just_started = BookingFactory(listing=ListingFactory(host=host), start_datetime=now - timedelta(minutes=10))
    BookingFactory(listing=listing, completed=True)  # over: not listed

    client = browser(host)
    body = client.get(reverse("host_requests")).content.decode()
    assert all(f'id="upcoming-{b.pk}"' in body for b in (later, checked_in, late, just_started))
    assert body.count('class="card host-row') == 4
    assert "Checked in</span> at" in body and "starts in 1\xa0day" in body
    assert body.count("Report a no-show") == 1 and url("host_booking_no_show", late) in body
    assert "You can report a no-show from" in body

    too_early = client.post(url("host_booking_no_show", just_started), **HTMX)
    assert too_early.status_code == 422
    assert "A no-show can be reported 30 minutes after the start." in too_early.content.decode()
    reported = client.post(url("host_booking_no_show", late), **HTMX)
    assert reported.status_code == 200 and "No show" in reported.content.decode()
    late.refresh_from_db()
    assert late.status == "NO_SHOW"


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("host_requests")).status_code == 200
    return len(queries)


def test_the_page_runs_a_fixed_number_of_queries_however_many_bookings(host, guest, make_listing):
    listing = make_listing(instant_booking=False, spaces_available=3)
    request_booking(guest, listing)
    BookingFactory(listing=listing, start_datetime=timezone.now() + timedelta(days=5))
    client = browser(host)
    few = _page_queries(client)
    for day in range(4, 10):
        request_booking(UserFactory(), listing, days=day)
        BookingFactory(listing=ListingFactory(host=host), start_datetime=timezone.now() + timedelta(days=day))
    assert _page_queries(client) == few <= 12


def test_a_host_with_nothing_to_answer_sees_friendly_empty_states():
    body = browser(HostFactory()).get(reverse("host_requests")).content.decode()
    assert "No requests waiting" in body and "Nothing coming up yet" in body
