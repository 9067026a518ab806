"""`listings.host_active`: the host's standing copied onto each listing by database triggers, whichever way the
account changes (a service, the admin's bulk update, SQL), so that public listings need no join to `users`."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.listings.models import Listing
from apps.listings.selectors import public_listings
from apps.listings.services import create_listing
from apps.users import services as users

User = get_user_model()


def _public(*listings: Listing) -> list[bool]:
    visible = set(public_listings().values_list("pk", flat=True))
    return [listing.pk in visible for listing in listings]


def _standing(*listings: Listing) -> list[bool]:
    return [Listing.objects.get(pk=listing.pk).host_active for listing in listings]


@pytest.fixture
def staff(db):
    return User.objects.create_user(email="staff@example.com", is_staff=True, is_email_verified=True)


@pytest.mark.django_db
def test_suspending_and_reactivating_a_host_hides_and_shows_all_its_listings(make_listing, host, staff):
    first, second = make_listing(), make_listing(title="Second driveway")
    other_host = User.objects.create_user(email="other@example.com", user_type="HOST", is_email_verified=True)
    others = create_listing(
        host=other_host,
        location=first.location,
        **{field: getattr(first, field) for field in ("description", "spot_type", "address", "city", "state")},
        **{field: getattr(first, field) for field in ("zip_code", "price_per_hour", "price_per_day")},
        title="Someone else's",
    )
    assert _public(first, second, others) == [True, True, True]

    users.suspend_user(user=host, actor=staff, reason="Chargebacks")
    assert _standing(first, second, others) == [False, False, True]
    assert _public(first, second, others) == [False, False, True]

    users.reactivate_user(user=host, actor=staff)
    assert _standing(first, second) == [True, True]
    assert _public(first, second, others) == [True, True, True]


@pytest.mark.django_db
def test_a_deleted_account_hides_its_listings(make_listing, host):
    listing = make_listing()

    users.delete_account(user=host)

    assert _public(listing) == [False]


@pytest.mark.django_db
def test_a_bulk_update_outside_the_services_is_followed_too(make_listing, host):
    listing = make_listing()

    User.objects.filter(pk=host.pk).update(is_active=False)  # the admin's bulk actions, a data fix in SQL
    assert _public(listing) == [False]
    User.objects.filter(pk=host.pk).update(is_active=True, is_deleted=True, deleted_at=timezone.now())
    assert _public(listing) == [False]
    User.objects.filter(pk=host.pk).update(is_deleted=False, deleted_at=None)
    assert _public(listing) == [True]


@pytest.mark.django_db
def test_a_listing_made_for_an_inactive_host_starts_hidden(make_listing, host):
    User.objects.filter(pk=host.pk).update(is_active=False)
    host.refresh_from_db()

    listing = make_listing()

    assert _standing(listing) == [False]
    assert _public(listing) == [False]


@pytest.mark.django_db
def test_public_listings_do_not_join_the_hosts(make_listing):
    make_listing()

    assert "users" not in str(public_listings().query)
