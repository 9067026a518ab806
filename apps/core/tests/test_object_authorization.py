"""Object-level authorization, tested the same way everywhere.

Every API endpoint whose URL carries an id is found in the URL conf (so a new endpoint is covered the day it is
added: this test fails until it has a case below). Each is called with every method it answers, as an anonymous
visitor and as an unrelated signed-in user, on an object that belongs to somebody else. The answer must be the
one API.md fixes — 401 for anonymous, 404 (or 403 where the object is public but the action is not) for a
stranger — and never the other person's private data.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.bookings.models import Booking
from apps.listings.models import AvailabilityException, AvailabilityRule, Listing, ListingPhoto
from apps.listings.services import create_listing
from apps.messaging.models import Conversation, Message
from apps.notifications.models import Notification, PushSubscription
from apps.payments.models import PaymentMethod
from apps.reviews.models import Review

User = get_user_model()

PRIVATE_USER_FIELDS = {"email", "phone_number", "driver_license_number", "last_login_ip", "default_address"}


PRIVATE_LISTING_FIELDS = {"gate_code", "access_instructions"}


@dataclass
class Case:
    """How to make an object owned by `owner`, and how the endpoint may treat strangers."""

    make: Callable[[User], dict]  # returns the URL kwargs for the owner's object
    public_methods: set[str] = field(default_factory=set)  # methods anyone may call (e.g. GET of a public page)
    private_fields: set[str] = field(default_factory=set)  # must never appear in a public answer
    query: Callable[[], dict] = dict  # query parameters a public call needs


def _listing(owner: User) -> Listing:
    return create_listing(
        host=owner, location=Point(-97.74, 30.27, srid=4326), title="Owner's driveway", description="Private",
        spot_type="DRIVEWAY", address="1 Main St", city="Austin", state="TX", zip_code="78701",
        price_per_hour=Decimal("2.00"), price_per_day=Decimal("12.00"), gate_code="GATE-4417",
        access_instructions="Key under the mat",
    )  # fmt: skip


def _listing_child(make_child: Callable[[Listing], dict]) -> Callable[[User], dict]:
    def make(owner: User) -> dict:
        listing = _listing(owner)
        return {"pk": listing.pk, **make_child(listing)}

    return make


def _window() -> dict:
    start = (timezone.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


def _photo(listing: Listing) -> dict:
    return {"photo_id": ListingPhoto.objects.create(listing=listing, image="listings/x.jpg").pk}


def _rule(listing: Listing) -> dict:
    rule = AvailabilityRule.objects.create(
        listing=listing, rule_type="daily", start_date=date(2026, 1, 1), start_time=time(8), end_time=time(9)
    )
    return {"rule_id": rule.pk}


def _exception(listing: Listing) -> dict:
    return {"exception_id": AvailabilityException.objects.create(listing=listing, exception_date=date(2030, 1, 1)).pk}


def _own_booking(owner: User) -> dict:
    host = User.objects.create_user(email="its-host@example.com", user_type="HOST", is_email_verified=True)
    listing = _listing(host)
    start = timezone.now() + timedelta(hours=2)
    booking = Booking.objects.create(
        guest=owner, listing=listing, space=listing.spaces.first(), start_datetime=start,
        end_datetime=start + timedelta(hours=2), duration_hours=Decimal("2"), vehicle_make="Kia", vehicle_model="Rio",
        vehicle_color="Red", vehicle_license_plate="SECRET1", vehicle_state="TX", subtotal=Decimal("4.00"),
        service_fee=Decimal("0.40"), host_payout=Decimal("4.00"), total_amount=Decimal("4.40"), status="CONFIRMED",
    )  # fmt: skip
    return {"booking_code": booking.booking_code}


def _hidden_review(owner: User) -> dict:
    """A review the owner wrote that is not published yet: nobody else may see it, answer it or report it."""
    code = _own_booking(owner)["booking_code"]
    booking = Booking.objects.get(booking_code=code)
    Booking.objects.filter(pk=booking.pk).update(status="COMPLETED")
    review = Review.objects.create(
        booking=booking, reviewer=owner, reviewee=booking.listing.host, listing=booking.listing, review_type="G2H",
        overall_rating=2, comment="SECRET1 was here",
    )  # fmt: skip
    return {"pk": review.pk}


def _own_notification(owner: User) -> dict:
    notification = Notification.objects.create(
        recipient=owner, notification_type="BOOKING_CONFIRMED", title="Booked", message="SECRET1 gate"
    )
    return {"pk": notification.pk}


def _own_message(owner: User) -> dict:
    """A message the owner wrote in a conversation with someone else, with an attachment."""
    other = User.objects.create_user(email="its-other-side@example.com", user_type="HOST", is_email_verified=True)
    conversation = Conversation.objects.create(listing=_listing(other), last_message="SECRET1")
    conversation.participants.add(owner, other)
    message = Message.objects.create(
        conversation=conversation, sender=owner, content="SECRET1 plate", attachments=["messages/x.jpg"]
    )
    return {"pk": message.pk}


def _own_conversation(owner: User) -> dict:
    return {"pk": Message.objects.get(pk=_own_message(owner)["pk"]).conversation_id}


def _own_push_subscription(owner: User) -> dict:
    subscription = PushSubscription.objects.create(
        user=owner, endpoint="https://push.example.net/SECRET1", p256dh="key", auth="secret"
    )
    return {"pk": subscription.pk}


def _own_card(owner: User) -> dict:
    card = PaymentMethod.objects.create(
        user=owner, stripe_payment_method_id="pm_owner", brand="visa", last4="4242", exp_month=1, exp_year=2031
    )
    return {"pk": card.pk}


def _own_listing(owner: User) -> dict:
    return {"pk": _listing(owner).pk}


PUBLIC_LISTING_READ = {"public_methods": {"GET"}, "private_fields": PRIVATE_LISTING_FIELDS}
CASES: dict[str, Case] = {
    "api-user": Case(make=lambda owner: {"pk": owner.pk}, public_methods={"GET"}, private_fields=PRIVATE_USER_FIELDS),
    "api-listing": Case(make=_own_listing, **PUBLIC_LISTING_READ),
    "api-listing-activate": Case(make=_own_listing),
    "api-listing-deactivate": Case(make=_own_listing),
    "api-listing-photos": Case(make=_own_listing),
    "api-listing-photo-order": Case(make=_own_listing),
    "api-listing-photo": Case(make=_listing_child(_photo)),
    "api-listing-rules": Case(make=_own_listing),
    "api-listing-rule": Case(make=_listing_child(_rule)),
    "api-listing-exceptions": Case(make=_own_listing),
    "api-listing-exception": Case(make=_listing_child(_exception)),
    "api-listing-quote": Case(make=_own_listing, query=_window, **PUBLIC_LISTING_READ),
    "api-listing-availability": Case(make=_own_listing, query=_window, **PUBLIC_LISTING_READ),
    "api-listing-reviews": Case(make=_own_listing, **PUBLIC_LISTING_READ),
    **{
        name: Case(make=_own_booking)
        for name in (
            "api-booking",
            "api-booking-cancellation-terms",
            "api-booking-approve",
            "api-booking-decline",
            "api-booking-cancel",
            "api-booking-check-in",
            "api-booking-check-out",
            "api-booking-no-show",
            "api-booking-reviews",
        )
    },
    "api-review-response": Case(make=_hidden_review),
    "api-review-report": Case(make=_hidden_review),
    "api-notification-read": Case(make=_own_notification),
    "api-push-subscription": Case(make=_own_push_subscription),
    "api-conversation-messages": Case(make=_own_conversation),
    "api-conversation-read": Case(make=_own_conversation),
    "api-message": Case(make=_own_message),
    "api-message-flag": Case(make=_own_message),
    "api-message-attachment": Case(make=lambda owner: {**_own_message(owner), "index": 0}),
    "api-payment-method": Case(make=_own_card),
    "api-payment-method-default": Case(make=_own_card),
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

    owner = User.objects.create_user(
        email="owner@example.com", password="x", phone_number="+15125550100", user_type="BOTH", is_email_verified=True
    )
    case = CASES[name]
    url = reverse(name, kwargs=case.make(owner))
    if method in case.public_methods and case.query():
        url = f"{url}?{urlencode(case.query())}"
    client = APIClient()
    if actor == "stranger":
        stranger = User.objects.create_user(email="stranger@example.com", password="x")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(stranger)}")

    response = getattr(client, method.lower())(url, **({} if method == "GET" else {"data": {}, "format": "json"}))

    if method in case.public_methods:
        assert response.status_code == 200, response.content
        body = response.json()
        assert not (case.private_fields & set(body)), f"private fields leaked: {case.private_fields & set(body)}"
        content = response.content.decode()
        assert "owner@example.com" not in content and "GATE-4417" not in content and "Key under the mat" not in content
    elif actor == "anonymous":
        assert response.status_code in (401, 405), response.content
    else:
        assert response.status_code in (403, 404, 405), response.content
    assert "SECRET1" not in response.content.decode()
