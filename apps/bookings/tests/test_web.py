"""A guest's booking pages in the browser: book with a window typed in the listing's local time, the remembered
vehicle and a card; the booking's page with its pass; cancel with the refund shown first; check in and out; the list
of one's bookings. On the same services as the API, so these tests are about the pages: errors next to the right
field, nothing booked on a refusal, no server error on bad input, nobody else's booking."""

import io
import re
import threading
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from PIL import Image

from apps.bookings import selectors, services
from apps.bookings.models import Booking
from apps.bookings.tests.conftest import VEHICLE, window
from apps.bookings.tests.factories import BookingFactory
from apps.listings.tests.factories import NEW_YORK, ListingFactory, ListingPhotoFactory, point
from apps.payments.models import Transaction
from apps.payments.services import save_payment_method
from apps.users import rls
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _local(listing, moment) -> str:
    return moment.astimezone(ZoneInfo(listing.time_zone)).strftime("%Y-%m-%dT%H:%M")


def _new_url(listing, start, end) -> str:
    query = {"listing": listing.pk, "start": _local(listing, start), "end": _local(listing, end)}
    return reverse("booking_new") + "?" + urlencode(query)


def _form(listing, start, end, **overrides) -> dict:
    return {
        "start": _local(listing, start),
        "end": _local(listing, end),
        "make": VEHICLE["make"],
        "model": VEHICLE["model"],
        "color": VEHICLE["color"],
        "license_plate": "ABC 1234",
        "state": "TX",
        "payment_method": "pm_card_visa",
        "guest_notes": "",
        "idempotency_key": "form-key-1",
        "expected_total": str(selectors.quote_window(listing, start, end).total_amount),
        "book": "1",
    } | overrides


def _book(client, listing, start, end, **overrides):
    return client.post(_new_url(listing, start, end), _form(listing, start, end, **overrides))


# --- The booking page -------------------------------------------------------------------------------------------------


def test_the_page_shows_the_window_the_total_with_fees_the_remembered_vehicle_and_the_test_cards(guest, listing):
    BookingFactory(guest=guest, vehicle_make="Honda", vehicle_model="Civic", vehicle_license_plate="XYZ 987")
    start, end = window(days=3, hours=3)
    page = _browser(guest).get(_new_url(listing, start, end))
    body = page.content.decode()
    assert page.status_code == 200
    quote = selectors.quote_window(listing, start, end)
    assert f"${quote.total_amount}" in body and f"${quote.service_fee}" in body and "Service fee" in body
    assert 'value="Honda"' in body and 'value="Civic"' in body and 'value="XYZ 987"' in body
    assert "Filled in from your last booking" in body
    assert 'value="pm_card_visa"' in body and 'value="pm_card_chargeDeclined"' in body
    assert f'value="{_local(listing, start)}"' in body  # the window, editable, in the listing's local time
    assert "America/Chicago" in body
    assert re.search(r'name="idempotency_key" value="[0-9a-f]{32}"', body)


def test_saved_cards_come_first_and_the_default_one_is_chosen(guest, listing):
    save_payment_method(user=guest, token="pm_card_mastercard")
    start, end = window()
    body = _browser(guest).get(_new_url(listing, start, end)).content.decode()
    method = guest.payment_methods.get()
    assert "Your saved cards" in body and "Mastercard ending 4444" in body
    assert re.search(rf'value="{method.pk}"[^>]*checked', body)
    assert body.index("Mastercard ending 4444") < body.index("Test Visa ending 4242")


def test_with_stripe_only_saved_cards_are_offered_and_a_new_card_is_explained(guest, listing, settings):
    settings.PAYMENT_GATEWAY = "apps.payments.gateways.stripe.StripeGateway"
    settings.STRIPE_SECRET_KEY = "sk_test_not_used"
    start, end = window()
    body = _browser(guest).get(_new_url(listing, start, end)).content.decode()
    assert "pm_card_visa" not in body and "You have no saved card yet" in body
    assert "secure card form (Stripe)" in body and '<script src="https://js.stripe.com' not in body
    assert re.search(r'name="book" value="1"\s+disabled', body)


def test_signing_in_is_required_and_brings_the_driver_back_to_the_same_window(listing):
    start, end = window()
    url = _new_url(listing, start, end)
    response = Client().get(url)
    location = urlsplit(response["Location"])
    assert response.status_code == 302 and location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [url]


def test_an_unverified_email_is_told_how_to_verify_and_cannot_book(listing):
    unverified = UserFactory(unverified=True)
    start, end = window()
    browser = _browser(unverified)
    page = browser.get(_new_url(listing, start, end)).content.decode()
    assert "Verify your email to book" in page and reverse("resend_verification") in page
    assert 'id="booking-form"' not in page
    response = _book(browser, listing, start, end)
    assert response.status_code == 403 and "Verify your email to book" in response.content.decode()
    assert not Booking.objects.exists()


def test_an_instant_booking_is_confirmed_and_opens_its_pass(guest, listing):
    start, end = window(hours=3)
    quote, browser = selectors.quote_window(listing, start, end), _browser(guest)
    response = _book(browser, listing, start, end, guest_notes="Blue hatchback, back by 6")
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("booking_detail", args=[booking.booking_code])
    assert booking.status == Booking.Status.CONFIRMED and booking.guest == guest
    assert (booking.start_datetime, booking.end_datetime) == (start, end)
    assert booking.vehicle_license_plate == "ABC 1234" and booking.guest_notes == "Blue hatchback, back by 6"
    assert booking.total_amount == quote.total_amount and booking.service_fee == quote.service_fee
    page = browser.get(response["Location"]).content.decode()
    assert "You&#x27;re booked! Show this pass at the space." in page


def test_a_request_waits_for_the_host_who_answers_within_24_hours(guest, make_listing):
    listing = make_listing(instant_booking=False)
    start, end = window()
    browser = _browser(guest)
    assert "Request to book" in browser.get(_new_url(listing, start, end)).content.decode()
    response = _book(browser, listing, start, end)
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.PENDING
    page = browser.get(response["Location"]).content.decode()
    assert "Waiting for the host" in page and "answers within 24 h" in page
    assert "The host answers within 24 hours" in page  # the message after booking


def test_the_window_is_read_in_the_listings_time_zone(guest):
    listing = ListingFactory(location=point(*NEW_YORK))
    assert listing.time_zone == "America/New_York"
    local_start = (timezone.now() + timedelta(days=4)).astimezone(ZoneInfo("America/New_York"))
    local_start = local_start.replace(hour=9, minute=0, second=0, microsecond=0)
    start, end = local_start, local_start + timedelta(hours=2)
    _book(_browser(guest), listing, start, end)
    booking = Booking.objects.get()
    assert booking.start_datetime == start and booking.start_datetime.astimezone(ZoneInfo("America/New_York")).hour == 9


@pytest.mark.parametrize("token", ["pm_card_chargeDeclined", "pm_card_insufficientFunds"])
def test_a_declined_card_is_explained_next_to_the_payment_field_and_books_nothing(guest, listing, token):
    start, end = window()
    response = _book(_browser(guest), listing, start, end, payment_method=token)
    body = response.content.decode()
    assert response.status_code == 402
    assert re.search(r'<p class="error" id="payment-error" role="alert">Your card [^<]+ Nothing was charged', body)
    assert not Booking.objects.exists()
    with rls.as_system():
        assert Transaction.objects.get().status == Transaction.Status.FAILED
    # What was typed is kept, and the next try is a new attempt (a new key), so another card can be used.
    assert 'value="ABC 1234"' in body and 'name="idempotency_key" value="form-key-1"' not in body
    assert re.search(rf'value="{token}"[^>]*checked', body)


def test_a_taken_window_says_why_and_books_nothing(guest, listing):
    start, end = window()
    BookingFactory(listing=listing, start_datetime=start, end_datetime=end)
    page = _browser(guest).get(_new_url(listing, start, end))
    assert page.status_code == 200 and "Every space is already booked during this window." in page.content.decode()
    assert 'name="expected_total"' not in page.content.decode()  # no price for a window that cannot be booked


def test_a_window_taken_between_showing_and_booking_is_refused_with_the_reason(guest, listing):
    start, end = window()
    form = _form(listing, start, end)
    BookingFactory(listing=listing, start_datetime=start, end_datetime=end)
    response = _browser(guest).post(_new_url(listing, start, end), form)
    assert response.status_code == 409 and "Every space is already booked" in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_price_that_changed_since_it_was_shown_is_shown_again_before_booking(guest, listing):
    start, end = window()
    response = _book(_browser(guest), listing, start, end, expected_total="1.00")
    quote = selectors.quote_window(listing, start, end)
    assert response.status_code == 400
    assert f"The price for this window is ${quote.total_amount}" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_double_submit_books_once(guest, listing):
    start, end = window()
    browser, form, url = _browser(guest), _form(listing, start, end), _new_url(listing, start, end)
    first, second = browser.post(url, form), browser.post(url, form)
    booking = Booking.objects.get()
    assert first["Location"] == second["Location"] == reverse("booking_detail", args=[booking.booking_code])


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_submission_at_the_same_moment_book_once(guest, make_listing):
    listing = make_listing(spaces_available=2)
    start, end = window()
    form, url = _form(listing, start, end), _new_url(listing, start, end)
    answers, barrier = [], threading.Barrier(2)

    def submit():
        try:
            browser = _browser(guest)
            barrier.wait()
            answers.append(browser.post(url, form))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    booking = Booking.objects.get()
    assert [answer.status_code for answer in answers] == [302, 302]
    assert {answer["Location"] for answer in answers} == {reverse("booking_detail", args=[booking.booking_code])}


def test_vehicle_errors_are_next_to_their_fields_and_what_was_typed_is_kept(guest, listing):
    start, end = window()
    browser = _browser(guest)
    response = _book(browser, listing, start, end, make="", guest_notes="Late arrival")
    body = response.content.decode()
    assert response.status_code == 400 and re.search(r'id="id_make_error">This field is required', body)
    assert "Late arrival" in body
    # The service's own refusal (the plate's format) goes next to the plate too.
    response = _book(browser, listing, start, end, license_plate="!!", guest_notes="Late arrival")
    body = response.content.decode()
    assert response.status_code == 400 and re.search(r'id="id_license_plate_error">Enter the plate as printed', body)
    assert 'value="!!"' in body and not Booking.objects.exists()


def test_someone_elses_saved_card_cannot_be_chosen(guest, listing):
    stranger = UserFactory()
    method = save_payment_method(user=stranger, token="pm_card_visa")
    start, end = window()
    response = _book(_browser(guest), listing, start, end, payment_method=str(method.pk))
    assert response.status_code == 400 and 'id="payment-error"' in response.content.decode()
    assert not Booking.objects.exists()


def test_a_host_cannot_book_their_own_space(host, listing):
    start, end = window()
    browser = _browser(host)
    assert "This is your own space" in browser.get(_new_url(listing, start, end)).content.decode()
    response = _book(browser, listing, start, end)
    assert response.status_code == 400 and not Booking.objects.exists()


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ({"listing": ""}, 400, "This booking link does not name a space."),
        ({"listing": "abc"}, 400, "This booking link does not name a space."),
        ({"listing": "-1"}, 400, "This booking link does not name a space."),
        ({"listing": "999999"}, 404, "This space is not available"),
        ({"start": "tomorrow", "end": "2030-01-01T10:00"}, 200, "Enter a valid date/time."),
        ({"start": "2030-01-01T10:00", "end": "2030-01-01T09:00"}, 200, "Leave after you arrive."),
        ({"start": "2020-01-01T10:00", "end": "2020-01-01T12:00"}, 200, "Choose a time in the future."),
        ({"start": "2030-01-01T10:00", "end": "2030-01-01T10:20"}, 200, "at least 1 hour(s)"),
        ({"start": "2030-01-01T10:00", "end": "2031-01-01T10:00"}, 200, "at most 30 day(s)"),
        ({"start": "2030-03-10T02:30", "end": "2030-03-10T05:00"}, 200, "may not exist"),  # skipped by DST
        ({"start": "9" * 40, "end": ""}, 200, "Enter a valid date/time."),
    ],
)
def test_bad_query_parameters_get_a_readable_answer_not_a_server_error(guest, listing, query, status, text):
    params = {"listing": listing.pk} | query
    response = _browser(guest).get(reverse("booking_new") + "?" + urlencode(params))
    assert response.status_code == status
    assert text in response.content.decode()


def test_the_live_price_fragment_follows_the_window_and_says_why_it_cannot_be_booked(guest, listing):
    start, end = window(hours=5)
    url = reverse("booking_quote") + "?" + urlencode({"listing": listing.pk, "start": _local(listing, start)})
    missing_end = Client().get(url, **HTMX)
    assert missing_end.status_code == 422 and "This field is required." in missing_end.content.decode()
    url += "&" + urlencode({"end": _local(listing, end)})
    body = Client().get(url, **HTMX).content.decode()
    total = selectors.quote_window(listing, start, end).total_amount
    assert (
        f'name="expected_total" value="{total}"' in body and f'id="pay-amount" hx-swap-oob="true"> · ${total}' in body
    )
    BookingFactory(listing=listing, start_datetime=start, end_datetime=end)
    taken = Client().get(url, **HTMX)
    assert taken.status_code == 422 and "Every space is already booked" in taken.content.decode()
    assert Client().get(reverse("booking_quote") + "?listing=x", **HTMX).status_code == 400


def test_updating_the_window_reprices_it_and_keeps_what_was_typed(guest, listing):
    start, end = window(hours=2)
    later_end = end + timedelta(hours=4)
    form = _form(listing, start, end, make="Mazda", update="1")
    form["end"] = _local(listing, later_end)
    form.pop("book")
    response = _browser(guest).post(_new_url(listing, start, end), form)
    body = response.content.decode()
    assert response.status_code == 200 and not Booking.objects.exists()
    assert f"${selectors.quote_window(listing, start, later_end).total_amount}" in body
    assert 'value="Mazda"' in body and 'class="error"' not in body


# --- One booking and its pass ---------------------------------------------------------------------------------------


def test_the_pass_has_a_qr_code_the_window_in_local_time_and_the_vehicle(guest, listing):
    booking = services.create_booking(
        guest=guest,
        listing_id=listing.pk,
        start_datetime=window()[0],
        end_datetime=window()[1],
        vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )
    body = _browser(guest).get(reverse("booking_detail", args=[booking.booking_code])).content.decode()
    assert '<svg viewBox="0 0' in body and 'class="qr"' in body and "<title>QR code of booking" in body
    assert str(booking.booking_code)[:8].upper() in body and "ABC 1234" in body
    local = booking.start_datetime.astimezone(ZoneInfo(listing.time_zone))
    assert local.strftime("%-I:%M %p") in body
    assert reverse("conversation_start") + f"?booking={booking.booking_code}" in body
    assert reverse("booking_cancel", args=[booking.booking_code]) in body
    assert "Print the pass" in body


def test_access_details_show_only_when_the_api_would_show_them(guest, host, listing):
    start, end = window(days=3)
    booking = BookingFactory(guest=guest, listing=listing, start_datetime=start, end_datetime=end)
    url = reverse("booking_detail", args=[booking.booking_code])
    with freeze_time(start - timedelta(hours=25)):
        body = _browser(guest).get(url).content.decode()
        assert listing.gate_code not in body and "appear here from" in body
        assert listing.gate_code in _browser(host).get(url).content.decode()  # the host always
    with freeze_time(start - timedelta(hours=23)):
        body = _browser(guest).get(url).content.decode()
        assert listing.gate_code in body and listing.access_instructions in body
    with freeze_time(end + timedelta(minutes=1)):
        assert listing.gate_code not in _browser(guest).get(url).content.decode()


def test_someone_elses_booking_is_not_found(guest, listing):
    booking = BookingFactory(listing=listing)
    browser = _browser(guest)
    for name in ("booking_detail", "booking_cancel"):
        assert browser.get(reverse(name, args=[booking.booking_code])).status_code == 404
    for name in ("booking_check_in", "booking_check_out"):
        assert browser.post(reverse(name, args=[booking.booking_code])).status_code == 404
    assert browser.get("/bookings/not-a-code/").status_code == 404


def test_the_host_sees_the_booking_with_the_guests_vehicle_and_payout(host, listing):
    booking = BookingFactory(listing=listing)
    body = _browser(host).get(reverse("booking_detail", args=[booking.booking_code])).content.decode()
    assert booking.vehicle_license_plate in body and f"${booking.host_payout}" in body and "Message the driver" in body


def test_the_booking_page_runs_a_bounded_number_of_queries(guest, listing, django_assert_max_num_queries):
    booking = BookingFactory(guest=guest, listing=listing)
    ListingPhotoFactory(listing=listing)
    browser = _browser(guest)
    with django_assert_max_num_queries(9):
        assert browser.get(reverse("booking_detail", args=[booking.booking_code])).status_code == 200


def test_the_page_to_book_costs_the_same_queries_with_one_card_and_booking_or_many(
    guest, listing, django_assert_max_num_queries
):
    start, end = window(days=10)
    BookingFactory(guest=guest)
    save_payment_method(user=guest, token="pm_card_visa")
    browser = _browser(guest)
    with CaptureQueriesContext(connection) as one:
        assert browser.get(_new_url(listing, start, end)).status_code == 200
    assert len(one) <= 15
    for token in ("pm_card_mastercard", "pm_card_amex", "pm_card_visa"):
        save_payment_method(user=guest, token=token)
        BookingFactory(guest=guest)
        BookingFactory(listing=listing)
    with django_assert_max_num_queries(len(one)):
        assert browser.get(_new_url(listing, start, end)).status_code == 200


# --- Cancelling -------------------------------------------------------------------------------------------------------


def test_cancelling_shows_the_refund_by_the_policy_first_then_cancels_and_refunds_it(guest, make_listing):
    listing = make_listing(cancellation_policy="MODERATE")
    start, end = window(days=3)
    booking = services.create_booking(
        guest=guest,
        listing_id=listing.pk,
        start_datetime=start,
        end_datetime=end,
        vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )
    browser = _browser(guest)
    url = reverse("booking_cancel", args=[booking.booking_code])
    with freeze_time(start - timedelta(hours=10)):  # less than 24 hours before: half back
        half = (booking.total_amount / 2).quantize(Decimal("0.01"))
        page = browser.get(url).content.decode()
        assert f"${half} back to you" in page and "Moderate cancellation policy" in page
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED  # looking is not cancelling
        response = browser.post(url, {"reason": "Plans changed", "expected_refund": str(half)})
    assert response.status_code == 302 and response["Location"] == reverse(
        "booking_detail", args=[booking.booking_code]
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.refund_amount == half
    assert booking.cancellation_reason == "Plans changed"
    follow = browser.get(response["Location"]).content.decode()
    assert f"${half} goes back to the card you paid with" in follow and "Cancelled" in follow


def test_a_refund_that_changed_since_it_was_shown_is_shown_again_and_nothing_is_cancelled(guest, listing):
    start, end = window(days=3)
    booking = BookingFactory(guest=guest, listing=listing, start_datetime=start, end_datetime=end)
    response = _browser(guest).post(
        reverse("booking_cancel", args=[booking.booking_code]), {"expected_refund": "0.01"}, follow=True
    )
    assert f"it is now ${booking.total_amount}" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_withdrawing_a_request_releases_the_hold(guest, make_listing):
    listing = make_listing(instant_booking=False)
    start, end = window()
    booking = services.create_booking(
        guest=guest,
        listing_id=listing.pk,
        start_datetime=start,
        end_datetime=end,
        vehicle=VEHICLE,
        payment_method="pm_card_visa",
    )
    browser = _browser(guest)
    url = reverse("booking_cancel", args=[booking.booking_code])
    assert "Nothing was charged" in browser.get(url).content.decode()
    browser.post(url, {"expected_refund": "0.00"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.payment_status == Booking.PaymentStatus.RELEASED


def test_a_completed_booking_cannot_be_cancelled(guest, listing):
    booking = BookingFactory(guest=guest, listing=listing, completed=True)
    response = _browser(guest).get(reverse("booking_cancel", args=[booking.booking_code]), follow=True)
    assert "A completed booking cannot be cancelled." in response.content.decode()


# --- At the space -----------------------------------------------------------------------------------------------------


def _photo() -> SimpleUploadedFile:
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(image, format="JPEG")
    return SimpleUploadedFile("car.jpg", image.getvalue(), content_type="image/jpeg")


def test_check_in_opens_15_minutes_before_the_start_and_check_out_completes(guest, listing):
    start, end = window(days=1)
    booking = BookingFactory(guest=guest, listing=listing, start_datetime=start, end_datetime=end)
    browser = _browser(guest)
    detail = reverse("booking_detail", args=[booking.booking_code])
    with freeze_time(start - timedelta(hours=1)):
        body = browser.get(detail).content.decode()
        assert "Check-in opens at" in body and reverse("booking_check_in", args=[booking.booking_code]) not in body
        too_early = browser.post(reverse("booking_check_in", args=[booking.booking_code]), follow=True)
        assert "Check-in opens 15 minutes before the start." in too_early.content.decode()
    with freeze_time(start - timedelta(minutes=10)):
        assert reverse("booking_check_in", args=[booking.booking_code]) in browser.get(detail).content.decode()
        browser.post(reverse("booking_check_in", args=[booking.booking_code]), {"photo": _photo()})
        booking.refresh_from_db()
        assert booking.status == Booking.Status.IN_PROGRESS and booking.check_in_photo.name
        body = browser.get(detail).content.decode()
        assert reverse("booking_check_out", args=[booking.booking_code]) in body
        browser.post(reverse("booking_check_out", args=[booking.booking_code]))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert reverse("review_write", args=[booking.booking_code]) in browser.get(detail).content.decode()


def test_a_check_in_photo_that_is_not_an_image_is_refused_readably(guest, listing):
    start, end = window(days=1)
    booking = BookingFactory(guest=guest, listing=listing, start_datetime=start, end_datetime=end)
    with freeze_time(start):
        response = _browser(guest).post(
            reverse("booking_check_in", args=[booking.booking_code]),
            {"photo": SimpleUploadedFile("car.jpg", b"not an image", content_type="image/jpeg")},
            follow=True,
        )
    assert response.status_code == 200 and "Upload a valid image" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


# --- My bookings ------------------------------------------------------------------------------------------------------


def test_my_bookings_has_upcoming_past_and_cancelled_tabs(guest, listing):
    upcoming = BookingFactory(guest=guest, listing=listing)
    past = BookingFactory(guest=guest, listing=listing, completed=True)
    cancelled = BookingFactory(guest=guest, listing=listing, cancelled=True)
    someone_elses = BookingFactory(listing=listing)
    browser = _browser(guest)

    def codes(tab: str | None) -> set[str]:
        url = reverse("my_bookings") + (f"?tab={tab}" if tab else "")
        body = browser.get(url).content.decode()
        return set(re.findall(r"/bookings/([0-9a-f-]{36})/\"", body))

    assert codes(None) == codes("upcoming") == {str(upcoming.booking_code)}
    assert codes("past") == {str(past.booking_code)}
    assert codes("cancelled") == {str(cancelled.booking_code)}
    assert str(someone_elses.booking_code) not in browser.get(reverse("my_bookings")).content.decode()
    assert codes("nonsense") == {str(upcoming.booking_code)}  # an unknown tab shows the default one
    page = browser.get(reverse("my_bookings") + "?tab=past&page=zzz")
    assert page.status_code == 200 and reverse("review_write", args=[past.booking_code]) in page.content.decode()
    body = browser.get(reverse("my_bookings")).content.decode()
    assert f"${upcoming.total_amount}" in body and "Confirmed" in body and 'aria-current="page">Upcoming' in body


def test_my_bookings_costs_the_same_queries_for_one_row_or_many(guest, django_assert_max_num_queries):
    browser = _browser(guest)
    listing = ListingFactory()
    BookingFactory(guest=guest, listing=listing)
    with CaptureQueriesContext(connection) as one_row:
        browser.get(reverse("my_bookings"))
    for _ in range(6):
        other = ListingFactory()
        ListingPhotoFactory(listing=other)
        BookingFactory(guest=guest, listing=other)
    with django_assert_max_num_queries(len(one_row)):
        assert browser.get(reverse("my_bookings")).content.decode().count('class="card booking-row"') == 7


def test_my_bookings_requires_signing_in():
    response = Client().get(reverse("my_bookings"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
