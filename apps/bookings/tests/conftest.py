from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

User = get_user_model()
VEHICLE = {"make": "Toyota", "model": "Corolla", "color": "Silver", "license_plate": "abc 1234", "state": "tx"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def window(days: float = 3, hours: float = 2):
    start = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def booking_body(listing, start, end, **overrides) -> dict:
    return {
        "listing": listing.pk,
        "start_datetime": start.isoformat(),
        "end_datetime": end.isoformat(),
        "vehicle": VEHICLE,
        "payment_method": "pm_card_visa",
    } | overrides
