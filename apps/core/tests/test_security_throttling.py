"""Search, booking and messaging endpoints are rate-limited per signed-in user and per client address
(apps.core.api.throttling): over either rate the answer is 429 with `Retry-After`, in API.md's error shape."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

User = get_user_model()

ENDPOINTS = {
    "search": "/api/v1/listings",
    "bookings": "/api/v1/bookings",
    "messaging": "/api/v1/conversations",
}


@pytest.fixture
def rates(settings):
    """Two requests a minute per user, three per address, for every scope."""

    def limit(*, per_user: str = "2/min", per_address: str = "3/min", **rest_framework) -> None:
        throttle_rates = dict(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        for scope in ENDPOINTS:
            throttle_rates[f"{scope}_user"] = per_user
            throttle_rates[f"{scope}_ip"] = per_address
        settings.REST_FRAMEWORK = {
            **django_settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": throttle_rates,
            **rest_framework,
        }

    limit()
    return limit


def signed_in(user, **extra) -> APIClient:
    client = APIClient(**extra)
    client.force_authenticate(user)
    return client


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "throttled"


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ENDPOINTS)
def test_a_user_over_the_scope_rate_gets_429_with_retry_after(scope, rates, guest):
    client = signed_in(guest)

    assert [client.get(ENDPOINTS[scope]).status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get(ENDPOINTS[scope]))


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ENDPOINTS)
def test_another_user_from_the_same_address_is_limited_by_the_address_rate(scope, rates, guest, host):
    first, second = signed_in(guest), signed_in(host)

    assert [first.get(ENDPOINTS[scope]).status_code for _ in range(2)] == [200, 200]
    assert second.get(ENDPOINTS[scope]).status_code == 200  # the address's third request
    assert_throttled(second.get(ENDPOINTS[scope]))  # under its own user rate, over the address's


@pytest.mark.django_db
def test_the_scopes_are_counted_apart(rates, guest):
    client = signed_in(guest)
    for _ in range(2):
        client.get(ENDPOINTS["search"])

    assert client.get(ENDPOINTS["bookings"]).status_code == 200


@pytest.mark.django_db
def test_anonymous_searches_are_limited_by_address(rates):
    client = APIClient()
    for _ in range(3):
        assert client.get(ENDPOINTS["search"]).status_code == 200

    assert_throttled(client.get(ENDPOINTS["search"]))
    assert APIClient(REMOTE_ADDR="198.51.100.9").get(ENDPOINTS["search"]).status_code == 200


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_escape_the_address_rate(rates):
    for number in range(3):
        APIClient(HTTP_X_FORWARDED_FOR=f"203.0.113.{number}").get(ENDPOINTS["search"])

    assert_throttled(APIClient(HTTP_X_FORWARDED_FOR="203.0.113.99").get(ENDPOINTS["search"]))


@pytest.mark.django_db
def test_behind_a_configured_proxy_each_forwarded_client_has_its_own_address_rate(rates, settings):
    rates(NUM_PROXIES=1)
    settings.NUM_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(3):
        APIClient(HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).get(ENDPOINTS["search"])

    assert_throttled(APIClient(HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).get(ENDPOINTS["search"]))
    assert APIClient(HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy).get(ENDPOINTS["search"]).status_code == 200


def test_every_throttled_view_has_a_rate_for_both_of_its_parts():
    from django.urls import get_resolver

    from apps.core.api.throttling import SCOPED_THROTTLES
    from apps.core.tests.test_object_authorization import _walk

    rates = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    scopes = set()
    for _route, pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "cls", None)
        if view is not None and list(getattr(view, "throttle_classes", [])) == SCOPED_THROTTLES:
            scopes.add(view.throttle_scope)
    assert scopes == {"search", "bookings", "messaging"}
    for scope in scopes:
        assert f"{scope}_user" in rates and f"{scope}_ip" in rates
