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


# --- How requests are counted (one atomic step in Redis) ---------------------------------------------------------


class _Request:
    """What the address throttle reads of a request."""

    def __init__(self, address: str):
        self.META = {"REMOTE_ADDR": address}
        self.user = None


class _View:
    throttle_scope = "search"


def _allowed(address: str) -> bool:
    from apps.core.api.throttling import ScopedAddressRateThrottle

    return ScopedAddressRateThrottle().allow_request(_Request(address), _View())


def test_concurrent_requests_never_get_past_the_rate(rates):
    """Forty requests from one address at the same moment, three allowed a minute: three pass. (DRF's own throttle
    reads the history and writes it back in two steps, and requests that read it together all pass.)"""
    import threading

    rates(per_address="3/min")
    start = threading.Barrier(40)
    answers = []

    def request():
        start.wait()
        answers.append(_allowed("198.51.100.40"))

    threads = [threading.Thread(target=request) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers.count(True) == 3
    assert len(answers) == 40


def test_the_wait_is_until_the_oldest_counted_request_leaves_the_window(rates):
    from apps.core.api.throttling import ScopedAddressRateThrottle

    rates(per_address="2/min")
    assert _allowed("198.51.100.41") and _allowed("198.51.100.41")
    refused = ScopedAddressRateThrottle()

    assert refused.allow_request(_Request("198.51.100.41"), _View()) is False
    assert 58 < refused.wait() <= 60
    assert _allowed("198.51.100.42")  # another address has its own count


def test_a_request_is_one_round_trip_to_redis(rates, monkeypatch):
    from redis.client import Redis

    calls = []
    original = Redis.execute_command
    monkeypatch.setattr(
        Redis, "execute_command", lambda self, *args, **kw: calls.append(args[0]) or original(self, *args, **kw)
    )
    _allowed("198.51.100.43")  # loads the script (EVALSHA, then SCRIPT LOAD and EVALSHA again on a fresh Redis)
    calls.clear()

    assert _allowed("198.51.100.43")
    assert calls == ["EVALSHA"]


def test_with_redis_unreachable_requests_are_allowed(rates, settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    rates(per_address="1/min")

    assert [_allowed("198.51.100.44") for _ in range(3)] == [True, True, True]


def test_with_a_cache_other_than_redis_drf_counts_in_it(rates, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    rates(per_address="2/min")

    assert [_allowed("198.51.100.45") for _ in range(3)] == [True, True, False]


def test_counts_left_by_drfs_own_throttle_do_not_get_in_the_way(rates, caplog):
    """A deploy replaces DRF's throttle while its keys (pickled lists) are still in the cache."""
    from django.core.cache import cache

    cache.set("throttle_search_ip_198.51.100.46", [1.0, 2.0], 60)
    rates(per_address="1/min")

    assert [_allowed("198.51.100.46") for _ in range(2)] == [True, False]
    assert "rate limit not counted" not in caplog.text


def test_a_scope_whose_rate_is_none_is_not_limited(rates, settings):
    rates()
    throttle_rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "search_ip": None}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": throttle_rates}

    assert all(_allowed("198.51.100.47") for _ in range(5))
