"""Browsers register for push messages with what `PushSubscription.toJSON()` gives; each person sees and removes
only their own subscriptions; the application server key is public."""

import pytest

from apps.bookings.tests.conftest import client_for
from apps.notifications.models import PushSubscription
from apps.notifications.tests.conftest import browser_keys, subscribe
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/push-subscriptions"
ENDPOINT = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl"


def body(endpoint=ENDPOINT, **keys):
    return {"endpoint": endpoint, "expirationTime": None, "keys": browser_keys() | keys}


def test_registering_a_browser_twice_keeps_one_subscription():
    user = UserFactory()
    first = client_for(user).post(URL, body(), format="json")
    again = client_for(user).post(URL, body(), format="json")

    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["endpoint"] == ENDPOINT
    assert PushSubscription.objects.get().user == user


def test_a_browser_signed_in_as_someone_else_now_delivers_to_them():
    subscribe(UserFactory(), endpoint=ENDPOINT)
    newcomer = UserFactory()

    assert client_for(newcomer).post(URL, body(), format="json").status_code == 201
    assert PushSubscription.objects.get().user == newcomer


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"endpoint": "http://push.example.net/x", "keys": browser_keys()}, "endpoint"),
        ({"endpoint": "not a url", "keys": browser_keys()}, "endpoint"),
        ({"endpoint": ENDPOINT}, "keys"),
        (body(p256dh="AAAA"), "keys.p256dh"),
        (body(p256dh="!!not base64!!"), "keys.p256dh"),
        (body(auth="c2hvcnQ"), "keys.auth"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field(payload, attr):
    response = client_for(UserFactory()).post(URL, payload, format="json")

    assert response.status_code == 400
    assert attr in {error["attr"] for error in response.json()["errors"]}
    assert not PushSubscription.objects.exists()


def test_people_remove_their_own_subscriptions_and_nobody_elses():
    owner, stranger = UserFactory(), UserFactory()
    subscription = subscribe(owner)

    assert client_for(stranger).delete(f"{URL}/{subscription.pk}").status_code == 404
    assert client_for(owner).delete(f"{URL}/{subscription.pk}").status_code == 204
    assert client_for(owner).delete(f"{URL}/{subscription.pk}").status_code == 404
    assert not PushSubscription.objects.exists()


def test_signing_in_is_needed_to_register(client):
    assert client.post(URL, body(), content_type="application/json").status_code == 401


def test_the_vapid_public_key_is_public(client, settings):
    settings.VAPID_PUBLIC_KEY = "BKd0FOnmkngVtRSqmOgGGB0JlVvBzMi9zDzMZKdjQo0"
    assert client.get("/api/v1/push/vapid-public-key").json() == {"public_key": settings.VAPID_PUBLIC_KEY}
    settings.VAPID_PUBLIC_KEY = ""
    assert client.get("/api/v1/push/vapid-public-key").json() == {"public_key": None}
