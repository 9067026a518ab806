"""Hosts manage listings in the browser, step by step: the same rules as the API, errors next to the field, what
was typed kept, other hosts' listings not found."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from apps.core.models import AuditLog
from apps.listings.models import Listing
from apps.listings.tests.factories import ListingFactory
from apps.users.tests.factories import HostFactory

User = get_user_model()
pytestmark = pytest.mark.django_db

BASICS = {"title": "Shaded driveway", "description": "Fits a sedan, 5 minutes to the stadium.", "spot_type": "DRIVEWAY"}
LOCATION = {"address": "500 E 6th St", "city": "Austin", "state": "tx", "zip_code": "78701"}
PRICING = {
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
FORM = BASICS | LOCATION | PRICING


def png(color: str = "navy", name: str = "d.png") -> SimpleUploadedFile:
    image = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(image, format="PNG")
    return SimpleUploadedFile(name, image.getvalue(), content_type="image/png")


@pytest.fixture
def host_client(client):
    host = User.objects.create_user(email="h@example.com", password="x", user_type="HOST", is_email_verified=True)
    client.force_login(host)
    client.host = host
    return client


def create_through_the_steps(client, *, basics=BASICS, location=LOCATION, pricing=PRICING):
    assert client.post("/host/listings/new/", basics).status_code == 302
    assert client.post("/host/listings/new/location/", location).status_code == 302
    return client.post("/host/listings/new/pricing/", pricing)


def test_create_edit_photo_deactivate_delete(host_client):
    response = create_through_the_steps(host_client)
    listing = Listing.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/host/listings/{listing.pk}/photos/"
    assert listing.time_zone == "America/Chicago" and listing.state == "TX"
    assert listing.is_active is False  # published hidden: the host activates it at the end
    assert listing.gate_code == "1234" and listing.features == ["well_lit"]

    page = host_client.get(f"/host/listings/{listing.pk}/edit/").content.decode()
    assert 'value="Shaded driveway"' in page
    response = host_client.post(f"/host/listings/{listing.pk}/edit/", FORM | {"title": "Shady driveway"})
    assert response.status_code == 302 and response["Location"] == f"/host/listings/{listing.pk}/location/"
    listing.refresh_from_db()
    assert listing.title == "Shady driveway"

    host_client.post(f"/host/listings/{listing.pk}/photos/", {"image": png(), "caption": "From the street"})
    assert listing.photos.get().caption == "From the street"

    host_client.post(f"/host/listings/{listing.pk}/toggle/")
    listing.refresh_from_db()
    assert listing.is_active
    host_client.post(f"/host/listings/{listing.pk}/toggle/")
    listing.refresh_from_db()
    assert not listing.is_active
    assert host_client.post(f"/host/listings/{listing.pk}/delete/").status_code == 302
    listing.refresh_from_db()
    assert listing.is_deleted


# --- A new listing: the draft -----------------------------------------------------------------------------------


def test_the_draft_keeps_each_step_until_the_listing_is_saved(host_client):
    host_client.post("/host/listings/new/", BASICS)
    host_client.post("/host/listings/new/location/", LOCATION)

    # Going back shows what was typed; the geocoded point came with the address.
    assert 'value="Shaded driveway"' in host_client.get("/host/listings/new/").content.decode()
    page = host_client.get("/host/listings/new/location/").content.decode()
    assert 'value="500 E 6th St"' in page and 'value="30.' in page  # the ZIP centroid's latitude
    assert not Listing.objects.exists()

    create_through_the_steps(host_client)
    assert Listing.objects.count() == 1
    # The draft is gone once the listing is saved.
    assert 'value="Shaded driveway"' not in host_client.get("/host/listings/new/").content.decode()


def test_a_step_cannot_be_skipped(host_client):
    response = host_client.get("/host/listings/new/pricing/")
    assert response.status_code == 302 and response["Location"] == "/host/listings/new/"
    host_client.post("/host/listings/new/", BASICS)
    response = host_client.post("/host/listings/new/pricing/", PRICING)
    assert response.status_code == 302 and response["Location"] == "/host/listings/new/location/"
    assert not Listing.objects.exists()


def test_the_pin_the_host_dragged_wins_over_the_address(host_client):
    create_through_the_steps(host_client, location=LOCATION | {"latitude": "30.267153", "longitude": "-97.743057"})
    listing = Listing.objects.get()
    assert (round(listing.location.y, 6), round(listing.location.x, 6)) == (30.267153, -97.743057)


def test_features_and_days_ticked_twice_are_saved_once(host_client):
    create_through_the_steps(
        host_client, pricing=PRICING | {"features": ["covered", "gated", "covered"], "available_days": ["5", "1", "5"]}
    )
    listing = Listing.objects.get()
    assert (listing.features, listing.available_days) == (["covered", "gated"], [1, 5])


def test_a_draft_can_be_discarded(host_client):
    host_client.post("/host/listings/new/", BASICS)
    host_client.post("/host/listings/new/", {"discard": "1"})
    assert 'value="Shaded driveway"' not in host_client.get("/host/listings/new/").content.decode()


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/host/listings/new/", BASICS | {"title": ""}, "title"),
        ("/host/listings/new/", BASICS | {"spot_type": "SPACESHIP"}, "spot_type"),
        ("/host/listings/new/location/", LOCATION | {"zip_code": "00000"}, "address"),  # unknown to the geocoder
        ("/host/listings/new/location/", LOCATION | {"zip_code": "abc"}, "zip_code"),
        ("/host/listings/new/location/", LOCATION | {"state": "Texas"}, "state"),
        ("/host/listings/new/location/", LOCATION | {"latitude": "30.2"}, "longitude"),
        ("/host/listings/new/location/", LOCATION | {"latitude": "91", "longitude": "0"}, "latitude"),
        ("/host/listings/new/location/", LOCATION | {"latitude": "NaN", "longitude": "1e400"}, "latitude"),
        ("/host/listings/new/pricing/", PRICING | {"price_per_day": ""}, "price_per_day"),
        ("/host/listings/new/pricing/", PRICING | {"price_per_hour": "-1"}, "price_per_hour"),
        ("/host/listings/new/pricing/", PRICING | {"spaces_available": "zero"}, "spaces_available"),
        ("/host/listings/new/pricing/", PRICING | {"features": ["jacuzzi"]}, "features"),
        ("/host/listings/new/pricing/", PRICING | {"available_end_time": "05:00"}, "available_end_time"),  # service
        ("/host/listings/new/pricing/", PRICING | {"available_days": []}, "available_days"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_what_was_typed_is_kept(host_client, url, data, field):
    if url != "/host/listings/new/":
        host_client.post("/host/listings/new/", BASICS)
    if url == "/host/listings/new/pricing/":
        host_client.post("/host/listings/new/location/", LOCATION)

    response = host_client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}' in html or f'id_{field}_error"' in html
    typed = next(value for key, value in data.items() if key != field and isinstance(value, str) and value)
    assert f'value="{typed}"' in html or typed in html
    assert not Listing.objects.exists()


def test_unverified_host_sees_why_they_cannot_publish(client):
    user = User.objects.create_user(email="u@example.com", password="x", user_type="HOST")
    client.force_login(user)
    assert "verified email" in client.get("/host/listings/new/").content.decode()
    response = create_through_the_steps(client)
    assert response.status_code == 200
    assert "verified email" in response.content.decode()
    assert 'value="18.00"' in response.content.decode()  # what was typed is kept
    assert not Listing.objects.exists()


# --- An existing listing: each step saves -------------------------------------------------------------------------


@pytest.fixture
def listing(host_client):
    return ListingFactory(host=host_client.host, location=Point(-97.7431, 30.2672, srid=4326))


def test_each_step_saves_through_the_service_with_an_audit_row(host_client, listing):
    before = AuditLog.objects.filter(object_id=listing.pk, action=AuditLog.Action.UPDATE).count()
    response = host_client.post(f"/host/listings/{listing.pk}/pricing/", PRICING | {"price_per_day": "21.00"})
    assert response.status_code == 302 and response["Location"] == f"/host/listings/{listing.pk}/photos/"
    listing.refresh_from_db()
    assert listing.price_per_day == Decimal("21.00")
    assert AuditLog.objects.filter(object_id=listing.pk, action=AuditLog.Action.UPDATE).count() == before + 1

    response = host_client.post(f"/host/listings/{listing.pk}/edit/", BASICS | {"stay": "1"})
    assert response["Location"] == f"/host/listings/{listing.pk}/edit/"


def test_an_untouched_step_writes_nothing(host_client, listing):
    page = host_client.get(f"/host/listings/{listing.pk}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    before = AuditLog.objects.count()
    assert host_client.post(f"/host/listings/{listing.pk}/edit/", data).status_code == 302
    assert AuditLog.objects.count() == before


def test_dragging_the_pin_moves_the_listing_and_its_time_zone(host_client, listing):
    data = {"address": listing.address, "city": "Denver", "state": "CO", "zip_code": "80202"}
    response = host_client.post(
        f"/host/listings/{listing.pk}/location/", data | {"latitude": "39.739200", "longitude": "-104.990300"}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.time_zone == "America/Denver"
    assert round(listing.location.x, 4) == -104.9903


def test_a_new_address_without_a_pin_is_geocoded(host_client, listing):
    data = {
        "address": "1 Main St",
        "city": "Denver",
        "state": "CO",
        "zip_code": "80202",
        "latitude": "",
        "longitude": "",
    }
    assert host_client.post(f"/host/listings/{listing.pk}/location/", data).status_code == 302
    listing.refresh_from_db()
    assert listing.time_zone == "America/Denver"


def test_edit_errors_stay_next_to_the_field(host_client, listing):
    response = host_client.post(
        f"/host/listings/{listing.pk}/pricing/",
        PRICING | {"available_start_time": "20:00", "available_end_time": "08:00"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_available_end_time_error"' in html and 'value="20:00"' in html
    listing.refresh_from_db()
    assert listing.available_start_time.hour == 0


@pytest.mark.parametrize("step", ["edit", "location", "pricing", "photos", "availability", "delete"])
def test_someone_elses_listing_is_not_found(client, listing, step):
    client.force_login(HostFactory())
    assert client.get(f"/host/listings/{listing.pk}/{step}/").status_code == 404
    assert client.post(f"/host/listings/{listing.pk}/{step}/", FORM).status_code == 404
    assert client.post(f"/host/listings/{listing.pk}/toggle/").status_code == 404
    listing.refresh_from_db()
    assert listing.title != "Shaded driveway" and not listing.is_deleted and listing.is_active


def test_signed_out_visitors_are_sent_to_sign_in(listing):
    response = Client().get(f"/host/listings/{listing.pk}/edit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_stepper_shows_progress(host_client, listing):
    html = host_client.get(f"/host/listings/{listing.pk}/location/").content.decode()
    assert "Step 2 of 5" in html
    assert f'href="/host/listings/{listing.pk}/location/" aria-current="step"' in html
    assert html.count("(done)") == 2  # basics and pricing; photos are still missing
    draft = host_client.get("/host/listings/new/").content.decode()
    assert "(after step 3)" in draft  # photos and availability come once the listing exists


# --- Placing the pin from the address -----------------------------------------------------------------------------


def test_the_address_is_geocoded_to_place_the_pin(host_client):
    response = host_client.get("/host/listings/locate/", LOCATION)
    assert response.status_code == 200
    assert 'data-lat="30.' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [LOCATION | {"zip_code": "00000"}, LOCATION | {"zip_code": "x" * 500}, {}, {"state": ["T", "X"]}],
)
def test_an_address_that_cannot_be_placed_is_a_readable_422(host_client, query):
    response = host_client.get("/host/listings/locate/", query)
    assert response.status_code == 422
    assert 'class="geocode-status error"' in response.content.decode()


# --- My listings, going live -----------------------------------------------------------------------------------------


def test_activating_from_the_last_step_comes_back_to_it(host_client, listing):
    listing.is_active = False
    Listing.objects.filter(pk=listing.pk).update(is_active=False)
    url = f"/host/listings/{listing.pk}/availability/"
    response = host_client.post(f"/host/listings/{listing.pk}/toggle/", {"next": url})
    assert response["Location"] == url
    listing.refresh_from_db()
    assert listing.is_active
    response = host_client.post(f"/host/listings/{listing.pk}/toggle/", {"next": "https://evil.example/"})
    assert response["Location"] == "/host/listings/"


def test_my_listings_costs_the_same_queries_for_one_listing_or_many(host_client, django_assert_max_num_queries):
    ListingFactory(host=host_client.host)
    with django_assert_max_num_queries(9) as one:
        host_client.get("/host/listings/")
    baseline = len(one)
    for _ in range(5):
        ListingFactory(host=host_client.host)
    with django_assert_max_num_queries(baseline):
        response = host_client.get("/host/listings/")
    assert response.content.decode().count('class="card listing-row host-row"') == 6


@pytest.mark.parametrize("step", ["edit", "location", "pricing"])
def test_each_step_page_runs_a_bounded_number_of_queries(host_client, listing, step, django_assert_max_num_queries):
    # Six are every signed-in page's (session, user, row-level security context, the navigation's badges).
    with django_assert_max_num_queries(8):
        assert host_client.get(f"/host/listings/{listing.pk}/{step}/").status_code == 200
