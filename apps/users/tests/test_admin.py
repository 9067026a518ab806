"""The account admin: email instead of a username, no licence number anywhere, suspension as audited moderation."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.core.models import AuditLog
from apps.listings.tests.test_admin import (
    admin_url,
    audit_trail_is_open,
    change_form_data,
    moderation_rows,
    new_user,
    queries_of,
)
from apps.users import services

User = get_user_model()
pytestmark = pytest.mark.django_db

LICENCE_CIPHERTEXT = "gAAAAABsecret-licence-ciphertext"


def test_user_list_change_and_add_pages_open(admin_client):
    user = new_user(driver_license_number=LICENCE_CIPHERTEXT, driver_license_state="TX")

    assert admin_client.get(admin_url(User, "changelist")).status_code == 200
    response = admin_client.get(admin_url(User, "change", user.pk))
    assert response.status_code == 200
    assert 'id="id_default_location-map"' in response.content.decode()
    assert admin_client.get(admin_url(User, "add")).status_code == 200
    assert admin_client.get(reverse("admin:auth_user_password_change", args=[user.pk])).status_code == 200


def test_the_licence_number_is_shown_nowhere(admin_client):
    user = new_user(driver_license_number=LICENCE_CIPHERTEXT, driver_license_state="TX")

    for url in (admin_url(User, "changelist"), admin_url(User, "change", user.pk)):
        page = admin_client.get(url).content.decode()
        assert LICENCE_CIPHERTEXT not in page
        assert "driver_license_number" not in page


def test_staff_add_an_account_by_email_with_an_audit_row(admin_client, admin_user):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Example.com",
            "user_type": "HOST",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="New.Person@example.com")
    assert user.check_password("a-long-enough-passphrase")
    assert AuditLog.objects.filter(object_id=user.pk, action=AuditLog.Action.CREATE, user=admin_user).count() == 1


def test_an_account_that_exists_in_another_case_is_refused(admin_client):
    new_user(email="taken@example.com")

    response = admin_client.post(
        admin_url(User, "add"),
        {"email": "TAKEN@example.com", "user_type": "SEEKER", "usable_password": "false"},
        follow=True,
    )

    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert response.status_code == 200


def test_an_edit_is_saved_by_update_account_with_old_and_new_values(admin_client, admin_user):
    user = new_user(first_name="Ana")
    url = admin_url(User, "change", user.pk)
    data = change_form_data(admin_client.get(url)) | {"first_name": "Anna", "is_identity_verified": "on"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert (user.first_name, user.is_identity_verified) == ("Anna", True)
    row = AuditLog.objects.get(object_id=user.pk, action=AuditLog.Action.UPDATE, user=admin_user)
    assert row.new_values == {"first_name": "Anna", "is_identity_verified": "True"}


def test_staff_without_superuser_rights_cannot_grant_rights(client):
    staff = new_user(is_staff=True)
    staff.user_permissions.add(*_user_permissions())
    other = new_user()
    client.force_login(staff)
    url = admin_url(User, "change", other.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields

    client.post(url, change_form_data(response) | {"is_superuser": "on", "is_staff": "on"})

    other.refresh_from_db()
    assert (other.is_staff, other.is_superuser) == (False, False)


def _user_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="users", codename__in=["view_user", "change_user"])


def test_suspending_is_one_moderation_row_and_idempotent(admin_client, admin_user):
    user = new_user()
    action = {"action": "suspend_users", "_selected_action": [user.pk], "reason": "Chargeback fraud"}

    response = admin_client.post(admin_url(User, "changelist"), action, follow=True)
    admin_client.post(admin_url(User, "changelist"), action)

    user.refresh_from_db()
    assert user.is_active is False
    [row] = moderation_rows(user)
    assert (row.user, row.new_values) == (admin_user, {"is_active": False})
    assert "Chargeback fraud" in row.description
    assert "Suspended: 1." in [str(message) for message in response.context["messages"]]


def test_suspending_needs_a_reason(admin_client):
    user = new_user()

    admin_client.post(admin_url(User, "changelist"), {"action": "suspend_users", "_selected_action": [user.pk]})

    user.refresh_from_db()
    assert user.is_active is True
    assert moderation_rows(user) == []


def test_a_suspended_user_can_no_longer_use_their_session(client, admin_user):
    user = new_user()
    client.force_login(user)
    services.suspend_user(user=user, actor=admin_user, reason="Abuse")

    response = client.get("/accounts/profile/")

    assert response.status_code == 302  # back to the sign-in page


def test_staff_cannot_suspend_themselves(admin_client, admin_user):
    admin_client.post(
        admin_url(User, "changelist"),
        {"action": "suspend_users", "_selected_action": [admin_user.pk], "reason": "oops"},
    )

    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_reactivating_is_one_moderation_row(admin_client):
    user = new_user(is_active=False)

    admin_client.post(admin_url(User, "changelist"), {"action": "reactivate_users", "_selected_action": [user.pk]})

    user.refresh_from_db()
    assert user.is_active is True
    assert len(moderation_rows(user)) == 1


def test_a_deleted_account_is_not_reactivated(admin_client, admin_user):
    user = services.delete_account(user=new_user())

    admin_client.post(admin_url(User, "changelist"), {"action": "reactivate_users", "_selected_action": [user.pk]})

    user.refresh_from_db()
    assert user.is_active is False


def test_a_user_change_page_shows_its_audit_trail(admin_client, admin_user):
    user = new_user()
    services.suspend_user(user=user, actor=admin_user, reason="Spam")

    page = admin_client.get(admin_url(User, "change", user.pk)).content.decode()

    assert "Account suspended. Spam" in page
    assert audit_trail_is_open(page)


def test_users_are_not_hard_deleted_in_the_admin(admin_client):
    user = new_user()

    assert admin_client.get(admin_url(User, "delete", user.pk)).status_code == 403


def test_the_user_list_costs_the_same_queries_for_one_row_or_many(admin_client, django_assert_max_num_queries):
    url = admin_url(User, "changelist")
    one_row = queries_of(admin_client, url)
    for _ in range(6):
        new_user()

    with django_assert_max_num_queries(one_row):
        assert admin_client.get(url).status_code == 200
