"""The audit log's admin is read-only for everyone, superusers included, and links each row to its object."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.core.models import AuditLog, IdempotencyRecord
from apps.core.services import log_action
from apps.listings.tests.test_admin import admin_url, new_listing, new_user, queries_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    listing = new_listing()
    return log_action(
        actor=listing.host,
        action=AuditLog.Action.UPDATE,
        target=listing,
        description="Listing updated",
        old_values={"title": "Old"},
        new_values={"title": "New"},
    )


def test_audit_log_list_and_entry_pages_open(admin_client, entry):
    assert admin_client.get(admin_url(AuditLog, "changelist")).status_code == 200
    response = admin_client.get(admin_url(AuditLog, "change", entry.pk))

    assert response.status_code == 200
    assert "Listing updated" in response.content.decode()


def test_an_entry_links_to_its_object(admin_client, entry):
    page = admin_client.get(admin_url(AuditLog, "changelist")).content.decode()

    assert admin_url(type(entry.content_object), "change", entry.object_id) in page


def test_nobody_adds_an_entry(admin_client):
    assert admin_client.get(admin_url(AuditLog, "add")).status_code == 403
    assert admin_client.post(admin_url(AuditLog, "add"), {"description": "forged"}).status_code == 403


def test_nobody_changes_an_entry(admin_client, entry):
    response = admin_client.post(
        admin_url(AuditLog, "change", entry.pk),
        {"action": "DELETE", "description": "Nothing happened here", "object_id": entry.object_id},
    )

    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.action, entry.description) == (AuditLog.Action.UPDATE, "Listing updated")


def test_nobody_deletes_an_entry(admin_client, entry):
    assert admin_client.post(admin_url(AuditLog, "delete", entry.pk), {"post": "yes"}).status_code == 403
    response = admin_client.post(
        admin_url(AuditLog, "changelist"), {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    assert response.status_code == 200  # "no action selected": the delete action is not offered
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_the_permission_checks_refuse_even_a_superuser(rf, admin_user, entry):
    request = rf.get("/")
    request.user = admin_user
    model_admin = site._registry[AuditLog]

    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_the_audit_log_filters_to_one_object(admin_client, entry):
    other = log_action(actor=None, action=AuditLog.Action.UPDATE, target=new_user(), description="Something else")
    content_type = ContentType.objects.get_for_model(entry.content_object)

    response = admin_client.get(
        admin_url(AuditLog, "changelist"), {"content_type__id__exact": content_type.pk, "object_id": entry.object_id}
    )

    rows = list(response.context["cl"].result_list)
    assert entry in rows
    assert other not in rows


def test_the_audit_log_list_costs_the_same_queries_for_one_row_or_many(admin_client, django_assert_max_num_queries):
    listing = new_listing()
    url = admin_url(AuditLog, "changelist")
    one_row = queries_of(admin_client, url)
    for number in range(6):
        log_action(actor=new_user(), action=AuditLog.Action.UPDATE, target=listing, description=f"Change {number}")

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200


def test_idempotency_records_are_read_only_pages(admin_client):
    record = IdempotencyRecord.objects.create(
        user=new_user(), key="k-1", scope="POST /api/v1/bookings", request_fingerprint="f" * 64, status_code=201,
        response_body={"booking_code": "x"}, completed_at=timezone.now(),
    )  # fmt: skip

    assert admin_client.get(admin_url(IdempotencyRecord, "changelist")).status_code == 200
    assert admin_client.get(admin_url(IdempotencyRecord, "change", record.pk)).status_code == 200
    assert admin_client.get(admin_url(IdempotencyRecord, "add")).status_code == 403


def test_the_admin_index_and_every_registered_list_open(admin_client):
    assert admin_client.get("/admin/").status_code == 200
    for model in site._registry:
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200, model


def test_an_objects_audit_trail_is_one_query(django_assert_num_queries, entry):
    listing = entry.content_object
    model_admin = site._registry[type(listing)]
    ContentType.objects.get_for_model(listing)  # cached for the life of the process, as in production

    with django_assert_num_queries(1):
        trail = model_admin.audit_trail(listing)

    assert "Listing updated" in trail
    assert "Listing created" in trail
