"""The listing admin: every page opens, edits go through `update_listing`, moderation is audited, lists stay cheap.

The helpers at the top (`new_user`, `new_listing`, `change_form_data`, `queries_of`) are shared by the other apps'
admin tests.
"""

import json
from decimal import Decimal
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.models import AuditLog
from apps.listings import services
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto, ListingSpace
from apps.listings.services import create_listing

User = get_user_model()
pytestmark = pytest.mark.django_db

_numbers = count(1)


def new_user(**fields) -> User:
    number = next(_numbers)
    values = {"email": f"person{number}@example.com", "password": "x", "first_name": f"Person{number}"} | fields
    return User.objects.create_user(**values)


def new_host(**fields) -> User:
    return new_user(user_type="HOST", is_email_verified=True, **fields)


def new_listing(host: User | None = None, *, lng: float = -97.7431, lat: float = 30.2672, **fields) -> Listing:
    values = {
        "title": "Driveway near downtown",
        "description": "Easy access, well lit.",
        "spot_type": "DRIVEWAY",
        "address": "100 Congress Ave",
        "city": "Austin",
        "state": "TX",
        "zip_code": "78701",
        "price_per_hour": Decimal("3.00"),
        "price_per_day": Decimal("20.00"),
        "gate_code": "4321",
        "access_instructions": "Behind the blue fence",
    } | fields
    return create_listing(host=host or new_host(), location=Point(lng, lat, srid=4326), **values)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_form_data(response) -> dict:
    """What a browser would post back from an admin change page left as it is: the form, the inlines' forms and
    their management forms."""
    data: dict = {}

    def add(form) -> None:
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, GEOSGeometry):
                value = value.json  # what the map widget posts
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            elif value is True:
                value = "on"
            data[bound.html_name] = value
            if bound.field.show_hidden_initial:
                data[bound.html_initial_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data | {"_save": "Save"}


def queries_of(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def audit_trail_is_open(page: str) -> bool:
    """The change page shows its audit trail at once, not folded away in a collapsed fieldset."""
    heading = page.index('class="fieldset-heading">Audit trail<')
    return "<details>" not in page[page.rindex("<fieldset", 0, heading) : heading]


def moderation_rows(target) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=AuditLog.Action.MODERATE, object_id=target.pk))


# --- Pages open --------------------------------------------------------------------------------------------------


def test_listing_list_and_change_pages_open_with_the_map(admin_client):
    listing = new_listing()

    assert admin_client.get(admin_url(Listing, "changelist")).status_code == 200
    response = admin_client.get(admin_url(Listing, "change", listing.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_location-map"' in page  # django-leaflet's map
    assert "leaflet/leaflet.js" in page
    assert "Driveway near downtown" in page


def test_listing_pages_never_show_the_access_details(admin_client):
    listing = new_listing()

    page = admin_client.get(admin_url(Listing, "change", listing.pk)).content.decode()

    assert "4321" not in page
    assert "Behind the blue fence" not in page


def test_listings_are_published_by_hosts_not_added_or_deleted_in_the_admin(admin_client):
    listing = new_listing()

    assert admin_client.get(admin_url(Listing, "add")).status_code == 403
    assert admin_client.get(admin_url(Listing, "delete", listing.pk)).status_code == 403


def test_every_child_of_a_listing_has_list_and_change_pages(admin_client):
    listing = new_listing()
    photo = ListingPhoto.objects.create(listing=listing, image="listings/a.jpg", caption="Front")
    rule = AvailabilityRule.objects.create(
        listing=listing, rule_type="daily", start_date="2030-01-01", start_time="08:00", end_time="18:00"
    )
    exception = AvailabilityException.objects.create(listing=listing, exception_date="2030-01-05", reason="Party")
    for obj in (listing.spaces.get(), photo, rule, exception):
        model = type(obj)
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200, model
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
        assert admin_client.get(admin_url(model, "add")).status_code == 403, model


def test_spaces_cannot_be_removed_because_bookings_hold_them(admin_client):
    space = new_listing().spaces.get()

    assert admin_client.get(admin_url(ListingSpace, "delete", space.pk)).status_code == 403


def test_removing_a_photo_in_the_admin_goes_through_the_service(admin_client, admin_user):
    listing = new_listing()
    photo = ListingPhoto.objects.create(listing=listing, image="listings/a.jpg")

    response = admin_client.post(admin_url(ListingPhoto, "delete", photo.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not ListingPhoto.objects.filter(pk=photo.pk).exists()
    assert AuditLog.objects.filter(object_id=listing.pk, description="Photo removed", user=admin_user).count() == 1


# --- Editing ---------------------------------------------------------------------------------------------------------


def test_an_edit_is_saved_by_update_listing_with_an_audit_row(admin_client, admin_user):
    listing = new_listing()
    url = admin_url(Listing, "change", listing.pk)
    data = change_form_data(admin_client.get(url)) | {"title": "Shaded driveway"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    listing.refresh_from_db()
    assert listing.title == "Shaded driveway"
    row = AuditLog.objects.get(object_id=listing.pk, action=AuditLog.Action.UPDATE)
    assert row.user == admin_user
    assert row.new_values == {"title": "Shaded driveway"}


def test_moving_the_pin_follows_with_the_time_zone(admin_client):
    listing = new_listing()
    url = admin_url(Listing, "change", listing.pk)
    denver = json.dumps({"type": "Point", "coordinates": [-104.9903, 39.7392]})

    response = admin_client.post(url, change_form_data(admin_client.get(url)) | {"location": denver})

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.time_zone == "America/Denver"
    assert listing.location.coords == pytest.approx((-104.9903, 39.7392))


def test_a_bad_point_is_a_form_error_not_a_server_error(admin_client):
    listing = new_listing()
    url = admin_url(Listing, "change", listing.pk)
    bad = json.dumps({"type": "Point", "coordinates": [-500, 95]})

    response = admin_client.post(url, change_form_data(admin_client.get(url)) | {"location": bad})

    assert response.status_code == 200
    assert "location" in response.context["adminform"].form.errors


def test_a_refusal_by_the_service_comes_back_as_a_message(admin_client):
    listing = new_listing()
    url = admin_url(Listing, "change", listing.pk)
    data = change_form_data(admin_client.get(url)) | {"features": "covered,jetpack_dock"}

    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "Unknown features: jetpack_dock." in [str(message) for message in response.context["messages"]]
    listing.refresh_from_db()
    assert listing.features == []


# --- Moderation ------------------------------------------------------------------------------------------------------


def test_deactivating_listings_is_one_moderation_row_each_and_idempotent(admin_client, admin_user):
    listing = new_listing()
    action = {"action": "deactivate_listings", "_selected_action": [listing.pk], "reason": "Fake photos"}

    response = admin_client.post(admin_url(Listing, "changelist"), action, follow=True)
    admin_client.post(admin_url(Listing, "changelist"), action)

    listing.refresh_from_db()
    assert listing.is_active is False
    [row] = moderation_rows(listing)
    assert row.user == admin_user
    assert "Fake photos" in row.description
    assert "Deactivated: 1." in [str(message) for message in response.context["messages"]]


def test_activating_listings_is_one_moderation_row(admin_client):
    listing = new_listing(is_active=False)

    admin_client.post(
        admin_url(Listing, "changelist"), {"action": "activate_listings", "_selected_action": [listing.pk]}
    )

    listing.refresh_from_db()
    assert listing.is_active is True
    assert len(moderation_rows(listing)) == 1


def test_a_listing_change_page_shows_its_audit_trail(admin_client):
    listing = new_listing()

    services.deactivate_listing(listing=listing, actor=new_user(is_staff=True), reason="Fake address")

    page = admin_client.get(admin_url(Listing, "change", listing.pk)).content.decode()

    assert "Listing created" in page and "Listing deactivated. Fake address" in page
    assert audit_trail_is_open(page)


# --- Cost of the list ------------------------------------------------------------------------------------------------


def test_the_listing_list_costs_the_same_queries_for_one_row_or_many(admin_client, django_assert_max_num_queries):
    new_listing()
    url = admin_url(Listing, "changelist")
    one_row = queries_of(admin_client, url)
    for _ in range(6):
        new_listing()  # each with its own host

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200
