"""Listing services: time zone from the point, one concrete space per space offered, spaces never deleted,
and an audit row for every change of state."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from apps.core.errors import PermissionDenied
from apps.core.models import AuditLog
from apps.listings.models import Listing, ListingSpace
from apps.listings.services import activate_listing, create_listing, deactivate_listing, sync_listing_spaces
from apps.listings.tests.factories import AUSTIN, DENVER, NEW_YORK, PHOENIX, ListingFactory, point
from apps.users.tests.factories import HostFactory, UserFactory

pytestmark = pytest.mark.django_db


def listing_fields(**overrides) -> dict:
    return {
        "title": "Garage bay near the stadium",
        "description": "Covered, with a gate.",
        "spot_type": Listing.SpotType.GARAGE,
        "address": "1 Main St",
        "city": "Somewhere",
        "state": "tx",
        "zip_code": "00000",
        "price_per_hour": Decimal("3.00"),
        "price_per_day": Decimal("20.00"),
    } | overrides


def audit_rows(listing: Listing):
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Listing), object_id=listing.pk)


def active_labels(listing: Listing) -> list[str]:
    return list(listing.spaces.filter(is_active=True).order_by("id").values_list("label", flat=True))


@pytest.mark.parametrize(
    ("place", "time_zone"),
    [
        (AUSTIN, "America/Chicago"),
        (DENVER, "America/Denver"),
        (NEW_YORK, "America/New_York"),
        (PHOENIX, "America/Phoenix"),
    ],
)
def test_create_listing_takes_the_time_zone_from_the_point(place, time_zone):
    listing = create_listing(host=HostFactory(), location=point(*place), **listing_fields())

    listing.refresh_from_db()
    assert listing.time_zone == time_zone
    assert (listing.location.x, listing.location.y) == pytest.approx(place)


def test_create_listing_ignores_a_time_zone_given_by_the_caller():
    listing = create_listing(
        host=HostFactory(), location=point(*DENVER), **listing_fields(time_zone="America/New_York")
    )
    assert listing.time_zone == "America/Denver"


def test_create_listing_makes_one_active_space_per_space_offered():
    listing = create_listing(host=HostFactory(), location=point(*AUSTIN), **listing_fields(spaces_available=3))

    assert active_labels(listing) == ["1", "2", "3"]
    assert listing.spaces.count() == 3


def test_create_listing_writes_one_audit_row_and_upper_cases_the_state():
    host = HostFactory()
    listing = create_listing(host=host, location=point(*AUSTIN), **listing_fields())

    [row] = audit_rows(listing)
    assert (row.action, row.user, row.user_email) == (AuditLog.Action.CREATE, host, host.email)
    assert listing.state == "TX"


@pytest.mark.parametrize("person", [lambda: UserFactory(), lambda: HostFactory(is_email_verified=False)])
def test_create_listing_needs_a_host_with_a_verified_email(person):
    with pytest.raises(PermissionDenied):
        create_listing(host=person(), location=point(*AUSTIN), **listing_fields())
    assert not Listing.objects.exists()


def test_sync_listing_spaces_adds_spaces_when_more_are_offered():
    listing = ListingFactory(spaces_available=2)
    listing.spaces_available = 4
    listing.save(update_fields=["spaces_available"])

    active = sync_listing_spaces(listing=listing)

    assert [space.label for space in active] == ["1", "2", "3", "4"]
    assert active_labels(listing) == ["1", "2", "3", "4"]


def test_sync_listing_spaces_deactivates_surplus_spaces_and_never_deletes_them():
    listing = ListingFactory(spaces_available=4)
    ids = set(listing.spaces.values_list("id", flat=True))
    listing.spaces_available = 2
    listing.save(update_fields=["spaces_available"])

    active = sync_listing_spaces(listing=listing)

    assert [space.label for space in active] == ["1", "2"]
    assert set(ListingSpace.objects.filter(listing=listing).values_list("id", flat=True)) == ids
    assert list(listing.spaces.filter(is_active=False).order_by("id").values_list("label", flat=True)) == ["3", "4"]


def test_sync_listing_spaces_reactivates_old_spaces_before_making_new_ones():
    listing = ListingFactory(spaces_available=3)
    listing.spaces_available = 1
    sync_listing_spaces(listing=listing)
    listing.spaces_available = 4

    sync_listing_spaces(listing=listing)

    assert active_labels(listing) == ["1", "2", "3", "4"]
    assert listing.spaces.count() == 4


def test_sync_listing_spaces_twice_changes_nothing():
    listing = ListingFactory(spaces_available=2)
    before = list(listing.spaces.order_by("id").values_list("id", "label", "is_active"))

    sync_listing_spaces(listing=listing)

    assert list(listing.spaces.order_by("id").values_list("id", "label", "is_active")) == before


def test_deactivate_listing_switches_it_off_and_writes_one_audit_row():
    listing = ListingFactory()
    host = listing.host
    rows_before = audit_rows(listing).count()

    deactivate_listing(listing=listing, actor=host, reason="Repaving the driveway.")

    listing.refresh_from_db()
    assert listing.is_active is False
    assert audit_rows(listing).count() == rows_before + 1
    row = audit_rows(listing).order_by("-id").first()
    assert row.action == AuditLog.Action.UPDATE
    assert row.user == host
    assert row.old_values == {"is_active": True} and row.new_values == {"is_active": False}
    assert "Repaving the driveway." in row.description


def test_deactivating_an_inactive_listing_writes_no_second_audit_row():
    listing = ListingFactory()
    deactivate_listing(listing=listing, actor=listing.host)
    rows = audit_rows(listing).count()

    deactivate_listing(listing=listing, actor=listing.host)

    assert audit_rows(listing).count() == rows


def test_staff_deactivating_a_listing_is_recorded_as_moderation():
    listing = ListingFactory()
    staff = UserFactory(staff=True)

    deactivate_listing(listing=listing, actor=staff, reason="Reported as fake.")

    row = audit_rows(listing).order_by("-id").first()
    assert (row.action, row.user) == (AuditLog.Action.MODERATE, staff)


def test_only_the_host_may_deactivate_a_listing():
    listing = ListingFactory()
    with pytest.raises(PermissionDenied):
        deactivate_listing(listing=listing, actor=HostFactory())
    listing.refresh_from_db()
    assert listing.is_active is True


def test_activate_listing_undoes_deactivation_with_its_own_audit_row():
    listing = ListingFactory(is_active=False)
    rows = audit_rows(listing).count()

    activate_listing(listing=listing, actor=listing.host)

    listing.refresh_from_db()
    assert listing.is_active is True
    assert audit_rows(listing).count() == rows + 1
