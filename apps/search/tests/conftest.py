from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from apps.listings.services import create_listing

User = get_user_model()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def host(db):
    return User.objects.create_user(
        email="host@example.com", password="x", user_type="HOST", is_email_verified=True, first_name="Hana"
    )


@pytest.fixture
def make_listing(host):
    def make(lng=-97.7431, lat=30.2672, **fields):
        values = {
            "title": "Driveway near downtown",
            "description": "Easy access, well lit.",
            "spot_type": "DRIVEWAY",
            "address": "100 Congress Ave",
            "city": "Austin",
            "state": "TX",
            "zip_code": "78701",
            "price_per_hour": Decimal("3.00"),
            "price_per_day": Decimal("20.00"),
        } | fields
        return create_listing(host=fields.pop("host", host), location=Point(lng, lat, srid=4326), **values)

    return make
