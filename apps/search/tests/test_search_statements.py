"""The search statements are written by hand (apps/search/selectors.py); here they are held to what the ORM says the
same filters and orders mean, on random listings and random searches, and the calendar clause of a window search to
the rules and exceptions that `schedules_for` loads."""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F

from apps.bookings import selectors as booking_selectors
from apps.listings.models import FEATURES, VEHICLE_SIZE_ORDER, AvailabilityException, AvailabilityRule, Listing
from apps.search import selectors as search_selectors
from apps.search.selectors import SearchParams, search_listings

User = get_user_model()
WORDS = ["garage", "driveway", "covered", "stadium", "downtown", "quiet", "gated", "airport"]


@pytest.fixture
def listings(db):
    rng = random.Random(20261204)
    host = User.objects.create_user(email="host@example.com", user_type="HOST", is_email_verified=True)
    suspended = User.objects.create_user(email="gone@example.com", user_type="HOST", is_email_verified=True)
    made = Listing.objects.bulk_create(
        Listing(
            host=suspended if number % 17 == 0 else host,
            title=" ".join(rng.sample(WORDS, 2)),
            description=" ".join(rng.sample(WORDS, 3)),
            spot_type=rng.choice(Listing.SpotType.values),
            address="x",
            city="Austin",
            state="TX",
            zip_code="78701",
            location=Point(-97.74 + rng.uniform(-0.05, 0.05), 30.27 + rng.uniform(-0.05, 0.05), srid=4326),
            price_per_hour=Decimal(rng.randint(2, 8)),
            price_per_day=Decimal(rng.choice([15, 20, 20, 25, 40])),
            max_vehicle_size=rng.choice(VEHICLE_SIZE_ORDER),
            features=rng.sample(FEATURES, rng.randint(0, 3)),
            instant_booking=rng.random() < 0.5,
            rating_average=rng.choice([None, Decimal("3.50"), Decimal("4.00"), Decimal("4.80"), Decimal("4.80")]),
            rating_count=rng.randint(0, 3),
            is_active=number % 11 != 0,
            is_deleted=number % 13 == 0,
            deleted_at=datetime(2026, 12, 1, tzinfo=UTC) if number % 13 == 0 else None,
        )
        for number in range(120)
    )
    User.objects.filter(pk=suspended.pk).update(is_active=False)  # the triggers take its listings out of sight
    return made


def reference(params: SearchParams) -> list[int]:
    """What the filters and orders mean, said with the ORM (searches without a place or a window)."""
    found = Listing.objects.filter(is_active=True, is_deleted=False, host__is_active=True, host__is_deleted=False)
    if params.vehicle_size:
        found = found.filter(max_vehicle_size__in=VEHICLE_SIZE_ORDER[VEHICLE_SIZE_ORDER.index(params.vehicle_size) :])
    if params.spot_types:
        found = found.filter(spot_type__in=params.spot_types)
    if params.features:
        found = found.filter(features__contains=params.features)
    if params.instant_booking is not None:
        found = found.filter(instant_booking=params.instant_booking)
    if params.min_rating is not None:
        found = found.filter(rating_average__gte=params.min_rating)
    if params.price_max is not None:
        found = found.filter(price_per_day__lte=params.price_max)
    if params.q:
        found = found.filter(search_vector=SearchQuery(params.q, search_type="websearch", config="english"))
    sort = params.effective_sort
    if sort == "price":
        found = found.order_by("price_per_day", "id")
    elif sort == "relevance":
        query = SearchQuery(params.q, search_type="websearch", config="english")
        found = found.annotate(rank=SearchRank(F("search_vector"), query)).order_by("-rank", "id")
    else:
        found = found.order_by(F("rating_average").desc(nulls_last=True), "-rating_count", "id")
    return list(found.values_list("id", flat=True))


def test_filters_and_orders_mean_what_the_orm_says(listings):
    rng = random.Random(7)
    for trial in range(60):
        params = SearchParams(
            vehicle_size=rng.choice([None, *VEHICLE_SIZE_ORDER]),
            spot_types=rng.sample(Listing.SpotType.values, rng.choice([0, 0, 1, 2])),
            features=rng.sample(FEATURES, rng.choice([0, 0, 1, 2])),
            instant_booking=rng.choice([None, True, False]),
            min_rating=rng.choice([None, Decimal("4"), Decimal("4.8")]),
            price_max=rng.choice([None, Decimal("20")]),
            q=rng.choice(["", "", "garage", "covered stadium", '"quiet gated"', "-airport"]),
        )
        params.sort = rng.choice(["price", "rating", "relevance" if params.q else "price"])
        expected = reference(params)

        everything = search_listings(params, offset=0, limit=1000)
        assert [hit.listing.pk for hit in everything.hits] == expected, f"trial {trial}: {params}"
        assert everything.count == len(expected)
        second_page = search_listings(params, offset=3, limit=3)
        assert [hit.listing.pk for hit in second_page.hits] == expected[3:6]
        assert second_page.count == len(expected)
        past_the_end = search_listings(params, offset=len(expected) + 5, limit=3)
        assert past_the_end.hits == [] and past_the_end.count == len(expected)  # counted apart


def test_polygons_and_routes_without_an_srid_are_taken_as_the_listings_own(listings):
    """The web form's map area comes without an SRID; the ORM assumed the column's, and so do the statements."""
    seen = next(listing for listing in listings if listing.is_active and not listing.is_deleted)
    x, y = seen.location.x, seen.location.y
    polygon = Point(x, y, srid=4326).buffer(0.001)
    polygon.srid = None
    found = search_listings(SearchParams(within=polygon), offset=0, limit=1000)
    assert seen.pk in {hit.listing.pk for hit in found.hits}


def test_the_search_statements_are_read_where_the_router_says(listings, monkeypatch):
    """On a replica when the read may lag: the statements go through `router.db_for_read(Listing)`."""
    asked = []

    def db_for_read(model, **hints):
        asked.append(model)
        return "default"

    monkeypatch.setattr(search_selectors.router, "db_for_read", db_for_read)
    start = datetime(2027, 6, 9, 15, tzinfo=UTC)
    search_listings(SearchParams(point=listings[0].location, radius_m=3000), offset=0, limit=5)
    search_listings(
        SearchParams(point=listings[0].location, radius_m=3000, start=start, end=start + timedelta(hours=2)),
        offset=0,
        limit=5,
    )
    assert asked.count(Listing) >= 2


def _random_calendar(listings, rng) -> date:
    """Random rules and exceptions on the first 80 listings; the first day they start from."""
    first_day = date(2027, 6, 1)
    rules, exceptions = [], []
    for listing in listings[:80]:
        for _ in range(rng.randint(0, 2)):
            rule_type = rng.choice(AvailabilityRule.RuleType.values)
            start_date = first_day + timedelta(days=rng.randint(0, 40))
            rules.append(
                AvailabilityRule(
                    listing=listing,
                    rule_type=rule_type,
                    start_date=start_date,
                    end_date=rng.choice([None, start_date + timedelta(days=rng.randint(0, 20))]),
                    start_time=time(8),
                    end_time=time(18),
                    days_of_week=sorted(rng.sample(range(7), rng.randint(1, 3))) if rule_type == "weekly" else [],
                )
            )
        if rng.random() < 0.2:
            exceptions.append(
                AvailabilityException(listing=listing, exception_date=first_day + timedelta(days=rng.randint(0, 40)))
            )
    AvailabilityRule.objects.bulk_create(rules)
    AvailabilityException.objects.bulk_create(exceptions)
    return first_day


def test_the_calendar_clause_selects_the_listings_whose_rules_or_exceptions_schedules_for_loads(listings):
    rng = random.Random(11)
    first_day = _random_calendar(listings, rng)

    for trial in range(40):
        start = datetime.combine(first_day, time(0), tzinfo=UTC) + timedelta(hours=rng.randint(0, 60 * 24))
        end = start + timedelta(hours=rng.choice([1, 3, 20, 50, 24 * 9]))
        expected = set(booking_selectors._rules_around(start, end).values_list("listing_id", flat=True)) | set(
            booking_selectors._exceptions_around(start, end).values_list("listing_id", flat=True)
        )
        sql, values = booking_selectors.calendar_entries_sql(start, end)
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT "listings"."id" FROM "listings" WHERE {sql}', values)
            found = {row[0] for row in cursor.fetchall()}
        assert found == expected, f"trial {trial}: {start} to {end}"
    assert expected, "the last window should have met some rule"


def test_schedules_for_loads_the_rules_and_exceptions_the_querysets_select(listings):
    """`schedules_for` writes its statements by hand; `_rules_around` and `_exceptions_around` say what they mean."""
    rng = random.Random(12)
    first_day = _random_calendar(listings, rng)
    asked = listings[:80]

    for trial in range(30):
        start = datetime.combine(first_day, time(0), tzinfo=UTC) + timedelta(hours=rng.randint(0, 60 * 24))
        end = start + timedelta(hours=rng.choice([1, 3, 20, 50, 24 * 9]))
        schedules = booking_selectors.schedules_for(asked, start, end)
        ids = [listing.pk for listing in asked]
        rules = booking_selectors._rules_around(start, end).filter(listing_id__in=ids)
        exceptions = booking_selectors._exceptions_around(start, end).filter(listing_id__in=ids)
        assert sorted(rule.pk for schedule in schedules.values() for rule in schedule.rules) == sorted(
            rules.values_list("pk", flat=True)
        ), f"trial {trial}"
        assert sorted(exception.pk for schedule in schedules.values() for exception in schedule.exceptions) == sorted(
            exceptions.values_list("pk", flat=True)
        ), f"trial {trial}"
        for schedule in schedules.values():
            assert all(rule.listing_id == schedule.listing_id for rule in schedule.rules)
            assert all(exception.listing_id == schedule.listing_id for exception in schedule.exceptions)
    loaded = [rule for schedule in schedules.values() for rule in schedule.rules]
    assert loaded, "the last window should have met some rule"
    expected = AvailabilityRule.objects.get(pk=loaded[0].pk)
    assert [getattr(loaded[0], f.attname) for f in AvailabilityRule._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in AvailabilityRule._meta.concrete_fields
    ]


def test_the_models_schedules_for_builds_from_rows_need_no_conversion_from_the_database():
    """`schedules_for` makes rules and exceptions with `Model.from_db` straight from psycopg's values, which skips
    the converters the ORM would apply (an encrypted or a JSON field has one): a field that needs one must make
    `schedules_for` apply it, and this test names it."""
    for model in (AvailabilityRule, AvailabilityException):
        needing = [field.name for field in model._meta.concrete_fields if field.get_db_converters(connection)]
        assert needing == [], f"{model.__name__}: {needing}"
