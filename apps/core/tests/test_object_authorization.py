"""Object-level authorization, tested the same way everywhere.

Every API endpoint whose URL carries an id is found in the URL conf (so a new endpoint is covered the day it is
added: this test fails until it has a case below). Each is called with every method it answers, as an anonymous
visitor and as an unrelated signed-in user, on an object that belongs to somebody else. The answer must be the
one API.md fixes — 401 for anonymous, 404 (or 403 where the object is public but the action is not) for a
stranger — and never the other person's private data.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

User = get_user_model()

PRIVATE_USER_FIELDS = {"email", "phone_number", "driver_license_number", "last_login_ip", "default_address"}


@dataclass
class Case:
    """How to make an object owned by `owner`, and how the endpoint may treat strangers."""

    make: Callable[[User], dict]  # returns the URL kwargs for the owner's object
    public_methods: set[str] = field(default_factory=set)  # methods anyone may call (e.g. GET of a public page)
    private_fields: set[str] = field(default_factory=set)  # must never appear in a public answer


CASES: dict[str, Case] = {
    "api-user": Case(make=lambda owner: {"pk": owner.pk}, public_methods={"GET"}, private_fields=PRIVATE_USER_FIELDS),
}


def _walk(patterns, prefix="") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def id_endpoints() -> list[tuple[str, URLPattern]]:
    return [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if route.startswith("api/v1/") and pattern.pattern.converters
    ]


def methods_of(pattern: URLPattern) -> list[str]:
    view_class = getattr(pattern.callback, "cls", None)
    if view_class is None:
        return ["GET"]
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return [method.upper() for method in actions]
    return [
        method.upper()
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(view_class, method) and method in view_class.http_method_names
    ]


def test_every_endpoint_with_an_id_has_an_authorization_case():
    missing = sorted({pattern.name for _, pattern in id_endpoints()} - CASES.keys())
    assert not missing, f"add an authorization case for: {missing}"


def _calls():
    for route, pattern in id_endpoints():
        for method in methods_of(pattern):
            for actor in ("anonymous", "stranger"):
                yield pytest.param(pattern.name, method, actor, id=f"{method} /{route} as {actor}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor"), list(_calls()))
def test_someone_elses_object_is_never_exposed(name, method, actor):
    from django.urls import reverse

    owner = User.objects.create_user(email="owner@example.com", password="x", phone_number="+15125550100")
    case = CASES[name]
    url = reverse(name, kwargs=case.make(owner))
    client = APIClient()
    if actor == "stranger":
        client.force_authenticate(User.objects.create_user(email="stranger@example.com", password="x"))

    response = getattr(client, method.lower())(url, {}, format="json")

    if method in case.public_methods:
        assert response.status_code == 200
        body = response.json()
        assert not (case.private_fields & set(body)), f"private fields leaked: {case.private_fields & set(body)}"
        assert "owner@example.com" not in response.content.decode()
    elif actor == "anonymous":
        assert response.status_code in (401, 405), response.content
    else:
        assert response.status_code in (403, 404, 405), response.content
