"""The booking rules at the service layer: refunds at their boundaries, expiry, payouts, provider events,
concurrency, and the money invariants over random histories."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.bookings import services
from apps.bookings.models import Booking
from apps.bookings.tests.conftest import VEHICLE, window
from apps.core.errors import Conflict, PaymentRequired
from apps.core.models import AuditLog
from apps.payments import services as payments
from apps.payments.models import Payout, Transaction

User = get_user_model()


def create(guest, listing, start, end, **overrides):
    values = {
        "guest": guest,
        "listing_id": listing.pk,
        "start_datetime": start,
        "end_datetime": end,
        "vehicle": VEHICLE,
        "payment_method": "pm_card_visa",
    } | overrides
    return services.create_booking(**values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "notice", "share"),
    [
        ("FLEXIBLE", timedelta(hours=1), Decimal(1)),
        ("FLEXIBLE", timedelta(minutes=59), Decimal("0.5")),
        ("MODERATE", timedelta(hours=24), Decimal(1)),
        ("MODERATE", timedelta(hours=23, minutes=59), Decimal("0.5")),
        ("STRICT", timedelta(days=7), Decimal(1)),
        ("STRICT", timedelta(days=6, hours=23), Decimal("0.5")),
        ("STRICT", timedelta(hours=23), Decimal(0)),
    ],
)
def test_guest_cancellation_refunds_by_policy_at_the_boundaries(guest, make_listing, policy, notice, share):
    listing = make_listing(cancellation_policy=policy)
    start, end = window(days=10)
    booking = create(guest, listing, start, end)
    with freeze_time(start - notice):
        cancelled = services.cancel_booking(booking=booking, actor=guest, reason="Plans changed")
    assert cancelled.refund_amount == (booking.total_amount * share).quantize(Decimal("0.01"))
    refunds = Transaction.objects.filter(booking=booking, transaction_type="REFUND")
    assert sum(t.amount for t in refunds) == cancelled.refund_amount
    expected_status = {Decimal(1): "refunded", Decimal("0.5"): "partial_refund", Decimal(0): "succeeded"}[share]
    assert cancelled.payment_status == expected_status


@pytest.mark.django_db
def test_host_cancellation_refunds_everything(guest, host, make_listing):
    listing = make_listing(cancellation_policy="STRICT")
    start, end = window(days=1)
    booking = create(guest, listing, start, end)
    cancelled = services.cancel_booking(booking=booking, actor=host)
    assert cancelled.refund_amount == cancelled.total_amount and cancelled.payment_status == "refunded"


@pytest.mark.django_db
def test_refunds_never_exceed_what_was_captured(guest, listing):
    start, end = window()
    booking = create(guest, listing, start, end)
    ledger = payments.Ledger()
    ledger.refund(booking=booking, amount=Decimal("6.00"))
    with pytest.raises(Conflict):
        ledger.refund(booking=booking, amount=Decimal("5.01"))
    ledger.refund(booking=booking, amount=Decimal("5.00"))
    booking.refresh_from_db()
    assert booking.payment_status == "refunded"


@pytest.mark.django_db
def test_an_instant_booking_is_charged_once_and_born_confirmed(guest, listing, django_capture_on_commit_callbacks):
    # Authorise and capture in one step: one ledger entry created completed, one payment audit entry, and the
    # booking written once as confirmed (not written pending, then confirmed).
    start, end = window()
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(guest, listing, start, end)
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "succeeded")
    entries = Transaction.objects.filter(booking=booking, transaction_type=Transaction.TransactionType.BOOKING_PAYMENT)
    assert [(entry.status, entry.completed_at is not None) for entry in entries] == [("completed", True)]
    payment_audits = AuditLog.objects.filter(object_id=booking.pk, action=AuditLog.Action.PAYMENT_PROCESS)
    assert [audit.description for audit in payment_audits] == [f"Authorised and captured {booking.total_amount} USD"]
    assert booking.payment_intent_id == entries.get().stripe_payment_intent_id


@pytest.mark.django_db
def test_unanswered_requests_expire_after_24_hours_and_release(guest, make_listing):
    listing = make_listing(instant_booking=False)
    start, end = window(days=5)
    booking = create(guest, listing, start, end)
    with freeze_time(timezone.now() + timedelta(hours=23)):
        assert services.expire_pending_bookings() == 0
    with freeze_time(timezone.now() + timedelta(hours=25)):
        assert services.expire_pending_bookings() == 1
        assert services.expire_pending_bookings() == 0  # safe to run twice
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("CANCELLED", "released")


@pytest.mark.django_db
def test_a_notification_signal_goes_out_only_after_commit(guest, listing, django_capture_on_commit_callbacks):
    from apps.bookings.signals import booking_status_changed

    heard = []
    booking_status_changed.connect(lambda **kwargs: heard.append(kwargs["booking"].status), weak=False)
    start, end = window()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create(guest, listing, start, end)
    assert heard == []
    for callback in callbacks:
        callback()
    assert heard == ["CONFIRMED"]


@pytest.mark.django_db
def test_weekly_payout_pays_each_host_once_and_retries_failures(guest, host, listing):
    start, end = window(days=1)
    booking = create(guest, listing, start, end)
    with freeze_time(start):
        services.check_in(booking=booking, actor=guest)
        services.check_out(booking=booking, actor=guest)
    with freeze_time(end + timedelta(days=1)):
        result = payments.run_payouts()
        assert result == {"paid": 0, "failed": 1}  # no payout account yet
        payout = Payout.objects.get()
        assert payout.status == "failed" and "account" in payout.failure_reason.lower()
        User.objects.filter(pk=host.pk).update(stripe_account_id="acct_sandbox_host")
        assert payments.run_payouts() == {"paid": 1, "failed": 0}
        assert payments.run_payouts() == {"paid": 0, "failed": 0}
    payout.refresh_from_db()
    assert payout.status == "paid" and payout.amount == booking.host_payout and payout.attempts == 2
    assert Transaction.objects.filter(transaction_type="PAYOUT").count() == 1
    assert Payout.objects.count() == 1


@pytest.mark.django_db
def test_provider_events_apply_once_and_never_move_a_payment_backwards(guest, make_listing):
    listing = make_listing(instant_booking=False)
    start, end = window()
    booking = create(guest, listing, start, end)
    data = {"object": {"id": booking.payment_intent_id}}
    assert payments.handle_provider_event(event_id="evt_1", event_type="payment_intent.succeeded", data=data)
    assert not payments.handle_provider_event(event_id="evt_1", event_type="payment_intent.succeeded", data=data)
    assert payments.handle_provider_event(event_id="evt_0", event_type="payment_intent.payment_failed", data=data)
    booking.refresh_from_db()
    assert booking.payment_status == "succeeded"
    dispute = {"object": {"payment_intent": booking.payment_intent_id, "reason": "fraudulent"}}
    payments.handle_provider_event(event_id="evt_2", event_type="charge.dispute.created", data=dispute)
    booking.refresh_from_db()
    assert booking.metadata["dispute"]["reason"] == "fraudulent"


def _in_threads(count, work):
    results, barrier = [], threading.Barrier(count)

    def run(index):
        barrier.wait()
        try:
            results.append(("ok", work(index)))
        except Exception as error:  # the test counts which ones failed and why
            results.append(("error", error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_overlapping_windows_fill_exactly_the_spaces(make_listing):
    listing = make_listing(spaces_available=3)
    guests = [
        User.objects.create_user(email=f"racer{number}@example.com", is_email_verified=True) for number in range(20)
    ]
    start, end = window()

    def attempt(index):
        offset = timedelta(minutes=15 * (index % 4))
        return create(guests[index], listing, start + offset, end + offset).pk

    results = _in_threads(20, attempt)
    succeeded = [value for kind, value in results if kind == "ok"]
    failures = [value for kind, value in results if kind == "error"]
    assert len(succeeded) == 3
    assert all(isinstance(error, Conflict) and error.code == "fully_booked" for error in failures), failures
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM bookings a JOIN bookings b ON a.space_id = b.space_id AND a.id < b.id"
            " AND tstzrange(a.start_datetime, a.end_datetime) && tstzrange(b.start_datetime, b.end_datetime)"
            " WHERE a.status IN ('PENDING', 'CONFIRMED', 'IN_PROGRESS')"
            " AND b.status IN ('PENDING', 'CONFIRMED', 'IN_PROGRESS')"
        )
        assert cursor.fetchone() == (0,)
    assert Transaction.objects.filter(status="completed").count() == 3


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_with_one_key_create_one_booking(guest, listing):
    from apps.bookings.tests.conftest import booking_body, client_for

    start, end = window()

    def post(_):
        response = client_for(guest).post(
            "/api/v1/bookings", booking_body(listing, start, end), format="json", HTTP_IDEMPOTENCY_KEY="same-key"
        )
        return response.status_code, response.json().get("booking_code")

    results = _in_threads(10, post)
    answers = {value for kind, value in results if kind == "ok"}
    assert answers and all(status == 201 for status, _ in answers)
    assert len({code for _, code in answers}) == 1
    assert Booking.objects.count() == 1 and Transaction.objects.count() == 1


OPERATIONS = ["book", "approve", "decline", "cancel_guest", "cancel_host", "complete"]
operations = st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 5)), min_size=1, max_size=12)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=operations, instant=st.booleans())
def test_money_invariants_hold_over_random_histories(make_listing, guest, host, history, instant):
    listing = make_listing(instant_booking=instant, spaces_available=2, cancellation_policy="MODERATE")
    bookings: list[Booking] = []
    for operation, pick in history:
        try:
            if operation == "book":
                start, end = window(days=1 + pick, hours=2)
                bookings.append(create(guest, listing, start, end))
            elif bookings:
                booking = bookings[pick % len(bookings)]
                if operation == "approve":
                    services.approve_booking(booking=booking, actor=host)
                elif operation == "decline":
                    services.decline_booking(booking=booking, actor=host)
                elif operation == "cancel_guest":
                    services.cancel_booking(booking=booking, actor=guest)
                elif operation == "cancel_host":
                    services.cancel_booking(booking=booking, actor=host)
                elif operation == "complete":
                    with freeze_time(booking.start_datetime):
                        services.check_in(booking=booking, actor=guest)
                        services.check_out(booking=booking, actor=guest)
        except (Conflict, PaymentRequired):
            continue
    for booking in Booking.objects.all():
        captured = sum(t.amount for t in booking.transactions.filter(transaction_type="BOOKING", status="completed"))
        refunded = sum(t.amount for t in booking.transactions.filter(transaction_type="REFUND", status="completed"))
        assert refunded <= captured
        assert booking.total_amount == booking.subtotal + booking.service_fee
        assert booking.host_payout == booking.subtotal - booking.host_fee
        if captured:
            assert captured - refunded == booking.total_amount - (booking.refund_amount or 0)
    call_command("check_integrity")  # raises when any invariant fails


@pytest.mark.django_db
def test_windows_across_daylight_saving_changes_are_local_and_billed_by_real_hours(guest, make_listing):
    from zoneinfo import ZoneInfo

    from apps.bookings.errors import WindowUnavailable

    chicago = ZoneInfo("America/Chicago")
    listing = make_listing(available_start_time="07:00", available_end_time="19:00", spaces_available=2)
    # Spring forward (2027-03-14): 07:00-19:00 on the wall clock is open, even though the night was an hour short.
    start = timezone.datetime(2027, 3, 14, 7, 0, tzinfo=chicago)
    booking = create(guest, listing, start, start.replace(hour=19))
    assert booking.duration_hours == Decimal("12.00")
    with pytest.raises(WindowUnavailable):
        create(guest, listing, start.replace(hour=6, minute=30), start.replace(hour=8))
    # Fall back (2027-11-07): midnight to 04:00 on the wall clock is five real hours, billed as five.
    around_the_clock = make_listing(title="24/7 lot")
    night = timezone.datetime(2027, 11, 7, 0, 0, tzinfo=chicago)
    booking = create(guest, around_the_clock, night, night.replace(hour=4))
    assert booking.duration_hours == Decimal("5.00") and booking.subtotal == Decimal("25.00")
