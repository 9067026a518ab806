"""API fuzzing: schemathesis generates requests from the OpenAPI schema the API serves at /api/schema/ — valid ones
and deliberately invalid ones — and sends them to the Django WSGI application, signed in as a seeker and as a host.
Every answer must be no server error, have a documented status code and content type, and a body and headers that
match the schema for that status. Path ids are sometimes those of seeded objects (the caller's own booking, the
host's listing, a conversation between the two, ...), so the fuzzer reaches past the 404s into the real code.

Each operation is one test per role, run inside the test's transaction like any other test. The number of examples
is bounded so that `make test` stays quick (FUZZ_MAX_EXAMPLES, 20 by default: one to two minutes on two cores); dig
deeper locally with e.g. `FUZZ_MAX_EXAMPLES=100 FUZZ_COVERAGE=1 pytest apps/core/tests/test_api_fuzz.py`, which
adds schemathesis' coverage phase (boundary and missing values for every parameter).

Nothing is excluded: the payment webhook is fuzzed too (any payload without a valid signature must be a 400),
and so are logout, deleting one's own account and the token endpoints (their throttles and lockouts answer a
documented 429).
"""

import json
import os
from contextlib import contextmanager
from datetime import date, time, timedelta
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.bookings.models import Booking
from apps.listings.models import AvailabilityException, AvailabilityRule, ListingPhoto
from apps.listings.services import create_listing
from apps.messaging.models import Conversation, Message
from apps.notifications.models import Notification, PushSubscription
from apps.payments.models import PaymentMethod
from apps.reviews.models import Review
from config.wsgi import application

User = get_user_model()
PASSWORD = "fuzz-password-123"
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def served_schema() -> dict:
    """What GET /api/schema/?format=json answers, built by the same generator that view uses (tests are collected
    before any database exists, and every request to the app needs one); `test_the_fuzzed_schema_is_the_served_one`
    checks that the two are equal."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


SCHEMA = served_schema()
schema = schemathesis.openapi.from_dict(
    SCHEMA,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES},
            "phases": {
                "coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"},
                "stateful": {"enabled": False},
            },
        }
    ),
)
schema.app = application

# Path parameters of seeded objects, by path template; filled by the `seeded` fixture for the test that runs.
SEEDED_PATH_PARAMETERS: dict[str, dict] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, the id of a seeded object instead of a random one."""
    seeded = SEEDED_PATH_PARAMETERS.get(context.operation.path)
    if not seeded:
        return st.just(path_parameters)
    return st.sampled_from([{**path_parameters, **seeded}, path_parameters])


@contextmanager
def within_the_test_transaction():
    """A real WSGI request ends by closing the database connection (request_finished), which would end the test's
    transaction; Django's test client avoids that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _booking(listing, guest, *, start, status) -> Booking:
    return Booking.objects.create(
        guest=guest, listing=listing, space=listing.spaces.first(), start_datetime=start,
        end_datetime=start + timedelta(hours=2), duration_hours=Decimal("2"), vehicle_make="Kia", vehicle_model="Rio",
        vehicle_color="Red", vehicle_license_plate="FUZZ1", vehicle_state="TX", subtotal=Decimal("4.00"),
        service_fee=Decimal("0.40"), host_payout=Decimal("4.00"), total_amount=Decimal("4.40"), status=status,
    )  # fmt: skip


@pytest.fixture
def seeded(db, settings):
    """A host with a listing (photo, rule, exception), a seeker with a card, an upcoming booking and a completed
    one with a published review, a conversation between them, a notification and a push subscription."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 4 sign-ins per test
    host = User.objects.create_user(
        email="fuzz-host@example.com", password=PASSWORD, user_type="HOST", is_email_verified=True, first_name="Hal"
    )
    seeker = User.objects.create_user(
        email="fuzz-seeker@example.com", password=PASSWORD, is_email_verified=True, first_name="Sue"
    )
    listing = create_listing(
        host=host, location=Point(-97.74, 30.27, srid=4326), title="Wide driveway", description="Room for a van",
        spot_type="DRIVEWAY", address="1 Main St", city="Austin", state="TX", zip_code="78701",
        price_per_hour=Decimal("2.00"), price_per_day=Decimal("12.00"), gate_code="2468", access_instructions="Gate",
    )  # fmt: skip
    photo = ListingPhoto.objects.create(listing=listing, image="listings/fuzz.jpg")
    rule = AvailabilityRule.objects.create(
        listing=listing, rule_type="daily", start_date=date(2026, 1, 1), start_time=time(8), end_time=time(9)
    )
    exception = AvailabilityException.objects.create(listing=listing, exception_date=date(2030, 1, 1))
    upcoming = _booking(listing, seeker, start=timezone.now() + timedelta(hours=2), status="CONFIRMED")
    completed = _booking(listing, seeker, start=timezone.now() - timedelta(days=3), status="COMPLETED")
    review = Review.objects.create(
        booking=completed, reviewer=seeker, reviewee=host, listing=listing, review_type="G2H", overall_rating=4,
        comment="Easy to find", is_published=True, published_at=timezone.now(),
    )  # fmt: skip
    conversation = Conversation.objects.create(listing=listing, last_message="Is it covered?")
    conversation.participants.add(seeker, host)
    message = Message.objects.create(conversation=conversation, sender=seeker, content="Is it covered?")
    notification = Notification.objects.create(
        recipient=seeker, notification_type="BOOKING_CONFIRMED", title="Booked", message="See you soon"
    )
    card = PaymentMethod.objects.create(
        user=seeker, stripe_payment_method_id="pm_card_visa", brand="visa", last4="4242", exp_month=1, exp_year=2031
    )
    subscription = PushSubscription.objects.create(
        user=seeker, endpoint="https://push.example.net/fuzz", p256dh="key", auth="secret"
    )

    by_path = {
        "/api/v1/users/{id}": {"id": host.pk},
        "/api/v1/listings/{id}/photos/{photo_id}": {"id": listing.pk, "photo_id": photo.pk},
        "/api/v1/listings/{id}/availability-rules/{rule_id}": {"id": listing.pk, "rule_id": rule.pk},
        "/api/v1/listings/{id}/availability-exceptions/{exception_id}": {
            "id": listing.pk,
            "exception_id": exception.pk,
        },
        "/api/v1/reviews/{id}/report": {"id": review.pk},
        "/api/v1/reviews/{id}/response": {"id": review.pk},
        "/api/v1/notifications/{id}/read": {"id": notification.pk},
        "/api/v1/payment-methods/{id}": {"id": card.pk},
        "/api/v1/payment-methods/{id}/default": {"id": card.pk},
        "/api/v1/push-subscriptions/{id}": {"id": subscription.pk},
        "/api/v1/messages/{id}/attachments/{index}": {"id": message.pk},
    }
    for path in SCHEMA["paths"]:
        if path in by_path:
            continue
        if path.startswith("/api/v1/listings/{id}"):
            by_path[path] = {"id": listing.pk}
        elif path.startswith("/api/v1/bookings/{booking_code}"):
            by_path[path] = {"booking_code": str(upcoming.booking_code)}
        elif path.startswith("/api/v1/conversations/{id}"):
            by_path[path] = {"id": conversation.pk}
        elif path.startswith("/api/v1/messages/{id}"):
            by_path[path] = {"id": message.pk}
    SEEDED_PATH_PARAMETERS.update(by_path)

    tokens = {}
    for role, user in (("seeker", seeker), ("host", host)):
        answer = APIClient().post("/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json")
        assert answer.status_code == 200, answer.content
        tokens[role] = answer.json()["access"]
    yield tokens
    SEEDED_PATH_PARAMETERS.clear()


@pytest.mark.parametrize("role", ["seeker", "host"])
@schema.parametrize()
@hypothesis.settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_the_api_answers_as_its_schema_says(case, role, seeded):
    with within_the_test_transaction():
        case.call_and_validate(headers={"Authorization": f"Bearer {seeded[role]}"}, checks=CHECKS)


@pytest.mark.django_db
def test_the_fuzzed_schema_is_the_served_one(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response.json() == SCHEMA


def _operations():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield f"{method.upper()} {path}", operation


def test_every_error_answer_is_documented_in_the_one_error_shape():
    shapes = {"InputErrorResponse", "ClientErrorResponse", "ServerErrorResponse"}
    for label, operation in _operations():
        responses = operation["responses"]
        assert {"405", "500"} <= set(responses), label
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                reference = response["content"]["application/json"]["schema"]["$ref"]
                assert reference.rsplit("/", 1)[1] in shapes, (label, status, reference)


def test_writes_can_answer_conflict_and_too_large_and_throttled_operations_say_when_to_retry():
    for label, operation in _operations():
        responses = operation["responses"]
        if label.startswith(("POST", "PATCH", "DELETE")):
            assert "409" in responses, label
        if label.startswith(("POST", "PATCH")):
            assert "413" in responses, label
        if "429" in responses:
            assert responses["429"]["headers"]["Retry-After"]["required"] is True, label


def test_lists_are_described_as_pages():
    """Every list answers a page, except a listing's availability rules and exceptions: a handful of rows each,
    answered whole."""
    whole = set()
    for label, operation in _operations():
        if not operation["operationId"].endswith("_list"):
            continue
        schema_of_200 = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if schema_of_200.get("type") == "array":
            whole.add(label)
            continue
        page = SCHEMA["components"]["schemas"][schema_of_200["$ref"].rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "results"} <= set(page["properties"]), label
        assert {"page", "page_size"} <= {parameter["name"] for parameter in operation.get("parameters", [])}, label
    assert whole == {
        "GET /api/v1/listings/{id}/availability-rules",
        "GET /api/v1/listings/{id}/availability-exceptions",
    }
