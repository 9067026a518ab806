"""The booking contract of API.md through HTTP: create, replay, refuse, and every transition."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from apps.bookings.models import Booking
from apps.bookings.tests.conftest import VEHICLE, booking_body, client_for, window
from apps.core.models import AuditLog
from apps.payments.models import Transaction

pytestmark = pytest.mark.django_db


def book(client, space_listing, start, end, key=None, **overrides):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = booking_body(space_listing, start, end) | overrides
    return client.post("/api/v1/bookings", body, format="json", **headers)


def test_instant_booking_is_confirmed_paid_and_ledgered(guest, listing):
    start, end = window()
    response = book(client_for(guest), listing, start, end)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "CONFIRMED" and body["payment_status"] == "succeeded"
    assert (body["subtotal"], body["service_fee"], body["total_amount"], body["host_payout"]) == (
        "10.00",
        "1.00",
        "11.00",
        "9.70",
    )
    assert body["vehicle"]["license_plate"] == "ABC 1234" and body["vehicle"]["state"] == "TX"
    assert body["access"] is None  # more than 24 h before the start
    [entry] = Transaction.objects.filter(booking__booking_code=body["booking_code"])
    assert (entry.transaction_type, entry.status, entry.amount) == ("BOOKING", "completed", Decimal("11.00"))
    assert AuditLog.objects.filter(action="BOOKING_CREATE").count() == 1


def test_request_to_book_waits_pending_with_the_payment_authorised(guest, make_listing):
    listing = make_listing(instant_booking=False)
    start, end = window()
    body = book(client_for(guest), listing, start, end).json()
    assert (body["status"], body["payment_status"]) == ("PENDING", "authorized")
    assert Transaction.objects.get().status == "processing"


def test_replayed_idempotency_key_returns_the_first_answer_and_books_nothing_new(guest, listing):
    start, end = window()
    client = client_for(guest)
    first = book(client, listing, start, end, key="k-1")
    again = book(client, listing, start, end, key="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1 and Transaction.objects.count() == 1
    different = book(client, listing, start + timedelta(days=1), end + timedelta(days=1), key="k-1")
    assert different.status_code == 422


def test_the_key_s_record_holds_the_first_answer(guest, listing):
    # The record's two statements are written by hand (apps/core/api/idempotency.py): read back through the model.
    from apps.core.models import IdempotencyRecord

    start, end = window()
    before = timezone.now()
    first = book(client_for(guest), listing, start, end, key="k-record")
    [record] = IdempotencyRecord.objects.all()
    assert (record.user_id, record.key, record.scope) == (guest.pk, "k-record", "POST /api/v1/bookings")
    assert len(record.request_fingerprint) == 64
    assert record.status_code == 201 and record.response_body == first.json()
    assert before <= record.created_at <= record.completed_at <= timezone.now()


@pytest.mark.parametrize(
    ("token", "code"),
    [("pm_card_chargeDeclined", "card_declined"), ("pm_card_insufficientFunds", "insufficient_funds")],
)
def test_declined_card_books_nothing_holds_nothing_and_explains(guest, listing, token, code):
    start, end = window()
    response = book(client_for(guest), listing, start, end, payment_method=token)
    assert response.status_code == 402
    assert response.json()["errors"][0]["code"] == code
    assert not Booking.objects.exists()
    [failed] = Transaction.objects.all()
    assert failed.status == "failed" and code in failed.failure_reason and failed.booking is None
    assert book(client_for(guest), listing, start, end).status_code == 201  # the slot is still free


@pytest.mark.django_db(transaction=True)
def test_a_declined_card_outside_any_test_transaction_commits_only_the_failed_entry_and_replays(guest, listing):
    # As in production: the request's key is claimed in autocommit, the booking's transaction rolls back whole and
    # the declined attempt is written in a transaction of its own.
    start, end = window()
    client = client_for(guest)
    response = book(client, listing, start, end, key="k-declined", payment_method="pm_card_chargeDeclined")
    assert response.status_code == 402
    assert not Booking.objects.exists()
    [failed] = Transaction.objects.all()
    assert failed.status == "failed" and failed.booking is None
    assert AuditLog.objects.filter(action="PAYMENT_PROCESS", object_id=failed.pk).count() == 1
    assert not AuditLog.objects.filter(action="BOOKING_CREATE").exists()
    again = book(client, listing, start, end, key="k-declined", payment_method="pm_card_chargeDeclined")
    assert again.status_code == 402 and again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.count() == 1
    assert book(client, listing, start, end, key="k-visa").status_code == 201  # the slot is still free


@pytest.mark.django_db(transaction=True)
def test_a_booking_with_a_key_is_one_transaction_without_savepoints(guest, listing):
    # The key's record is claimed by one INSERT in autocommit and the booking, its payment and its audit rows are
    # one transaction: every BEGIN, COMMIT or SAVEPOINT more is a round trip on the hottest write path.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start, end = window()
    client = client_for(guest)
    with CaptureQueriesContext(connection) as queries:
        assert book(client, listing, start, end, key="k-one").status_code == 201
    sql = [query["sql"] for query in queries.captured_queries]
    insert = next(number for number, text in enumerate(sql) if text.startswith('INSERT INTO "bookings"'))
    # Up to the booking's commit (the notifications' tasks, eager in tests, come after it).
    until_commit = sql[: sql.index("COMMIT", insert) + 1]
    controls = [text for text in until_commit if text.split()[0] in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}]
    assert controls == ["BEGIN", "COMMIT"], until_commit


@pytest.mark.parametrize(
    ("instant", "payment_status", "entry_status"),
    [(True, "succeeded", "completed"), (False, "authorized", "processing")],
)
def test_a_booking_is_inserted_with_its_payment_and_never_updated(
    guest, make_listing, instant, payment_status, entry_status
):
    # The card is held before the booking's INSERT, which carries the provider's intent and the payment's status:
    # an UPDATE of the row after the ledger's entry was a round trip more on every booking.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listing = make_listing(instant_booking=instant)
    start, end = window(days=3)
    with CaptureQueriesContext(connection) as queries:
        response = book(client_for(guest), listing, start, end)
    assert response.status_code == 201, response.content
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [text for text in sql if text.startswith('UPDATE "bookings"')], sql
    booking = Booking.objects.get()
    [entry] = Transaction.objects.filter(booking=booking)
    assert booking.payment_status == payment_status and booking.payment_intent_id
    assert entry.stripe_payment_intent_id == booking.payment_intent_id and entry.status == entry_status
    assert response.json()["payment_status"] == payment_status


@pytest.mark.parametrize(("instant", "days"), [(True, 0.1), (False, 3)])
def test_a_booking_reads_its_listing_once(guest, make_listing, instant, days):
    # The listing is read with only the columns a booking uses (services.LISTING_FIELDS_READ): one missing would be
    # read by a statement of its own. Within a day of the start the answer shows the gate code as well.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listing = make_listing(instant_booking=instant, gate_code="4321")
    start, end = window(days=days)
    with CaptureQueriesContext(connection) as queries:
        response = book(client_for(guest), listing, start, end)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["host"]["first_name"] and body["listing_address"].startswith(listing.address)
    assert (body["access"] or {}).get("gate_code") == ("4321" if instant else None)
    reads = [query["sql"] for query in queries.captured_queries if 'FROM "listings"' in query["sql"]]
    assert len(reads) == 1, reads


def test_a_taken_window_is_a_conflict_and_charges_nothing(guest, listing, django_user_model):
    start, end = window()
    assert book(client_for(guest), listing, start, end).status_code == 201
    other = django_user_model.objects.create_user(email="o@example.com", is_email_verified=True)
    response = book(client_for(other), listing, start + timedelta(hours=1), end + timedelta(hours=1))
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "fully_booked"
    assert Transaction.objects.filter(user=other).count() == 0


def test_closed_hours_are_a_conflict(guest, make_listing):
    listing = make_listing(available_start_time="08:00", available_end_time="18:00")
    start, _ = window()
    start = start.astimezone(timezone.get_fixed_timezone(-360)).replace(hour=17)
    response = book(client_for(guest), listing, start, start + timedelta(hours=3))
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "closed"


@pytest.mark.parametrize(
    ("overrides", "attr", "status"),
    [
        ({"vehicle": VEHICLE | {"make": ""}}, "vehicle.make", 400),
        ({"vehicle": VEHICLE | {"license_plate": "!!"}}, "vehicle.license_plate", 400),
        ({"vehicle": VEHICLE | {"state": "ZZ"}}, "vehicle.state", 400),
        ({"vehicle": None}, "vehicle", 400),
        ({"payment_method": "999999"}, "payment_method", 404),
        ({"payment_method": "9" * 30}, "payment_method", 404),  # beyond any id: not a database error
        ({"payment_method": "²"}, "payment_method", 400),  # a digit that is no number: not a crash
        ({"payment_method": "pm_sandbox_visa_deadbeef"}, "payment_method", 404),
        ({"listing": 987654}, "listing", 404),
        ({"start_datetime": "2030-01-01T10:00:00"}, "start_datetime", 400),
    ],
)
def test_bad_booking_input_names_the_field_and_writes_nothing(guest, listing, overrides, attr, status):
    start, end = window()
    response = book(client_for(guest), listing, start, end, **overrides)
    assert response.status_code == status, response.content
    assert response.json()["errors"][0]["attr"] == attr
    assert not Booking.objects.exists() and not Transaction.objects.exists()


def test_window_rules_are_400s(guest, make_listing):
    listing = make_listing(minimum_hours=3, maximum_days=1)
    client = client_for(guest)
    start, end = window(hours=2)
    assert book(client, listing, start, end).json()["errors"][0] == {
        "code": "too_short",
        "detail": "This space must be booked for at least 3 hour(s).",
        "attr": "end_datetime",
    }
    start, end = window(hours=30)
    assert book(client, listing, start, end).json()["errors"][0]["code"] == "too_long"
    past = timezone.now() - timedelta(days=1)
    response = book(client, listing, past, past + timedelta(hours=4))
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "start_datetime"


def test_own_listing_and_unverified_guests_are_refused(host, listing, django_user_model):
    start, end = window()
    response = book(client_for(host), listing, start, end)
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "listing"
    unverified = django_user_model.objects.create_user(email="u@example.com")
    assert book(client_for(unverified), listing, start, end).status_code == 403


def test_a_saved_card_of_the_guest_pays_and_another_users_card_is_not_found(guest, listing, django_user_model):
    saved = client_for(guest).post("/api/v1/payment-methods", {"token": "pm_card_visa"}, format="json").json()
    assert saved["brand"] == "visa" and saved["last4"] == "4242" and saved["is_default"] is True
    start, end = window()
    assert book(client_for(guest), listing, start, end, payment_method=str(saved["id"])).status_code == 201
    thief = django_user_model.objects.create_user(email="t@example.com", is_email_verified=True)
    start, end = window(days=5)
    response = book(client_for(thief), listing, start, end, payment_method=str(saved["id"]))
    assert response.status_code == 404 and response.json()["errors"][0]["attr"] == "payment_method"


def test_access_details_from_24_hours_before_until_the_end_and_always_for_the_host(guest, host, listing):
    start, end = window(days=2, hours=2)
    code = book(client_for(guest), listing, start, end).json()["booking_code"]
    assert client_for(host).get(f"/api/v1/bookings/{code}").json()["access"]["gate_code"] == "2468"
    with freeze_time(start - timedelta(hours=25)):
        assert client_for(guest).get(f"/api/v1/bookings/{code}").json()["access"] is None
    with freeze_time(start - timedelta(hours=23)):
        access = client_for(guest).get(f"/api/v1/bookings/{code}").json()["access"]
        assert access == {"gate_code": "2468", "access_instructions": "Use the side gate."}
    with freeze_time(end + timedelta(minutes=1)):
        assert client_for(guest).get(f"/api/v1/bookings/{code}").json()["access"] is None


def test_lists_by_role_and_status_and_strangers_see_nothing(guest, host, listing, django_user_model):
    start, end = window()
    code = book(client_for(guest), listing, start, end).json()["booking_code"]
    assert client_for(guest).get("/api/v1/bookings").json()["count"] == 1
    assert client_for(host).get("/api/v1/bookings?role=host&status=CONFIRMED").json()["count"] == 1
    assert client_for(host).get("/api/v1/bookings?role=host&status=PENDING").json()["count"] == 0
    assert client_for(host).get("/api/v1/bookings?status=BOGUS").status_code == 400
    stranger = django_user_model.objects.create_user(email="s@example.com")
    assert client_for(stranger).get(f"/api/v1/bookings/{code}").status_code == 404
    assert client_for(stranger).post(f"/api/v1/bookings/{code}/cancel").status_code == 404


def test_approve_captures_and_decline_releases(guest, host, make_listing):
    listing = make_listing(instant_booking=False, spaces_available=2)
    start, end = window()
    first = book(client_for(guest), listing, start, end).json()["booking_code"]
    second = book(client_for(guest), listing, start, end, key="second").json()["booking_code"]
    assert client_for(guest).post(f"/api/v1/bookings/{first}/approve").status_code == 403
    approved = client_for(host).post(f"/api/v1/bookings/{first}/approve").json()
    assert (approved["status"], approved["payment_status"]) == ("CONFIRMED", "succeeded")
    declined = client_for(host).post(f"/api/v1/bookings/{second}/decline", {"reason": "Full"}, format="json").json()
    assert (declined["status"], declined["payment_status"], declined["refund_amount"]) == (
        "CANCELLED",
        "released",
        "0.00",
    )
    assert client_for(host).post(f"/api/v1/bookings/{second}/approve").status_code == 409
    assert {t.status for t in Transaction.objects.all()} == {"completed", "cancelled"}


def test_check_in_check_out_and_no_show_follow_the_clock(guest, host, listing):
    start, end = window(days=1, hours=3)
    code = book(client_for(guest), listing, start, end).json()["booking_code"]
    with freeze_time(start - timedelta(minutes=16)):  # tokens are made inside the frozen clock: they expire
        response = client_for(guest).post(f"/api/v1/bookings/{code}/check-in")
        assert response.status_code == 409 and response.json()["errors"][0]["code"] == "too_early"
    with freeze_time(start - timedelta(minutes=15)):
        assert client_for(guest).post(f"/api/v1/bookings/{code}/check-in").json()["status"] == "IN_PROGRESS"
    assert client_for(host).post(f"/api/v1/bookings/{code}/check-out").status_code == 403
    client = client_for(guest)
    assert client.post(f"/api/v1/bookings/{code}/check-out").json()["status"] == "COMPLETED"
    assert client.post(f"/api/v1/bookings/{code}/cancel").status_code == 409

    start, end = window(days=2, hours=3)
    other = book(client, listing, start, end).json()["booking_code"]
    with freeze_time(start + timedelta(minutes=29)):
        assert client_for(host).post(f"/api/v1/bookings/{other}/no-show").status_code == 409
    with freeze_time(start + timedelta(minutes=30)):
        assert client_for(host).post(f"/api/v1/bookings/{other}/no-show").json()["status"] == "NO_SHOW"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"BOOKING_CHECK_IN", "BOOKING_CHECK_OUT", "BOOKING_NO_SHOW"} <= actions


def test_an_account_with_upcoming_bookings_cannot_be_deleted_until_they_are_cancelled(guest, listing):
    start, end = window()
    client = client_for(guest)
    code = book(client, listing, start, end).json()["booking_code"]
    response = client.delete("/api/v1/me")
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "has_upcoming_bookings"
    guest.refresh_from_db()
    assert not guest.is_deleted and guest.is_active
    assert client_for(listing.host).delete("/api/v1/me").status_code == 409  # the host too
    client.post(f"/api/v1/bookings/{code}/cancel")
    assert client.delete("/api/v1/me").status_code == 204
