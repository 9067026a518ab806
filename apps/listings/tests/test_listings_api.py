"""Hosts manage listings through the API: create (geocoded), edit, photos, rules, exceptions, (de)activate, delete."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.bookings.models import Booking
from apps.listings import cache as listing_cache
from apps.listings.models import Listing

User = get_user_model()
pytestmark = pytest.mark.django_db

NEW_LISTING = {
    "title": "Garage near Zilker Park",
    "description": "Covered, gated, fits an SUV.",
    "spot_type": "GARAGE",
    "address": "2100 Barton Springs Rd",
    "city": "Austin",
    "state": "tx",
    "zip_code": "78704",
    "price_per_hour": "4.00",
    "price_per_day": "25.00",
    "max_vehicle_size": "SUV",
    "features": ["covered", "gated"],
    "gate_code": "4321",
    "access_instructions": "Second door on the left.",
    "spaces_available": 2,
}


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def host():
    return User.objects.create_user(email="h@example.com", password="x", user_type="HOST", is_email_verified=True)


@pytest.fixture
def created(host):
    response = client_for(host).post("/api/v1/listings", NEW_LISTING, format="json")
    assert response.status_code == 201, response.content
    return Listing.objects.get(pk=response.json()["id"])


def test_create_geocodes_the_zip_and_derives_the_time_zone(host, created):
    assert created.time_zone == "America/Chicago"
    assert created.state == "TX"
    assert abs(created.location.y - 30.24) < 0.1 and abs(created.location.x + 97.77) < 0.1
    assert created.spaces.filter(is_active=True).count() == 2


def test_an_explicit_point_wins_over_geocoding(host):
    body = NEW_LISTING | {"location": {"type": "Point", "coordinates": [-104.99, 39.74]}}
    response = client_for(host).post("/api/v1/listings", body, format="json")
    assert response.status_code == 201
    assert response.json()["time_zone"] == "America/Denver"


def test_only_verified_hosts_publish(host):
    seeker = User.objects.create_user(email="s@example.com", password="x", is_email_verified=True)
    assert client_for(seeker).post("/api/v1/listings", NEW_LISTING, format="json").status_code == 403
    unverified = User.objects.create_user(email="u@example.com", password="x", user_type="HOST")
    assert client_for(unverified).post("/api/v1/listings", NEW_LISTING, format="json").status_code == 403
    assert APIClient().post("/api/v1/listings", NEW_LISTING, format="json").status_code == 401
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    ("changes", "attr"),
    [
        ({"zip_code": "00000"}, "address"),
        ({"zip_code": "abc"}, "zip_code"),
        ({"price_per_day": "-1"}, "price_per_day"),
        ({"spot_type": "CASTLE"}, "spot_type"),
        ({"features": ["moat"]}, "features"),
        ({"location": {"type": "Point", "coordinates": [200, 10]}}, "location"),
        ({"available_start_time": "18:00", "available_end_time": "08:00"}, "available_end_time"),
        ({"available_days": [7]}, "available_days"),
    ],
)
def test_bad_listing_input_names_the_field_and_writes_nothing(host, changes, attr):
    response = client_for(host).post("/api/v1/listings", NEW_LISTING | changes, format="json")
    assert response.status_code == 400, response.content
    assert any(error["attr"].split(".")[0] == attr for error in response.json()["errors"] if error["attr"])
    assert not Listing.objects.exists()


def test_access_details_only_for_the_host(host, created):
    public = APIClient().get(f"/api/v1/listings/{created.pk}").json()
    assert "gate_code" not in public and "access_instructions" not in public
    stranger = User.objects.create_user(email="x@example.com", password="x")
    assert "gate_code" not in client_for(stranger).get(f"/api/v1/listings/{created.pk}").json()
    own = client_for(host).get(f"/api/v1/listings/{created.pk}").json()
    assert own["gate_code"] == "4321"


def test_edit_moves_the_listing_and_invalidates_the_cached_detail(host, created, django_capture_on_commit_callbacks):
    APIClient().get(f"/api/v1/listings/{created.pk}")
    assert cache.get(listing_cache.detail_key(created.pk)) is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(host).patch(
            f"/api/v1/listings/{created.pk}",
            {"title": "New title", "zip_code": "80202", "city": "Denver", "state": "CO"},
        )
    assert response.status_code == 200, response.content
    assert response.json()["time_zone"] == "America/Denver"
    assert APIClient().get(f"/api/v1/listings/{created.pk}").json()["title"] == "New title"


def test_someone_elses_listing_cannot_be_changed(created):
    other = User.objects.create_user(email="o@example.com", password="x", user_type="HOST", is_email_verified=True)
    client = client_for(other)
    assert client.patch(f"/api/v1/listings/{created.pk}", {"title": "Mine"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/listings/{created.pk}").status_code == 404
    assert client.get(f"/api/v1/listings/{created.pk}/availability-rules").status_code == 404


def test_deactivate_hides_from_the_public_but_not_the_host(host, created):
    assert client_for(host).post(f"/api/v1/listings/{created.pk}/deactivate").status_code == 200
    assert APIClient().get(f"/api/v1/listings/{created.pk}").status_code == 404
    assert client_for(host).get(f"/api/v1/listings/{created.pk}").status_code == 200
    assert client_for(host).get("/api/v1/host/listings").json()["count"] == 1
    assert client_for(host).post(f"/api/v1/listings/{created.pk}/activate").status_code == 200
    assert APIClient().get(f"/api/v1/listings/{created.pk}").status_code == 200


def _booking(listing, start, status=Booking.Status.CONFIRMED, space=None):
    guest = User.objects.create_user(email=f"g{Booking.objects.count()}@example.com")
    return Booking.objects.create(
        guest=guest, listing=listing, space=space or listing.spaces.order_by("id").last(), start_datetime=start,
        end_datetime=start + timedelta(hours=2), duration_hours=Decimal("2"), vehicle_make="Kia",
        vehicle_model="Rio", vehicle_color="Grey", vehicle_license_plate="XYZ1", vehicle_state="TX",
        subtotal=Decimal("8.00"), service_fee=Decimal("0.80"), host_fee=Decimal("0.24"), host_payout=Decimal("7.76"),
        total_amount=Decimal("8.80"), status=status,
    )  # fmt: skip


def test_delete_is_soft_and_refused_with_upcoming_bookings(host, created):
    booking = _booking(created, timezone.now() + timedelta(days=2))
    response = client_for(host).delete(f"/api/v1/listings/{created.pk}")
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "has_upcoming_bookings"
    reduce = client_for(host).patch(f"/api/v1/listings/{created.pk}", {"spaces_available": 1}, format="json")
    assert reduce.status_code == 409
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    assert client_for(host).delete(f"/api/v1/listings/{created.pk}").status_code == 204
    created.refresh_from_db()
    assert created.is_deleted and created.deleted_at and Booking.objects.filter(listing=created).exists()
    assert APIClient().get(f"/api/v1/listings/{created.pk}").status_code == 404


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 15.0, 0.0), 4: (97.0, 45.0, 0.0)}
    output = io.BytesIO()
    Image.new("RGB", (1200, 800), "teal").save(output, format="JPEG", exif=exif)
    return output.getvalue()


def test_photos_upload_strip_gps_thumbnail_reorder_caption_and_delete(host, created):
    client = client_for(host)
    ids = []
    for number in range(3):
        upload = SimpleUploadedFile(f"p{number}.jpg", _jpeg_with_gps(), content_type="image/jpeg")
        response = client.post(
            f"/api/v1/listings/{created.pk}/photos", {"image": upload, "caption": f"#{number}"}, format="multipart"
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    photo = created.photos.get(pk=ids[0])
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) == 400

    reordered = client.post(f"/api/v1/listings/{created.pk}/photos/order", {"photo_ids": ids[::-1]}, format="json")
    assert [row["id"] for row in reordered.json()] == ids[::-1]
    assert [row["id"] for row in APIClient().get(f"/api/v1/listings/{created.pk}").json()["photos"]] == ids[::-1]
    assert (
        client.patch(f"/api/v1/listings/{created.pk}/photos/{ids[1]}", {"caption": "Gate"}, format="json").json()[
            "caption"
        ]
        == "Gate"
    )
    assert client.delete(f"/api/v1/listings/{created.pk}/photos/{ids[2]}").status_code == 204
    assert created.photos.count() == 2

    bogus = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(f"/api/v1/listings/{created.pk}/photos", {"image": bogus}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "image"
    assert created.photos.count() == 2


def test_rules_and_exceptions_round_trip_and_shape_availability(host, created):
    client = client_for(host)
    rule = client.post(
        f"/api/v1/listings/{created.pk}/availability-rules",
        {"rule_type": "weekly", "start_date": "2026-01-01", "start_time": "00:00", "end_time": "23:59",
         "days_of_week": [6], "is_available": False},
        format="json",
    )  # fmt: skip
    assert rule.status_code == 201, rule.content
    bad = client.post(
        f"/api/v1/listings/{created.pk}/availability-rules",
        {"rule_type": "weekly", "start_date": "2026-01-01", "start_time": "10:00", "end_time": "09:00"},
        format="json",
    )
    assert bad.status_code == 400
    day = (timezone.now() + timedelta(days=10)).date()
    exception = client.post(
        f"/api/v1/listings/{created.pk}/availability-exceptions",
        {"exception_date": day.isoformat(), "is_available": False, "reason": "Repaving"},
        format="json",
    )
    assert exception.status_code == 201
    duplicate = client.post(
        f"/api/v1/listings/{created.pk}/availability-exceptions", {"exception_date": day.isoformat()}, format="json"
    )
    assert duplicate.status_code == 409
    assert len(client.get(f"/api/v1/listings/{created.pk}/availability-rules").json()) == 1
    rule_id = rule.json()["id"]
    patched = client.patch(
        f"/api/v1/listings/{created.pk}/availability-rules/{rule_id}", {"days_of_week": [5, 6]}, format="json"
    )
    assert patched.json()["days_of_week"] == [5, 6]
    assert client.delete(f"/api/v1/listings/{created.pk}/availability-rules/{rule_id}").status_code == 204
    exception_id = exception.json()["id"]
    assert client.delete(f"/api/v1/listings/{created.pk}/availability-exceptions/{exception_id}").status_code == 204


def test_quote_and_availability_endpoints(created):
    start = (timezone.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=3)
    params = {"start": start.isoformat(), "end": end.isoformat()}
    quote = APIClient().get(f"/api/v1/listings/{created.pk}/quote", params)
    assert quote.status_code == 200
    assert quote.json()["subtotal"] == "12.00" and quote.json()["total_amount"] == "13.20"
    assert quote.json()["breakdown"] == [{"unit": "hour", "count": 3, "unit_price": "4.00", "amount": "12.00"}]
    for space in created.spaces.all():
        _booking(created, start, space=space)
    taken = APIClient().get(f"/api/v1/listings/{created.pk}/quote", params)
    assert taken.status_code == 409 and taken.json()["errors"][0]["code"] == "fully_booked"
    calendar = APIClient().get(
        f"/api/v1/listings/{created.pk}/availability",
        {"start": (start - timedelta(hours=1)).isoformat(), "end": (end + timedelta(hours=1)).isoformat()},
    )
    assert [interval["status"] for interval in calendar.json()["intervals"]] == ["free", "busy", "free"]
    past = APIClient().get(
        f"/api/v1/listings/{created.pk}/quote",
        {"start": "2020-01-01T10:00:00Z", "end": "2020-01-01T12:00:00Z"},
    )
    assert past.status_code == 400 and past.json()["errors"][0]["attr"] == "start"
