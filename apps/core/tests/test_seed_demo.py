"""`manage.py seed_demo`: realistic demo data at real ZIP-code centroids that passes every integrity check."""

import math
from io import StringIO

import pytest
import zipcodes
from django.core.management import CommandError, call_command

from apps.bookings.models import Booking
from apps.bookings.pricing import Rates, quote
from apps.listings.models import Listing, ListingPhoto, ListingSpace
from apps.messaging.models import Conversation, Message
from apps.payments.models import PaymentMethod, Transaction
from apps.reviews.models import Review
from apps.users.models import User

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-password-123"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--no-progress", stdout=out)
    return out.getvalue()


def distance_m(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    """Great-circle distance (haversine) in metres."""
    phi_a, phi_b = math.radians(latitude_a), math.radians(latitude_b)
    d_phi, d_lambda = phi_b - phi_a, math.radians(longitude_b - longitude_a)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(d_lambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def test_twenty_listings_make_a_consistent_marketplace_at_real_places():
    output = seed("--listings", "20", "--seed", "7")

    listings = list(Listing.objects.all())
    assert len(listings) == 20
    assert {listing.city for listing in listings} == {
        "Austin",
        "Denver",
        "Chicago",
        "Seattle",
        "New York",
        "San Francisco",
    }
    for listing in listings:
        (centroid,) = zipcodes.matching(listing.zip_code)
        assert (centroid["city"], centroid["state"]) == (listing.city, listing.state)
        offset = distance_m(float(centroid["lat"]), float(centroid["long"]), listing.location.y, listing.location.x)
        assert offset <= 305, f"{listing} is {offset:.0f} m from its ZIP centroid"
        assert listing.time_zone.startswith("America/")
        assert ListingSpace.objects.filter(listing=listing, is_active=True).count() == listing.spaces_available
    assert not ListingPhoto.objects.exists()

    admin = User.objects.get(email="admin@example.com")
    assert admin.is_staff and admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    host = User.objects.get(email="host@example.com")
    assert host.listings.exists() and host.check_password(DEMO_PASSWORD)
    seeker = User.objects.get(email="seeker@example.com")
    assert seeker.bookings_as_guest.filter(status=Booking.Status.COMPLETED).exists()
    assert all(user.is_email_verified for user in User.objects.all())
    assert PaymentMethod.objects.filter(user=seeker, is_default=True).count() == 1

    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {Booking.Status.COMPLETED, Booking.Status.CONFIRMED, Booking.Status.CANCELLED} <= statuses
    for booking in Booking.objects.select_related("listing"):
        price = quote(rates=Rates.of(booking.listing), start=booking.start_datetime, end=booking.end_datetime)
        assert (booking.subtotal, booking.service_fee, booking.total_amount) == (
            price.subtotal,
            price.service_fee,
            price.total_amount,
        )
        assert booking.guest_id != booking.listing.host_id
        assert booking.space.listing_id == booking.listing_id
    assert Transaction.objects.filter(transaction_type=Transaction.TransactionType.BOOKING_PAYMENT).exists()
    assert Review.objects.filter(review_type=Review.ReviewType.GUEST_TO_HOST, is_published=True).exists()
    assert Listing.objects.filter(rating_count__gt=0).exists()
    assert Conversation.objects.exists()
    for conversation in Conversation.objects.all():
        assert 2 <= Message.objects.filter(conversation=conversation).count() <= 4
        assert conversation.participants.count() == 2

    assert DEMO_PASSWORD in output
    assert "bookings" in output and "elapsed" in output

    integrity = StringIO()
    call_command("check_integrity", stdout=integrity)  # raises CommandError on any violation
    assert "FAIL" not in integrity.getvalue()


def test_if_empty_seeds_once_and_then_does_nothing():
    seed("--listings", "3", "--if-empty")
    users = User.objects.count()

    output = seed("--listings", "3", "--if-empty")

    assert Listing.objects.count() == 3
    assert User.objects.count() == users
    assert "no demo data created" in output


def test_the_same_seed_gives_the_same_listings_and_a_second_run_adds_to_the_first():
    def snapshot(listings):
        return [
            (listing.title, listing.zip_code, listing.price_per_day, listing.spot_type, listing.location.coords)
            for listing in listings
        ]

    seed("--listings", "4", "--seed", "11", "--cities", "Denver,CO")
    first = list(Listing.objects.order_by("id"))
    seed("--listings", "4", "--seed", "11", "--cities", "denver, co")
    second = list(Listing.objects.order_by("id"))[4:]

    assert snapshot(first) == snapshot(second)
    assert User.objects.filter(email="host@example.com").count() == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--listings", "0"], "--listings must be at least 1, got 0"),
        (["--listings", "-5"], "--listings must be at least 1, got -5"),
        (["--listings", "abc"], "--listings must be a whole number, got 'abc'"),
        (["--listings", "2.5"], "--listings must be a whole number"),
        (["--seed", "x"], "--seed must be a whole number"),
        (["--cities", "Atlantis,ZZ"], 'No ZIP codes found for "Atlantis, ZZ"'),
        (["--cities", "Springfield"], 'write each as "City,ST"'),
        (["--cities", " ; "], "Name at least one city"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message_and_write_nothing(arguments, message):
    with pytest.raises(CommandError) as refusal:
        seed(*arguments)

    assert message in str(refusal.value)
    assert not Listing.objects.exists()
    assert not User.objects.exists()


def test_bad_arguments_given_as_keywords_are_refused_too():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", listings=0, no_progress=True, stdout=StringIO())
