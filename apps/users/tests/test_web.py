"""The account pages, driven like a browser would (forms, redirects, the outbox as a mailbox)."""

import re

import pytest
from django.contrib.auth import get_user_model

from apps.core.models import AuditLog

User = get_user_model()
pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


def link_in(body: str) -> str:
    return re.search(r"http://[^/\s]+(/\S+)", body).group(1)


def signs_in(client, email: str, password: str) -> bool:
    return client.post("/accounts/login/", {"username": email, "password": password}).status_code == 302


def test_sign_up_verify_and_see_the_profile(client, outbox, django_capture_on_commit_callbacks):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200 and b'<label for="id_email">' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "first_name": "Sam",
                "last_name": "Lee",
                "email": "sam@example.com",
                "password": PASSWORD,
                "user_type": "HOST",
                "phone_number": "",
            },
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    profile = client.get("/accounts/profile/")
    assert b"not verified yet" in profile.content

    verify = client.get(link_in(outbox.email_bodies()[0]))
    assert verify.status_code == 200 and b"Email verified" in verify.content
    assert User.objects.get().is_email_verified
    again = client.get(link_in(outbox.email_bodies()[0]))
    assert again.status_code == 400 and b"already been used" in again.content


def test_sign_up_errors_stay_next_to_the_field_and_keep_what_was_typed(client):
    response = client.post(
        "/accounts/signup/",
        {"first_name": "Sam", "last_name": "Lee", "email": "sam@example.com", "password": "123", "user_type": "SEEKER"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_password_error"' in html
    assert 'value="sam@example.com"' in html
    assert not User.objects.exists()


def test_sign_in_and_out_are_audited(client):
    User.objects.create_user(email="kim@example.com", password=PASSWORD)
    bad = client.post("/accounts/login/", {"username": "kim@example.com", "password": "nope"})
    assert bad.status_code == 200 and b"The email or password is not correct." in bad.content
    good = client.post(
        "/accounts/login/", {"username": "KIM@example.com", "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    assert good.status_code == 302
    assert User.objects.get().last_login_ip == "192.0.2.5"
    client.post("/accounts/logout/")
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == ["LOGIN", "LOGOUT"]


def test_password_reset_through_the_web(client, outbox):
    User.objects.create_user(email="kim@example.com", password=PASSWORD)
    response = client.post("/accounts/password-reset/", {"email": "kim@example.com"})
    assert response.status_code == 200 and b"Check your email" in response.content
    link = link_in(outbox.email_bodies()[0])
    weak = client.post(link, {"new_password": "abc"})
    assert weak.status_code == 200 and b"too short" in weak.content
    done = client.post(link, {"new_password": "brand-new-secret-77"})
    assert done.status_code == 302
    assert signs_in(client, "kim@example.com", "brand-new-secret-77")


def test_profile_edit_phone_verification_and_licence_masking(client, outbox):
    user = User.objects.create_user(email="kim@example.com", password=PASSWORD, first_name="Kim", last_name="Ng")
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {
            "first_name": "Kimberly",
            "last_name": "Ng",
            "user_type": "BOTH",
            "phone_number": "512 555 0147",
            "default_address": "",
            "preferred_notification_method": "sms",
            "bio": "",
            "driver_license_number": "TX-12345678",
            "driver_license_state": "TX",
        },
    )
    assert response.status_code == 302
    page = client.get("/accounts/profile/").content.decode()
    assert "•••••••5678" in page and "TX-12345678" not in page

    client.post("/accounts/profile/phone/send/")
    code = re.search(r"\b(\d{6})\b", outbox.texts()[0]["body"]).group(1)
    client.post("/accounts/profile/phone/confirm/", {"code": code})
    user.refresh_from_db()
    assert user.is_phone_verified and user.phone_number == "+15125550147"


def test_bad_phone_number_is_shown_next_to_the_field(client):
    user = User.objects.create_user(email="kim@example.com", password=PASSWORD, first_name="Kim", last_name="Ng")
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"first_name": "Kim", "last_name": "Ng", "user_type": "SEEKER", "phone_number": "nope",
         "preferred_notification_method": "email"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'id="id_phone_number_error"' in response.content.decode()


def test_delete_account_from_the_web(client):
    user = User.objects.create_user(email="kim@example.com", password=PASSWORD)
    client.force_login(user)
    assert client.get("/accounts/delete/").status_code == 200
    assert client.post("/accounts/delete/").status_code == 302
    assert not signs_in(client, "kim@example.com", PASSWORD)
    user.refresh_from_db()
    assert user.is_deleted


def test_pages_need_sign_in(client):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")
