"""The account contract of API.md, end to end through HTTP, with the outbox as the user's mailbox and phone."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.models import AuditLog
from apps.payments.models import PaymentMethod
from apps.users import services

User = get_user_model()
pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "correct-horse-battery-9"


def register(api_client, **overrides):
    body = {
        "email": "dana@example.com",
        "password": STRONG_PASSWORD,
        "first_name": "Dana",
        "last_name": "Reyes",
        "user_type": "SEEKER",
    } | overrides
    return api_client.post("/api/v1/auth/register", body, format="json")


def token_from(body: str) -> str:
    return re.search(r"paste this code into the app:\s+(\S+)", body).group(1)


def sign_in(api_client, email="dana@example.com", password=STRONG_PASSWORD):
    response = api_client.post("/api/v1/auth/token", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return response.json()


def test_register_verify_sign_in_and_read_me(api_client, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api_client, user_type="BOTH", phone_number="(512) 555-0134")
    assert response.status_code == 201, response.content
    assert response.json()["is_email_verified"] is False
    assert response.json()["phone_number"] == "+15125550134"

    [message] = outbox.emails()
    assert message["To"] == "dana@example.com"
    token = token_from(outbox.email_bodies()[0])
    assert api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json").status_code == 200

    sign_in(api_client)
    me = api_client.get("/api/v1/me").json()
    expected = {
        "id", "email", "first_name", "last_name", "user_type", "phone_number", "is_email_verified",
        "is_phone_verified", "default_address", "preferred_notification_method",
    }  # fmt: skip
    assert expected <= me.keys()
    assert me["is_email_verified"] is True and me["user_type"] == "BOTH"


def test_verification_token_works_once(api_client, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(api_client)
    token = token_from(outbox.email_bodies()[0])
    assert api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json").status_code == 200
    again = api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"][0] == {
        "code": "token_used",
        "detail": "This verification link has already been used.",
        "attr": "token",
    }


def test_expired_or_forged_verification_token_is_rejected(api_client, settings):
    user = User.objects.create_user(email="old@example.com", password=STRONG_PASSWORD)
    settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS = -1
    expired = api_client.post(
        "/api/v1/auth/verify-email", {"token": services.make_email_verification_token(user)}, format="json"
    )
    assert expired.status_code == 400 and expired.json()["errors"][0]["code"] == "token_expired"
    forged = signing.dumps({"user": user.pk, "email": user.email}, salt="something-else")
    response = api_client.post("/api/v1/auth/verify-email", {"token": forged}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "token"
    user.refresh_from_db()
    assert user.is_email_verified is False


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"user_type": "ADMIN"}, "user_type"),
        ({"phone_number": "12"}, "phone_number"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_bad_registration_names_the_field_and_writes_nothing(api_client, overrides, attr):
    response = register(api_client, **overrides)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert attr in {error["attr"] for error in response.json()["errors"]}
    assert not User.objects.exists()


def test_missing_fields_are_all_named(api_client):
    response = api_client.post("/api/v1/auth/register", {}, format="json")
    assert response.status_code == 400
    assert {"email", "password", "first_name", "last_name", "user_type"} <= {
        error["attr"] for error in response.json()["errors"]
    }


def test_email_taken_in_any_case_is_rejected(api_client):
    assert register(api_client).status_code == 201
    response = register(api_client, email="DANA@Example.COM")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "email"
    assert User.objects.count() == 1


def test_unknown_user_and_wrong_password_get_the_same_answer(api_client):
    register(api_client)
    unknown = api_client.post("/api/v1/auth/token", {"email": "nobody@example.com", "password": "x"}, format="json")
    wrong = api_client.post("/api/v1/auth/token", {"email": "dana@example.com", "password": "nope"}, format="json")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_token_login_records_address_and_audits(api_client):
    register(api_client)
    api_client.post(
        "/api/v1/auth/token",
        {"email": "dana@example.com", "password": STRONG_PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="pytest-agent",
    )
    user = User.objects.get()
    assert user.last_login_ip == "203.0.113.7" and user.last_login is not None
    login = AuditLog.objects.get(action=AuditLog.Action.LOGIN)
    assert (login.ip_address, login.user_agent, login.request_path) == (
        "203.0.113.7",
        "pytest-agent",
        "/api/v1/auth/token",
    )


def test_behind_a_trusted_proxy_the_clients_address_is_recorded_not_the_proxys(api_client, settings):
    settings.NUM_PROXIES = 1
    register(api_client)
    api_client.post(
        "/api/v1/auth/token",
        {"email": "dana@example.com", "password": STRONG_PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.2",  # the proxy
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",  # a forged entry, then what the proxy saw
    )
    assert User.objects.get().last_login_ip == "203.0.113.9"
    assert AuditLog.objects.get(action=AuditLog.Action.LOGIN).ip_address == "203.0.113.9"


def test_refresh_and_logout_blacklists_the_refresh_token(api_client):
    register(api_client)
    tokens = sign_in(api_client)
    refreshed = api_client.post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200 and "access" in refreshed.json()
    new_refresh = refreshed.json()["refresh"]
    assert api_client.post("/api/v1/auth/logout", {"refresh": new_refresh}, format="json").status_code == 200
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGOUT).count() == 1
    reused = api_client.post("/api/v1/auth/token/refresh", {"refresh": new_refresh}, format="json")
    assert reused.status_code == 401


def test_password_reset_by_email(api_client, outbox):
    register(api_client)
    response = api_client.post("/api/v1/auth/password-reset", {"email": "Dana@example.com"}, format="json")
    assert response.status_code == 200
    token = token_from(outbox.email_bodies()[-1])
    bad = api_client.post(
        "/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "short"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "new_password"
    ok = api_client.post(
        "/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "a-brand-new-secret-7"}, format="json"
    )
    assert ok.status_code == 200
    reused = api_client.post(
        "/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "another-secret-88"}, format="json"
    )
    assert reused.status_code == 400 and reused.json()["errors"][0]["attr"] == "token"
    sign_in(api_client, password="a-brand-new-secret-7")


def test_password_reset_for_unknown_email_answers_the_same_and_sends_nothing(api_client, outbox):
    response = api_client.post("/api/v1/auth/password-reset", {"email": "ghost@example.com"}, format="json")
    assert response.status_code == 200
    assert outbox.emails() == []


def test_change_password(api_client):
    register(api_client)
    sign_in(api_client)
    wrong = api_client.post(
        "/api/v1/auth/password-change", {"old_password": "nope", "new_password": "x-new-secret-42"}, format="json"
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["attr"] == "old_password"
    ok = api_client.post(
        "/api/v1/auth/password-change",
        {"old_password": STRONG_PASSWORD, "new_password": "x-new-secret-42"},
        format="json",
    )
    assert ok.status_code == 200
    assert User.objects.get().check_password("x-new-secret-42")


def test_phone_verification_by_sms_code(api_client, outbox):
    register(api_client)
    sign_in(api_client)
    sent = api_client.post("/api/v1/auth/verify-phone", {"phone_number": "+1 512 555 0199"}, format="json")
    assert sent.status_code == 200
    [text] = outbox.texts()
    assert text["to"] == "+15125550199"
    code = re.search(r"\b(\d{6})\b", text["body"]).group(1)
    wrong_code = "000000" if code != "000000" else "111111"
    wrong = api_client.post("/api/v1/auth/verify-phone/confirm", {"code": wrong_code}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["attr"] == "code"
    ok = api_client.post("/api/v1/auth/verify-phone/confirm", {"code": code}, format="json")
    assert ok.status_code == 200
    assert ok.json()["is_phone_verified"] is True and ok.json()["phone_number"] == "+15125550199"
    reused = api_client.post("/api/v1/auth/verify-phone/confirm", {"code": code}, format="json")
    assert reused.status_code == 400


def test_unparseable_phone_number_is_rejected(api_client):
    register(api_client)
    sign_in(api_client)
    response = api_client.post("/api/v1/auth/verify-phone", {"phone_number": "call me maybe"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "phone_number"


def test_edit_me_and_changing_phone_needs_new_verification(api_client):
    register(api_client)
    User.objects.update(phone_number="+15125550134", is_phone_verified=True)
    sign_in(api_client)
    response = api_client.patch(
        "/api/v1/me",
        {"first_name": "Dee", "default_address": "1 Main St", "phone_number": "512-555-0188"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["default_address"], body["phone_number"]) == ("Dee", "1 Main St", "+15125550188")
    assert body["is_phone_verified"] is False


def test_bad_profile_edit_names_the_field_and_changes_nothing(api_client):
    register(api_client)
    sign_in(api_client)
    response = api_client.patch("/api/v1/me", {"first_name": "Zed", "phone_number": "nope"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "phone_number"
    assert User.objects.get().first_name == "Dana"
    response = api_client.patch("/api/v1/me", {"preferred_notification_method": "pigeon"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "preferred_notification_method"


def test_driver_licence_is_encrypted_masked_to_its_owner_and_absent_elsewhere(api_client, caplog):
    register(api_client)
    sign_in(api_client)
    with caplog.at_level("DEBUG"):
        response = api_client.patch(
            "/api/v1/me", {"driver_license_number": "D1234-5678", "driver_license_state": "tx"}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["driver_license_number"] == "••••••5678"
    assert response.json()["driver_license_state"] == "TX"
    user = User.objects.get()
    assert "5678" not in user.driver_license_number  # ciphertext at rest
    assert "D1234-5678" not in caplog.text
    assert not AuditLog.objects.filter(new_values__icontains="D1234").exists()
    assert all("D1234" not in str(log.new_values) for log in AuditLog.objects.all())
    public = api_client.get(f"/api/v1/users/{user.pk}").json()
    assert "driver_license_number" not in public and "email" not in public and "phone_number" not in public


def test_public_profile_shows_only_public_fields(api_client):
    register(api_client)
    user = User.objects.get()
    response = api_client.get(f"/api/v1/users/{user.pk}")
    assert response.status_code == 200
    assert set(response.json()) == {
        "id", "first_name", "last_initial", "member_since", "rating_average", "rating_count",
        "is_email_verified", "is_phone_verified", "is_identity_verified", "profile_picture",
    }  # fmt: skip
    assert response.json()["last_initial"] == "R"
    assert api_client.get("/api/v1/users/999999").status_code == 404


def test_delete_account_anonymises_and_blocks_sign_in(api_client):
    register(api_client, phone_number="5125550134")
    sign_in(api_client)
    api_client.patch("/api/v1/me", {"driver_license_number": "D1234-5678"}, format="json")
    PaymentMethod.objects.create(
        user=User.objects.get(), stripe_payment_method_id="pm_x", brand="visa", last4="4242", exp_month=1, exp_year=2030
    )
    assert api_client.delete("/api/v1/me").status_code == 204
    user = User.objects.get()
    assert not PaymentMethod.objects.exists()
    assert user.is_deleted and user.deleted_at is not None and not user.is_active
    assert (user.email, user.phone_number, user.driver_license_number) == (
        f"deleted-user-{user.pk}@deleted.invalid",
        "",
        "",
    )
    api_client.credentials()
    response = api_client.post(
        "/api/v1/auth/token", {"email": "dana@example.com", "password": STRONG_PASSWORD}, format="json"
    )
    assert response.status_code == 401
    assert api_client.get(f"/api/v1/users/{user.pk}").status_code == 404
    assert AuditLog.objects.filter(action=AuditLog.Action.DELETE, object_id=user.pk).exists()


def _image_bytes(image_format="JPEG", with_gps=False) -> bytes:
    image = Image.new("RGB", (64, 48), "orange")
    output = io.BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {2: (30.0, 16.0, 0.0), 4: (97.0, 44.0, 0.0)}  # GPSInfo
        image.save(output, format=image_format, exif=exif)
    else:
        image.save(output, format=image_format)
    return output.getvalue()


def test_profile_picture_is_checked_and_stripped_of_exif(api_client, settings):
    register(api_client)
    sign_in(api_client)
    upload = SimpleUploadedFile("me.jpg", _image_bytes(with_gps=True), content_type="image/jpeg")
    response = api_client.post("/api/v1/me/picture", {"profile_picture": upload}, format="multipart")
    assert response.status_code == 200, response.content
    user = User.objects.get()
    with Image.open(user.profile_picture.path) as stored:
        assert not stored.getexif()

    not_an_image = SimpleUploadedFile("me.jpg", b"%PDF-1.4 definitely not a picture", content_type="image/jpeg")
    response = api_client.post("/api/v1/me/picture", {"profile_picture": not_an_image}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "profile_picture"

    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    response = api_client.post(
        "/api/v1/me/picture", {"profile_picture": SimpleUploadedFile("a.gif", gif.getvalue())}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "invalid_image_type"

    settings.PROFILE_PICTURE_MAX_BYTES = 100
    big = SimpleUploadedFile("big.png", _image_bytes("PNG"), content_type="image/png")
    response = api_client.post("/api/v1/me/picture", {"profile_picture": big}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "file_too_large"


def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["type"] == "client_error"
