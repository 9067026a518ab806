"""Both push gateways: the local outbox, and Web Push through `pywebpush` to a push service on localhost, which
checks what a real one checks: a VAPID-signed token for its origin, and a message only the browser can decrypt."""

import json

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from apps.core.push import PushDeliveryError, PushSubscriptionGone, PushSubscriptionInfo, get_push_gateway, send_push
from apps.core.push.outbox import OutboxPushGateway
from apps.core.push.webpush import WebPushGateway
from apps.core.tests.fake_push import Browser, RunningPushService, vapid_keys


@pytest.fixture
def push_service():
    service = RunningPushService()
    yield service
    service.stop()


@pytest.fixture
def vapid(settings):
    key, private_key, public_key = vapid_keys()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = private_key, public_key
    settings.VAPID_CLAIMS_EMAIL = "ops@pinch.example"
    settings.PUSH_GATEWAY = "apps.core.push.webpush.WebPushGateway"
    return key


def subscription_of(browser: Browser, endpoint: str) -> PushSubscriptionInfo:
    return PushSubscriptionInfo(endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth)


def test_outbox_gateway_writes_one_file_per_message_and_once_per_key(outbox_dir):
    subscription = PushSubscriptionInfo(endpoint="https://push.example/1", p256dh="k", auth="a")
    gateway = OutboxPushGateway()
    gateway.send(subscription=subscription, payload={"title": "Hi"}, idempotency_key="notification-7-push-1")
    gateway.send(subscription=subscription, payload={"title": "Hi"}, idempotency_key="notification-7-push-1")
    gateway.send(subscription=subscription, payload={"title": "Hi"})

    written = sorted(path.name for path in (outbox_dir / "push").glob("*.json"))
    assert len(written) == 2 and "notification-7-push-1.json" in written
    document = json.loads((outbox_dir / "push" / "notification-7-push-1.json").read_text())
    assert document["endpoint"] == "https://push.example/1" and document["payload"] == {"title": "Hi"}


def test_web_push_posts_a_vapid_signed_message_only_the_browser_can_read(push_service, vapid, settings):
    browser = Browser()

    receipt = send_push(
        subscription=subscription_of(browser, push_service.endpoint("/wpush/v2/abc")),
        payload={"title": "You're booked", "body": "See you Saturday"},
    )

    assert isinstance(get_push_gateway(), WebPushGateway)
    [request] = push_service.received
    assert request["path"] == "/wpush/v2/abc"
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm" and headers["ttl"] == str(settings.PUSH_TTL_SECONDS)
    scheme, _, credentials = headers["authorization"].partition(" ")
    token = dict(part.strip().split("=", 1) for part in credentials.split(","))["t"]
    public_pem = vapid.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(token, public_pem, algorithms=["ES256"], audience=push_service.origin)
    assert scheme == "vapid" and claims["sub"] == "mailto:ops@pinch.example"
    plain = http_ece.decrypt(
        request["body"], private_key=browser.private_key, auth_secret=browser.auth_secret, version="aes128gcm"
    )
    assert json.loads(plain) == {"title": "You're booked", "body": "See you Saturday"}
    assert receipt.provider == "webpush" and receipt.message_id == "/messages/1"


def test_web_push_reads_the_vapid_key_from_a_pem_file_too(push_service, vapid, settings, tmp_path):
    pem = tmp_path / "vapid.pem"
    vapid.save_key(str(pem))
    settings.VAPID_PRIVATE_KEY = str(pem)

    WebPushGateway().send(subscription=subscription_of(Browser(), push_service.endpoint("/p")), payload={"a": 1})
    assert len(push_service.received) == 1


def test_an_expired_subscription_and_an_unavailable_service_are_told_apart(push_service, vapid):
    gateway = WebPushGateway()
    with pytest.raises(PushSubscriptionGone):
        gateway.send(subscription=subscription_of(Browser(), push_service.endpoint("/gone/1")), payload={})
    with pytest.raises(PushDeliveryError) as unavailable:
        gateway.send(subscription=subscription_of(Browser(), push_service.endpoint("/down/1")), payload={})
    assert not isinstance(unavailable.value, PushSubscriptionGone)
    with pytest.raises(PushDeliveryError):  # nobody listening there
        gateway.send(subscription=subscription_of(Browser(), "http://127.0.0.1:9/nothing"), payload={})


def test_web_push_without_a_vapid_key_refuses_to_start(settings):
    settings.VAPID_PRIVATE_KEY = ""
    with pytest.raises(PushDeliveryError, match="VAPID_PRIVATE_KEY"):
        WebPushGateway()


def test_generated_vapid_keys_sign_web_push(push_service, settings):
    from io import StringIO

    from django.core.management import call_command

    output = StringIO()
    call_command("generate_vapid_keys", stdout=output)
    keys = dict(line.split("=", 1) for line in output.getvalue().split())
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = keys["VAPID_PRIVATE_KEY"], keys["VAPID_PUBLIC_KEY"]

    WebPushGateway().send(subscription=subscription_of(Browser(), push_service.endpoint("/k")), payload={})
    [request] = push_service.received
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert f"k={keys['VAPID_PUBLIC_KEY']}" in headers["authorization"]
