from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils import timezone
from rest_framework.test import APIClient

from apps.bookings.models import Booking
from apps.listings.services import create_listing
from apps.reviews.models import Review

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_only_published_guest_reviews_are_listed():
    host = User.objects.create_user(email="h@example.com", user_type="HOST", is_email_verified=True, first_name="H")
    listing = create_listing(
        host=host, location=Point(-97.74, 30.27, srid=4326), title="Spot", description="x", spot_type="LOT",
        address="1 Main", city="Austin", state="TX", zip_code="78701", price_per_day=Decimal("10.00"),
        spaces_available=3,
    )  # fmt: skip
    start = timezone.now() - timedelta(days=3)
    for number, (published, kind) in enumerate([(True, "G2H"), (False, "G2H"), (True, "H2G")]):
        guest = User.objects.create_user(email=f"g{number}@example.com", first_name=f"Guest{number}")
        booking = Booking.objects.create(
            guest=guest, listing=listing, space=listing.spaces.all()[number], start_datetime=start,
            end_datetime=start + timedelta(hours=2), duration_hours=Decimal("2"), vehicle_make="x",
            vehicle_model="x", vehicle_color="x", vehicle_license_plate="x", vehicle_state="TX",
            subtotal=Decimal("10.00"), service_fee=Decimal("1.00"), host_payout=Decimal("10.00"),
            total_amount=Decimal("11.00"), status="COMPLETED",
        )  # fmt: skip
        reviewer, reviewee = (guest, host) if kind == "G2H" else (host, guest)
        Review.objects.create(
            booking=booking, reviewer=reviewer, reviewee=reviewee, listing=listing, review_type=kind,
            overall_rating=5, comment=f"review {number}", is_published=published, published_at=timezone.now(),
        )  # fmt: skip
    body = APIClient().get(f"/api/v1/listings/{listing.pk}/reviews").json()
    assert body["count"] == 1
    assert body["results"][0]["comment"] == "review 0"
    assert body["results"][0]["reviewer"] == {"id": User.objects.get(email="g0@example.com").pk, "first_name": "Guest0"}
