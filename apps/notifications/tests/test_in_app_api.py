"""In-app notifications: booking events land in the parties' lists; each may be marked read."""

import pytest

from apps.bookings import services as booking_services
from apps.bookings.tests.conftest import VEHICLE, client_for, window

pytestmark = pytest.mark.django_db


def test_booking_events_notify_both_sides_once_and_can_be_marked_read(
    guest, host, listing, django_capture_on_commit_callbacks
):
    start, end = window()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.create_booking(
            guest=guest, listing_id=listing.pk, start_datetime=start, end_datetime=end, vehicle=VEHICLE,
            payment_method="pm_card_visa",
        )  # fmt: skip
    mine = client_for(guest).get("/api/v1/notifications").json()
    assert mine["count"] == 1 and mine["unread_count"] == 1
    assert mine["results"][0]["notification_type"] == "BOOKING_CONFIRMED"
    theirs = client_for(host).get("/api/v1/notifications?unread=true").json()
    assert theirs["count"] == 2  # the instant booking, and its payment captured
    assert {result["notification_type"] for result in theirs["results"]} == {"BOOKING_CONFIRMED", "PAYMENT_RECEIVED"}
    assert any(result["title"].startswith("New booking") for result in theirs["results"])
    notification_id = mine["results"][0]["id"]
    read = client_for(guest).post(f"/api/v1/notifications/{notification_id}/read")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert client_for(guest).get("/api/v1/notifications?unread=true").json()["count"] == 0
    assert client_for(host).post(f"/api/v1/notifications/{notification_id}/read").status_code == 404
    assert client_for(guest).get("/api/v1/notifications?unread=maybe").status_code == 400
