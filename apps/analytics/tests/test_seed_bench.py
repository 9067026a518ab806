"""`manage.py seed_bench`: bad arguments, a non-empty database, the application role, and a tiny load's data."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.bookings.models import Booking
from apps.listings.models import Listing, ListingSpace


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_bench", *args, "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--listings", "many"], "--listings must be a whole number, got 'many'."),
        (["--listings", "0"], "--listings must be between 1 and 5,000,000, got 0."),
        (["--listings", "10", "--bookings", "-5"], "--bookings must be between 0 and 50,000,000, got -5."),
        (["--seed", "1.5"], "--seed must be a whole number, got '1.5'."),
    ],
)
def test_bad_arguments_are_named(db, args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        _seed(*args)


def test_the_application_role_is_told_to_connect_as_the_owner(db):
    with pytest.raises(CommandError, match="needs a superuser connection"):
        _seed("--listings", "5")


@pytest.mark.owner_role
def test_refuses_a_database_with_data_unless_reset(host):
    with pytest.raises(CommandError, match=r"The database is not empty \(users have rows\)\. Use --reset"):
        _seed("--listings", "5")
    assert "--if-empty: nothing loaded" in _seed("--listings", "5", "--if-empty")
    assert not Listing.objects.exists()


@pytest.mark.owner_role
def test_a_tiny_load_is_consistent(db):
    output = _seed("--listings", "300", "--bookings", "2000", "--seed", "7")
    assert "Benchmark data loaded" in output
    assert Listing.objects.count() == 300
    assert Booking.objects.count() == 2000
    # One space per space offered, labelled 1..n.
    for listing in Listing.objects.order_by("id")[:50]:
        labels = sorted(int(label) for label in listing.spaces.values_list("label", flat=True))
        assert labels == list(range(1, listing.spaces_available + 1))
    assert ListingSpace.objects.count() == sum(Listing.objects.values_list("spaces_available", flat=True))
    with connection.cursor() as cursor:
        # In the United States (incl. Alaska, Hawaii, Puerto Rico), and each booking's space is of its listing.
        cursor.execute(
            "SELECT count(*) FROM listings WHERE NOT ST_Within(location, ST_MakeEnvelope(-180, 15, -64, 72, 4326))"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM bookings b JOIN listing_spaces s ON s.id = b.space_id "
            "WHERE s.listing_id <> b.listing_id"
        )
        assert cursor.fetchone()[0] == 0
        # The rebuilt indexes are all there, and ids continue after the loaded rows.
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_listings_location_geog'")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT nextval(pg_get_serial_sequence('bookings', 'id'))")
        assert cursor.fetchone()[0] == 2001
        # What window search reads of each listing is as the triggers would have kept it (loaded with them off).
        cursor.execute(
            "SELECT count(*) FROM listings WHERE booked IS DISTINCT FROM listing_booked_times(id)"
            " OR has_calendar_entries IS DISTINCT FROM listing_has_calendar_entries(id)"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM listings WHERE booked <> '{}' GROUP BY has_calendar_entries")
        assert cursor.fetchall(), "some listings have future bookings"
        cursor.execute("SELECT column_default FROM information_schema.columns WHERE column_name = 'booked'")
        assert cursor.fetchone()[0].startswith("'{(,)}'"), "the column's default is restored"
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {"COMPLETED", "CANCELLED", "CONFIRMED"} <= statuses
    amounts = Booking.objects.values_list("subtotal", "service_fee", "total_amount").first()
    assert amounts[0] + amounts[1] == amounts[2]
    # Titles and descriptions name landmarks that full-text search finds.
    assert Listing.objects.filter(search_vector="stadium").exists()


@pytest.mark.owner_role
def test_reset_replaces_the_data(db):
    _seed("--listings", "40", "--bookings", "100")
    _seed("--listings", "20", "--bookings", "50", "--reset")
    assert Listing.objects.count() == 20
    assert Booking.objects.count() == 50
    assert Listing.objects.order_by("id").first().pk == 1


def test_the_loaded_tables_are_vacuumed_where_a_transaction_allows_it():
    from apps.analytics.management.commands.seed_bench import SETTLED_TABLES, settle_statements

    assert settle_statements(in_transaction=False) == [
        "VACUUM (FULL) listings",
        *(f"VACUUM (ANALYZE) {table}" for table in SETTLED_TABLES),
    ]
    assert settle_statements(in_transaction=True) == [f"ANALYZE {table}" for table in SETTLED_TABLES]
    assert "bookings" in SETTLED_TABLES and "listing_spaces" in SETTLED_TABLES  # the window search's probes
