"""Row-level security: connected as the application role, another user's cards and ledger are invisible,
even to raw SQL."""

from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone

from apps.bookings.models import Booking
from apps.listings.services import create_listing
from apps.payments.models import PaymentMethod, Transaction

User = get_user_model()


def app_role_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("server_side_binding", None)
    params["user"] = settings.DATABASE_APP_ROLE
    params["password"] = settings.DATABASE_APP_PASSWORD or None
    return psycopg.connect(**{key: value for key, value in params.items() if value is not None}, autocommit=True)


def as_user(cursor, user_id, context="user"):
    cursor.execute(
        "SELECT set_config('app.context', %s, false), set_config('app.current_user_id', %s, false)",
        [context, str(user_id) if user_id else ""],
    )


@pytest.fixture
def money_of_two_guests(transactional_db):
    host = User.objects.create_user(email="host@example.com", password="x", user_type="HOST", is_email_verified=True)
    guests = [User.objects.create_user(email=f"guest{n}@example.com", password="x") for n in (1, 2)]
    listing = create_listing(
        host=host,
        location=Point(-97.7431, 30.2672, srid=4326),
        title="Driveway",
        description="Near downtown",
        spot_type="DRIVEWAY",
        address="1 Congress Ave",
        city="Austin",
        state="TX",
        zip_code="78701",
        price_per_day=Decimal("20.00"),
        spaces_available=2,
    )
    start = timezone.now() + timedelta(days=1)
    for index, guest in enumerate(guests):
        PaymentMethod.objects.create(
            user=guest, stripe_payment_method_id=f"pm_{index}", brand="visa", last4="4242", exp_month=1, exp_year=2030
        )
        booking = Booking.objects.create(
            guest=guest,
            listing=listing,
            space=listing.spaces.all()[index],
            start_datetime=start,
            end_datetime=start + timedelta(hours=2),
            duration_hours=Decimal("2"),
            vehicle_make="Honda",
            vehicle_model="Civic",
            vehicle_color="Blue",
            vehicle_license_plate=f"ABC{index}",
            vehicle_state="TX",
            subtotal=Decimal("10.00"),
            service_fee=Decimal("1.00"),
            host_fee=Decimal("0.30"),
            host_payout=Decimal("9.70"),
            total_amount=Decimal("11.00"),
            status=Booking.Status.CONFIRMED,
        )
        Transaction.objects.create(
            booking=booking,
            user=guest,
            transaction_type=Transaction.TransactionType.BOOKING_PAYMENT,
            amount=Decimal("11.00"),
            status=Transaction.Status.COMPLETED,
            description="Booking payment",
        )
    return host, guests


def test_the_application_role_is_subject_to_row_level_security(money_of_two_guests):
    with app_role_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT relname FROM pg_class"
            " WHERE relrowsecurity AND relname IN ('users', 'payment_methods', 'transactions')"
        )
        assert {row[0] for row in cursor.fetchall()} == {"users", "payment_methods", "transactions"}


def test_another_users_cards_and_transactions_are_invisible_to_raw_sql(money_of_two_guests):
    _, (first, second) = money_of_two_guests
    with app_role_connection() as conn, conn.cursor() as cursor:
        as_user(cursor, first.pk)
        cursor.execute("SELECT user_id FROM payment_methods")
        assert {row[0] for row in cursor.fetchall()} == {first.pk}
        cursor.execute("SELECT user_id FROM transactions")
        assert {row[0] for row in cursor.fetchall()} == {first.pk}
        cursor.execute("SELECT count(*) FROM payment_methods WHERE user_id = %s", [second.pk])
        assert cursor.fetchone() == (0,)
        # Nor can they be changed or deleted from under their owner.
        cursor.execute("UPDATE payment_methods SET last4 = '0000' WHERE user_id = %s", [second.pk])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM transactions WHERE user_id = %s", [second.pk])
        assert cursor.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute(
                "INSERT INTO payment_methods (user_id, stripe_payment_method_id, brand, last4, exp_month, exp_year,"
                " is_default, created_at) VALUES (%s, 'pm_x', 'visa', '1111', 1, 2031, false, now())",
                [second.pk],
            )


def test_the_host_sees_the_ledger_of_bookings_of_their_listing_but_not_the_guests_cards(money_of_two_guests):
    host, _ = money_of_two_guests
    with app_role_connection() as conn, conn.cursor() as cursor:
        as_user(cursor, host.pk)
        cursor.execute("SELECT count(*) FROM transactions")
        assert cursor.fetchone() == (2,)
        cursor.execute("SELECT count(*) FROM payment_methods")
        assert cursor.fetchone() == (0,)


def test_without_a_user_nothing_private_is_visible_and_system_context_sees_all(money_of_two_guests):
    with app_role_connection() as conn, conn.cursor() as cursor:
        as_user(cursor, None, context="anonymous")
        cursor.execute("SELECT (SELECT count(*) FROM payment_methods), (SELECT count(*) FROM transactions)")
        assert cursor.fetchone() == (0, 0)
        as_user(cursor, None, context="system")
        cursor.execute("SELECT (SELECT count(*) FROM payment_methods), (SELECT count(*) FROM transactions)")
        assert cursor.fetchone() == (2, 2)


def test_a_user_can_change_only_their_own_account_row(money_of_two_guests):
    _, (first, second) = money_of_two_guests
    with app_role_connection() as conn, conn.cursor() as cursor:
        as_user(cursor, first.pk)
        cursor.execute("UPDATE users SET first_name = 'Mallory' WHERE id = %s", [second.pk])
        assert cursor.rowcount == 0
        cursor.execute("UPDATE users SET first_name = 'Me' WHERE id = %s", [first.pk])
        assert cursor.rowcount == 1


def test_a_user_may_write_ledger_entries_of_their_own_and_of_their_bookings_only(money_of_two_guests):
    _, (first, second) = money_of_two_guests
    seconds_booking = Booking.objects.get(guest=second).pk
    insert = (
        "INSERT INTO transactions (booking_id, user_id, transaction_type, amount, currency, stripe_payment_intent_id,"
        " stripe_transfer_id, stripe_refund_id, idempotency_key, status, description, metadata, failure_reason,"
        " created_at) VALUES (%s, %s, 'BOOKING_PAYMENT', 1, 'USD', '', '', '', '', 'COMPLETED', '', '{}', '', now())"
    )
    with app_role_connection() as conn, conn.cursor() as cursor:
        as_user(cursor, first.pk)
        cursor.execute(insert, [None, first.pk])  # their own entry
        assert cursor.rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute(insert, [seconds_booking, second.pk])  # another guest's, of a booking not theirs


def test_the_ledger_policy_function_keeps_its_plan_for_the_session(money_of_two_guests):
    # A SQL function the planner does not inline is planned again by every statement that calls it: 0.65 ms of
    # PostgreSQL CPU on each ledger insert (payments migration 0004). PL/pgSQL keeps the plan for the connection.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
            " WHERE p.proname = 'app_can_see_booking_money'"
        )
        assert cursor.fetchone() == ("plpgsql",)
