"""`notify` with a dedupe key: the second call for one event records nothing, and the database's unique key
decides it (no query before the insert)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.notifications.models import Notification, NotificationType
from apps.notifications.services import notify
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user):
    return notify(
        recipient=user,
        notification_type=NotificationType.REVIEW_RECEIVED,
        context={"reviewer_name": "Ann", "rating": 5, "listing_title": "Garage", "url": "/profile/"},
        dedupe_key="review-received:1",
        queue_delivery=False,
    )


def test_a_second_notification_of_one_event_records_nothing_and_leaves_the_transaction_usable():
    user = UserFactory()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as first_call:
            first = _notify(user)
        second = _notify(user)
        assert Notification.objects.filter(recipient=user).count() == 1  # the refused insert was rolled back alone

    assert first is not None and second is None
    reads = [q["sql"] for q in first_call.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "notifications"' in sql]
