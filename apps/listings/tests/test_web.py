"""Hosts manage listings in the browser: the same rules as the API, errors next to the field."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.listings.models import Listing

User = get_user_model()
pytestmark = pytest.mark.django_db

FORM = {
    "title": "Shaded driveway",
    "description": "Fits a sedan, 5 minutes to the stadium.",
    "spot_type": "DRIVEWAY",
    "address": "500 E 6th St",
    "city": "Austin",
    "state": "tx",
    "zip_code": "78701",
    "price_per_hour": "3.50",
    "price_per_day": "18.00",
    "max_vehicle_size": "SEDAN",
    "spaces_available": "1",
    "features": ["well_lit"],
    "instant_booking": "on",
    "minimum_hours": "1",
    "maximum_days": "30",
    "cancellation_policy": "FLEXIBLE",
    "available_start_time": "06:00",
    "available_end_time": "22:00",
    "available_days": ["0", "1", "2", "3", "4", "5", "6"],
    "gate_code": "1234",
    "access_instructions": "",
}


@pytest.fixture
def host_client(client):
    host = User.objects.create_user(email="h@example.com", password="x", user_type="HOST", is_email_verified=True)
    client.force_login(host)
    client.host = host
    return client


def test_create_edit_photo_deactivate_delete(host_client):
    response = host_client.post("/host/listings/new/", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    listing = Listing.objects.get()
    assert listing.time_zone == "America/Chicago" and listing.state == "TX"

    page = host_client.get(f"/host/listings/{listing.pk}/edit/").content.decode()
    assert 'value="Shaded driveway"' in page
    response = host_client.post(f"/host/listings/{listing.pk}/edit/", FORM | {"title": "Shady driveway"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.title == "Shady driveway"

    image = io.BytesIO()
    Image.new("RGB", (640, 480), "navy").save(image, format="PNG")
    upload = SimpleUploadedFile("d.png", image.getvalue(), content_type="image/png")
    host_client.post(f"/host/listings/{listing.pk}/photos/", {"image": upload, "caption": "From the street"})
    assert listing.photos.count() == 1
    assert "From the street" in host_client.get("/host/listings/").content.decode() or listing.photos.exists()

    host_client.post(f"/host/listings/{listing.pk}/toggle/")
    listing.refresh_from_db()
    assert not listing.is_active
    assert host_client.post(f"/host/listings/{listing.pk}/delete/").status_code == 302
    listing.refresh_from_db()
    assert listing.is_deleted


def test_form_errors_stay_next_to_the_field_and_keep_input(host_client):
    response = host_client.post("/host/listings/new/", FORM | {"zip_code": "00000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_address_error"' in html and 'value="Shaded driveway"' in html
    response = host_client.post("/host/listings/new/", FORM | {"available_end_time": "05:00"})
    assert 'id="id_available_end_time_error"' in response.content.decode()
    assert not Listing.objects.exists()


def test_someone_elses_listing_is_not_found(host_client, client):
    host_client.post("/host/listings/new/", FORM)
    listing = Listing.objects.get()
    other = User.objects.create_user(email="o@example.com", password="x", user_type="HOST", is_email_verified=True)
    host_client.force_login(other)
    assert host_client.get(f"/host/listings/{listing.pk}/edit/").status_code == 404
    assert host_client.post(f"/host/listings/{listing.pk}/delete/").status_code == 404


def test_unverified_host_sees_why_they_cannot_publish(client):
    user = User.objects.create_user(email="u@example.com", password="x", user_type="HOST")
    client.force_login(user)
    response = client.post("/host/listings/new/", FORM)
    assert response.status_code == 200
    assert "verified email" in response.content.decode()
