"""Brute-force lockout, throttling, encryption at rest and key rotation."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.throttling import ScopedRateThrottle

from apps.core import crypto
from apps.users import services

User = get_user_model()
pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def member():
    return User.objects.create_user(email="member@example.com", password=PASSWORD)


def attempt(api_client, email, password, address="198.51.100.1"):
    return api_client.post(
        "/api/v1/auth/token", {"email": email, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_repeated_failures_lock_the_account_even_with_the_right_password(api_client, member, settings):
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(api_client, member.email, "wrong", address=f"198.51.100.{number + 1}").status_code == 401
    assert attempt(api_client, member.email, "wrong", address="198.51.100.99").status_code == 429
    locked = attempt(api_client, member.email, PASSWORD, address="198.51.100.200")
    assert locked.status_code == 429
    assert locked["Retry-After"]
    assert locked.json()["errors"][0]["code"] == "locked_out"
    assert "Too many failed sign-in attempts" in locked.json()["errors"][0]["detail"]


def test_repeated_failures_from_one_address_lock_that_address(api_client, member, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(api_client, f"someone{number}@example.com", "wrong", address="203.0.113.9")
    assert attempt(api_client, member.email, PASSWORD, address="203.0.113.9").status_code == 429
    assert attempt(api_client, member.email, PASSWORD, address="203.0.113.10").status_code == 200


def test_web_sign_in_is_locked_out_too(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": member.email, "password": "wrong"})
        assert response.status_code == 200
        assert b"The email or password is not correct." in response.content
    assert client.post("/accounts/login/", {"username": member.email, "password": "wrong"}).status_code == 429
    response = client.post("/accounts/login/", {"username": member.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_auth_endpoints_are_throttled(api_client, monkeypatch):
    # DRF reads the rates once, when the throttle class is defined.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min", "sms": "5/hour"})
    statuses = [
        api_client.post("/api/v1/auth/password-reset", {"email": "x@example.com"}, format="json").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    throttled = api_client.post("/api/v1/auth/password-reset", {"email": "x@example.com"}, format="json")
    assert throttled["Retry-After"] and throttled.json()["errors"][0]["code"] == "throttled"


def test_licence_round_trips_through_the_cipher_and_rotates_to_a_new_key(member, settings):
    old_key, new_key = crypto.generate_key(), crypto.generate_key()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    services.update_profile(user=member, actor=member, driver_license_number="X99887766")
    stored_under_old = User.objects.get(pk=member.pk).driver_license_number

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_key")
    stored_under_new = User.objects.get(pk=member.pk).driver_license_number
    assert stored_under_new != stored_under_old

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone: the value must still read
    assert services.masked_driver_license(User.objects.get(pk=member.pk)) == "•••••7766"


def test_rotation_without_the_old_key_fails_clearly(member, settings):
    settings.FIELD_ENCRYPTION_KEYS = [crypto.generate_key()]
    services.update_profile(user=member, actor=member, driver_license_number="X99887766")
    settings.FIELD_ENCRYPTION_KEYS = [crypto.generate_key()]
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS"):
        call_command("rotate_encryption_key")


def test_generate_prints_a_usable_key(capsys):
    call_command("rotate_encryption_key", "--generate")
    key = capsys.readouterr().out.strip()
    assert len(key) == 44
