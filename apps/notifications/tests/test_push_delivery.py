"""Push notifications over Web Push, to a push service on localhost: every browser of the recipient gets the
message; a subscription the push service says is gone (410) is forgotten; an unavailable service is retried."""

import json

import http_ece
import pytest
from celery.exceptions import Retry

from apps.core.tests.fake_push import Browser, RunningPushService, vapid_keys
from apps.notifications import tasks
from apps.notifications.models import Notification, NotificationType, PushSubscription
from apps.notifications.services import notify
from apps.notifications.tests.conftest import prefers
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def push_service(settings):
    _, private_key, public_key = vapid_keys()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = private_key, public_key
    settings.PUSH_GATEWAY = "apps.core.push.webpush.WebPushGateway"
    service = RunningPushService()
    yield service
    service.stop()


def browser_of(user, endpoint: str) -> Browser:
    browser = Browser()
    PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth)
    return browser


def approved(user) -> Notification:
    return notify(
        recipient=user, notification_type=NotificationType.LISTING_APPROVED, context={"listing_title": "Sunny spot"}
    )


def test_each_browser_gets_the_message_and_a_gone_subscription_is_forgotten(push_service):
    user = prefers(UserFactory(), "push")
    laptop = browser_of(user, push_service.endpoint("/wpush/laptop"))
    browser_of(user, push_service.endpoint("/gone/old-phone"))
    notification = approved(user)

    tasks.deliver_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.push_status) == ("SENT", "sent")
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [push_service.endpoint("/wpush/laptop")]
    [delivered] = [request for request in push_service.received if request["path"] == "/wpush/laptop"]
    payload = json.loads(
        http_ece.decrypt(delivered["body"], private_key=laptop.private_key, auth_secret=laptop.auth_secret)
    )
    assert payload["title"] == "Sunny spot is live" and payload["notification_id"] == notification.pk


def test_when_every_subscription_is_gone_push_is_skipped(push_service):
    user = prefers(UserFactory(), "push")
    browser_of(user, push_service.endpoint("/gone/1"))
    notification = approved(user)

    tasks.deliver_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.push_status) == ("SENT", "skipped")
    assert not PushSubscription.objects.exists()


def test_an_unavailable_push_service_is_retried_without_resending_to_browsers_already_reached(push_service):
    user = prefers(UserFactory(), "push")
    browser_of(user, push_service.endpoint("/wpush/laptop"))
    flaky = browser_of(user, push_service.endpoint("/down/phone"))
    notification = approved(user)

    with pytest.raises(Retry, match="Retry in 30s"):  # Celery, eager and propagating errors, surfaces the retry
        tasks.deliver_notification.delay(notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.push_status, notification.email_status) == ("PENDING", "failed", "sent")
    assert "push (attempt 1): Push failed: 503" in notification.last_error
    assert PushSubscription.objects.count() == 2

    PushSubscription.objects.filter(p256dh=flaky.p256dh).update(endpoint=push_service.endpoint("/wpush/phone"))
    assert tasks.deliver_notification.delay(notification.pk).get() == "SENT"
    paths = [request["path"] for request in push_service.received]
    assert paths.count("/wpush/laptop") == 1 and paths.count("/wpush/phone") == 1
