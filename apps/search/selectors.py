"""Listing search: where (radius, polygon, route), when (a bookable window), what (size, type, features, price,
rating, words), in which order. A fixed number of queries whatever the page size.

Distances are geography-correct: metres on the sphere (within 0.5 % of the spheroid), the measure that
PostGIS's geography KNN operator orders by, used alike to filter, order and display. The radius and route
filters use `ST_DWithin` on `location::geography` and nearest-first order uses the KNN operator `<->` on it,
both served by the GiST index `idx_listings_location_geog`. Those statements are written as SQL below (see "The
search statements"); the web page's listings are loaded with the ORM, whose small `Func` expressions say "as
geography", and the API's cards as rows (`search_listing_rows`).

Without a window the database filters, orders and pages. With a window the database narrows the candidates
(place, filters, duration limits, a free space, and the operating hours where a window lies within one local day
without a clock change) and the availability module decides the rest (rules, exceptions, capacity caps, the hours
of other windows) for each candidate, in Python, with one query per kind of schedule data; each result then carries
the price of the window.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.gis.geos import GEOSGeometry, LineString, Point, Polygon
from django.db import connections, router
from django.db.models import Avg, F, FloatField, Func, QuerySet, Value

from apps.bookings import availability, pricing
from apps.bookings import selectors as booking_selectors
from apps.bookings.availability import Schedule
from apps.bookings.pricing import Quote
from apps.core.prepared import prepared_cursor
from apps.listings.models import VEHICLE_SIZE_ORDER, Listing
from apps.listings.selectors import with_detail
from apps.reviews.selectors import published_listing_reviews

SORTS = ("distance", "price", "rating", "relevance")
# With a window, at most this many nearest/best candidates are checked against their schedules, so `count` is at most
# this: five pages of the largest page size (100), more than a driver looks through. Each candidate costs about 20 µs
# of SQL (its free-space probe, hours, calendar flag) and 15 µs of Python; at 2,000 a dense 5 km window search took
# 80-130 ms, at 500 it takes 25-30 ms (bench/RESULTS.md). Where the cap is reached the result says so (`capped`) and
# the web page shows "500+".
MAX_WINDOW_CANDIDATES = 500


@dataclass
class SearchParams:
    point: Point | None = None
    radius_m: int = 1609
    within: Polygon | None = None
    route: LineString | None = None
    route_buffer_m: int = 200
    start: datetime | None = None
    end: datetime | None = None
    vehicle_size: str | None = None
    spot_types: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    price_max: Decimal | None = None
    instant_booking: bool | None = None
    min_rating: Decimal | None = None
    q: str = ""
    sort: str | None = None

    @property
    def has_window(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        if self.point is not None:
            return "distance"
        return "relevance" if self.q else "rating"


@dataclass
class Hit:
    listing: Listing
    distance_m: float | None = None
    quote: Quote | None = None


@dataclass
class SearchResult:
    count: int
    hits: list[Hit]
    capped: bool = False  # a window search stopped at MAX_WINDOW_CANDIDATES: there may be more than `count`


@dataclass
class ListingRow:
    """One result as the API's card needs it, without a model instance: the card's columns by name (`CARD_COLUMNS`,
    the location as `location_x`/`location_y`, `host_id`, `host_first_name`), its photos in order (the columns of
    `PHOTO_COLUMNS`), the distance and, with a window, the quote."""

    values: dict[str, Any]
    photos: list[dict[str, Any]]
    distance_m: float | None
    quote: Quote | None


@dataclass
class SearchRows:
    count: int
    rows: list[ListingRow]
    capped: bool = False


@dataclass
class Page:
    """The number of results, the ids of one page in order and, with a window, their candidates, to be priced
    (`_quote`) once the page's cards have brought their rates; `capped` when the window search checked
    MAX_WINDOW_CANDIDATES candidates and did not look further."""

    count: int
    ids: list[int]
    candidates: dict[int, Candidate]
    capped: bool = False


class AsGeography(Func):
    template = "(%(expressions)s)::geography"


class GeographyPoint(Func):
    template = "ST_SetSRID(ST_MakePoint(%(expressions)s), 4326)::geography"

    def __init__(self, point: Point) -> None:
        super().__init__(Value(point.x), Value(point.y))


class GeographyDistance(Func):
    """Metres on the sphere, so that the distance shown and the nearest-first order always agree."""

    template = "ST_Distance(%(expressions)s, false)"
    output_field = FloatField()


LOCATION = AsGeography(F("location"))


# --- The search statements -------------------------------------------------------------------------------------------
#
# Which listings match and in which order is written as SQL here, not with the ORM: this is the product's own query
# (place, filters, a free space, operating hours, ranking), and building and compiling it as a queryset cost more
# Python than the database spent answering it: about 5 ms a window search (its Exists subqueries, OuterRefs and raw
# hours clause), 1 ms without a window, for statements that run in 2 to 20 ms. Every value is a parameter; only
# column names and SQL keywords are written into the text (hence the noqa: S608 below). The page's listings are then
# loaded with the ORM (`_hydrate`).

_PUBLIC = '"listings"."host_active" AND "listings"."is_active" AND NOT "listings"."is_deleted"'
_GEOGRAPHY = '("listings"."location")::geography'
_POINT = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography"


@dataclass
class Statement:
    sql: str
    params: list[Any]
    # Prepared once per connection (`apps.core.prepared`): only for a statement whose plan is the same for any values.
    prepared: bool = False


def _ewkb(geometry: GEOSGeometry) -> bytes:
    """The geometry as EWKB in the listings' SRID, 4326: one without an SRID is taken to be in it, as the ORM does."""
    if geometry.srid is None:
        geometry = geometry.clone()
        geometry.srid = 4326
    elif geometry.srid != 4326:
        geometry = geometry.transform(4326, clone=True)
    return bytes(geometry.ewkb)


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _bookable_space_exists(start: datetime, end: datetime) -> tuple[str, list[Any]]:
    """Some active space of the listing has no active booking overlapping [start, end). Asked of every candidate of
    a window search, so it is first answered from the listing's own row where it can: `listings.booked` (kept by
    triggers, migration listings 0006) is a superset of the times from its last write on at which an active booking
    holds one of the listing's spaces, and unbounded when the listing has no active space; a window from now on that
    does not overlap it has every active space free. Otherwise each active space is looked at, each part one btree
    probe answered from an index alone: the listing's active spaces (`listing_spaces_active`), then each space's
    active bookings that end after the start (`bookings_active_space_end`, which carries their starts; its predicate
    is the same list of statuses). Overlap of half-open periods is `start < end' and start' < end`: the same test as
    the exclusion constraint's `&&`, whose GiST probes cost about ten times as much."""
    sql = (
        '((%s::timestamptz >= now() AND NOT "listings"."booked" && tstzrange(%s, %s))'  # noqa: S608
        ' OR EXISTS (SELECT 1 FROM "listing_spaces" s WHERE s."is_active" AND s."listing_id" = "listings"."id"'
        ' AND NOT EXISTS (SELECT 1 FROM "bookings" b WHERE b."space_id" = s."id" AND b."end_datetime" > %s'
        f' AND b."start_datetime" < %s AND b."status" IN {booking_selectors.ACTIVE_STATUSES_SQL})))'
    )
    return sql, [start, start, end, start, end]


# Local start and end of the window in the listing's own time zone (timestamps without a zone, wall-clock time).
_LOCAL_START = """(%s::timestamptz AT TIME ZONE "listings"."time_zone")"""
_LOCAL_END = """(%s::timestamptz AT TIME ZONE "listings"."time_zone")"""
_OPEN_BY_HOURS = """(
  ("listings"."available_start_time" = '00:00' AND "listings"."available_end_time" >= '23:59'
   AND cardinality("listings"."available_days") IN (0, 7))
  OR NOT ({le} <= ({ls}::date + 1)::timestamp
          AND ((({ls}::date + 1)::timestamp AT TIME ZONE "listings"."time_zone")
               - ({ls}::date::timestamp AT TIME ZONE "listings"."time_zone")) = interval '24 hours')
  OR ((cardinality("listings"."available_days") = 0
       OR (extract(isodow FROM {ls})::int - 1) = ANY("listings"."available_days"))
      AND (extract(hour FROM "listings"."available_start_time") * 60
           + extract(minute FROM "listings"."available_start_time")) * 60 <= extract(epoch FROM {ls}::time)
      AND extract(epoch FROM {le} - {ls}::date::timestamp) <= CASE
            WHEN "listings"."available_end_time" >= '23:59' THEN 86400
            ELSE (extract(hour FROM "listings"."available_end_time") * 60
                  + extract(minute FROM "listings"."available_end_time")) * 60 END)
)"""


def _open_by_hours(start: datetime, end: datetime) -> tuple[str, list[Any]]:
    """False only where the listing's operating hours alone close it during [start, end): the common case of a window
    within one local day, decided in the database so that closed listings take no place among the candidates and no
    free-space probe. Exactly the availability module's rule (`schedule.day_pieces`: whole minutes, an end of 23:59
    meaning midnight, days numbered from Monday = 0) in wall-clock time, which equals its rule in instants on a day
    without a clock change; a window over two local days or on a day with a clock change is left to Python. A listing
    open around the clock is let through first, without time-zone arithmetic. Rules and exceptions may open a
    listing outside its hours: the caller lets listings with calendar entries through."""
    sql, values = "", []
    for part in re.split(r"(\{ls\}|\{le\})", _OPEN_BY_HOURS):
        if part == "{ls}":
            sql, values = sql + _LOCAL_START, [*values, start]
        elif part == "{le}":
            sql, values = sql + _LOCAL_END, [*values, end]
        else:
            sql += part
    return sql, values


def _where(params: SearchParams) -> tuple[str, list[Any]]:
    """The conditions a listing must meet: public, in the place, through the filters and, with a window, bookable as
    far as the database can tell (duration limits, operating hours for the common case, a free space)."""
    conditions, values = [_PUBLIC], []

    def where(sql: str, *more: Any) -> None:
        conditions.append(sql)
        values.extend(more)

    if params.point is not None:
        where(f"ST_DWithin({_GEOGRAPHY}, {_POINT}, %s, false)", params.point.x, params.point.y, params.radius_m)
    if params.within is not None:
        where('ST_Within("listings"."location", ST_GeomFromEWKB(%s))', _ewkb(params.within))
    if params.route is not None:
        where(
            f"ST_DWithin({_GEOGRAPHY}, ST_GeomFromEWKB(%s)::geography, %s, false)",
            _ewkb(params.route),
            params.route_buffer_m,
        )
    if params.vehicle_size:
        fitting = list(VEHICLE_SIZE_ORDER[VEHICLE_SIZE_ORDER.index(params.vehicle_size) :])
        where(f'"listings"."max_vehicle_size" IN ({_placeholders(fitting)})', *fitting)
    if params.spot_types:
        where(f'"listings"."spot_type" IN ({_placeholders(params.spot_types)})', *params.spot_types)
    if params.features:
        where('"listings"."features" @> %s::varchar(50)[]', list(params.features))
    if params.instant_booking is not None:
        where('"listings"."instant_booking" = %s', params.instant_booking)
    if params.min_rating is not None:
        where('"listings"."rating_average" >= %s', params.min_rating)
    if params.q:
        where(""""listings"."search_vector" @@ websearch_to_tsquery('english'::regconfig, %s)""", params.q)
    if params.has_window:
        hours = (params.end - params.start).total_seconds() / 3600
        # Whole hours and days in the columns: at most the window's hours, at least its days.
        where('"listings"."minimum_hours" <= %s', math.floor(hours))
        where('"listings"."maximum_days" >= %s', math.ceil(hours / 24))
        open_sql, open_values = _open_by_hours(params.start, params.end)
        calendar_sql, calendar_values = booking_selectors.calendar_entries_sql(params.start, params.end)
        where(f"({open_sql} OR {calendar_sql})", *open_values, *calendar_values)
        space_sql, space_values = _bookable_space_exists(params.start, params.end)
        where(space_sql, *space_values)
    elif params.price_max is not None:
        where('"listings"."price_per_day" <= %s', params.price_max)
    return " AND ".join(conditions), values


def _order_by(params: SearchParams) -> tuple[str, list[Any]]:
    sort = params.effective_sort
    if sort == "distance":
        return f'{_GEOGRAPHY} <-> {_POINT}, "listings"."id"', [params.point.x, params.point.y]
    if sort == "price":
        return '"listings"."price_per_day", "listings"."id"', []
    if sort == "relevance":
        rank = """ts_rank("listings"."search_vector", websearch_to_tsquery('english'::regconfig, %s))"""
        return f'{rank} DESC, "listings"."id"', [params.q]
    return '"listings"."rating_average" DESC NULLS LAST, "listings"."rating_count" DESC, "listings"."id"', []


def page_statement(params: SearchParams, *, offset: int, limit: int) -> Statement:
    """Without a window: the ids of one page in order, each row with the number of matches. `count(*) OVER ()` is
    computed over every match before the page is cut, where a separate COUNT read the whole area a second time."""
    where, values = _where(params)
    order, order_values = _order_by(params)
    return Statement(
        f'SELECT "listings"."id", count(*) OVER () FROM "listings" WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s',  # noqa: S608
        [*values, *order_values, limit, offset],
    )


def count_statement(params: SearchParams) -> Statement:
    where, values = _where(params)
    return Statement(f'SELECT count(*) FROM "listings" WHERE {where}', values)  # noqa: S608


def candidates_statement(params: SearchParams) -> Statement:
    """With a window: up to MAX_WINDOW_CANDIDATES candidates in the search's order, with what their schedules and prices
    need and whether a rule or an exception may apply to the window.

    Nearest first is asked of the database by the KNN distance alone: the GiST index then yields listings in that
    order and the scan stops after MAX_WINDOW_CANDIDATES bookable ones, where `<->, id` made PostgreSQL test a free
    space for every listing in the radius and sort them all (the index cannot give the id order of ties, and the radius
    estimate of the geography index is too small for the planner to prefer a full sort over an ordered scan). The
    caller orders ties by id."""
    where, values = _where(params)
    calendar_sql, calendar_values = booking_selectors.calendar_entries_sql(params.start, params.end)
    priced = params.price_max is not None or params.effective_sort == "price"
    columns = ", ".join(
        [
            *(f'"listings"."{name}"' for name in CANDIDATE_FIELDS),
            *(f'"listings"."{name}"' if priced else "NULL" for name in RATE_FIELDS),
            *(f'CASE WHEN "listings"."has_calendar_entries" THEN "listings"."{name}" END' for name in SCHEDULE_FIELDS),
        ]
    )
    if params.effective_sort == "distance":
        knn, knn_values = f"{_GEOGRAPHY} <-> {_POINT}", [params.point.x, params.point.y]
        order, order_values = "knn_m", []
    else:
        knn, knn_values = "NULL::float8", []
        order, order_values = _order_by(params)
    return Statement(
        f'SELECT {columns}, {calendar_sql} AS has_calendar, {knn} AS knn_m FROM "listings"'  # noqa: S608
        f" WHERE {where} ORDER BY {order} LIMIT %s",
        [*calendar_values, *knn_values, *values, *order_values, MAX_WINDOW_CANDIDATES],
        # Its plan is the nearest-first scan of the location index whatever the window and the radius, with its
        # probes served by index lookups; planning it took 0.8 ms of a dense window search's 10 (bench/RESULTS.md).
        prepared=True,
    )


def _rows(statement: Statement) -> list[tuple]:
    """Run a search statement where the ORM would have run the listings query: on a replica when this read may lag
    (`config.db_router`), else on the primary."""
    using = router.db_for_read(Listing)
    with prepared_cursor(using) if statement.prepared else connections[using].cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return cursor.fetchall()


# What a result card shows, in the API (SearchResultSerializer) and on the web: the listing's public columns and
# its host's first name. Not the access details, the search vector, nor the host's whole account row.
CARD_FIELDS = (
    *("id", "title", "description", "spot_type", "address", "city", "state", "zip_code", "location", "time_zone"),
    *("price_per_hour", "price_per_day", "price_per_week", "price_per_month", "currency", "max_vehicle_size"),
    *("spaces_available", "width", "length", "height_clearance", "features", "instant_booking", "minimum_hours"),
    *("maximum_days", "cancellation_policy", "available_start_time", "available_end_time", "available_days"),
    *("rating_average", "rating_count", "is_active", "created_at", "host__id", "host__first_name"),
)


def _with_distance(listings: QuerySet[Listing], params: SearchParams) -> QuerySet[Listing]:
    if params.point is None:
        return listings
    return listings.annotate(distance_m=GeographyDistance(LOCATION, GeographyPoint(params.point)))


def _hydrate(ids: list[int], params: SearchParams) -> dict[int, Listing]:
    """Load the listings of one page with what their cards show (host, photos): two queries."""
    listings = _with_distance(with_detail(Listing.objects.filter(pk__in=ids)).only(*CARD_FIELDS), params)
    return {listing.pk: listing for listing in listings}


# The listing columns of a card read by hand, for the API (`search_listing_rows`): CARD_FIELDS without the location
# (read as two coordinates) and the host (read from the join).
CARD_COLUMNS = tuple(name for name in CARD_FIELDS if name != "location" and not name.startswith("host__"))
PHOTO_COLUMNS = ("id", "image", "thumbnail", "caption", "display_order", "uploaded_at")


def _card_rows(ids: list[int], params: SearchParams) -> dict[int, ListingRow]:
    """The cards of one page as rows: two statements, where `_hydrate` made model instances of the listing, its host
    and each photo through the ORM (about 40 % of an API search's time for a page of 20)."""
    if not ids:
        return {}
    columns = ", ".join(f'"listings"."{name}"' for name in CARD_COLUMNS)
    if params.point is not None:
        distance, values = f"ST_Distance({_GEOGRAPHY}, {_POINT}, false)", [params.point.x, params.point.y]
    else:
        distance, values = "NULL::float8", []
    listing_rows = _rows(
        Statement(
            f'SELECT {columns}, ST_X("listings"."location"), ST_Y("listings"."location"), "users"."id",'  # noqa: S608
            f' "users"."first_name", {distance} FROM "listings" JOIN "users" ON "users"."id" = "listings"."host_id"'
            ' WHERE "listings"."id" = ANY(%s)',
            [*values, ids],
            prepared=True,
        )
    )
    photos: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    photo_columns = ", ".join(f'"{name}"' for name in PHOTO_COLUMNS)
    for listing_id, *photo in _rows(
        Statement(
            f'SELECT "listing_id", {photo_columns} FROM "listing_photos" WHERE "listing_id" = ANY(%s)'  # noqa: S608
            ' ORDER BY "display_order", "uploaded_at"',
            [ids],
            prepared=True,
        )
    ):
        photos[listing_id].append(dict(zip(PHOTO_COLUMNS, photo, strict=True)))
    names = (*CARD_COLUMNS, "location_x", "location_y", "host_id", "host_first_name")
    rows = {}
    for *fields, distance_m in listing_rows:
        values_by_name = dict(zip(names, fields, strict=True))
        pk = values_by_name["id"]
        rows[pk] = ListingRow(values_by_name, photos[pk], distance_m, None)
    return rows


# What a window search reads of each candidate: its time zone, to know whether the database has judged its
# operating hours (`_hours_judged_in_sql`).
CANDIDATE_FIELDS = ("id", "time_zone")
# Its rates: read with it only where every bookable candidate must be priced (a price order or limit); for a page
# of another order they come with the page's cards (`_quote`), where reading 500 candidates' took ~0.4 ms.
RATE_FIELDS = ("currency", "price_per_hour", "price_per_day", "price_per_week", "price_per_month")
# The rest of a candidate's schedule, read with it only where the listing has rules or exceptions (its schedule is
# then loaded and checked here): the others' are left out of the rows, about 0.6 ms of a dense 5 km window search's
# 500 candidates (bench/RESULTS.md), and read apart in the rare case that their hours must be checked here.
SCHEDULE_FIELDS = ("available_days", "available_start_time", "available_end_time", "minimum_hours", "maximum_days")


@dataclass(slots=True)
class Candidate:
    """A listing that the database found near enough, matching the filters and with a free space for the window;
    the fields its schedule and its price need, without the cost of a model instance."""

    pk: int
    time_zone: str
    # None until read, unless every candidate is priced (see RATE_FIELDS).
    currency: str | None = None
    price_per_hour: Decimal | None = None
    price_per_day: Decimal | None = None
    price_per_week: Decimal | None = None
    price_per_month: Decimal | None = None
    # None until read where the listing has no rules or exceptions (see SCHEDULE_FIELDS).
    available_days: list[int] | None = None
    available_start_time: time | None = None
    available_end_time: time | None = None
    minimum_hours: int | None = None
    maximum_days: int | None = None
    knn_m: float | None = None
    has_calendar: bool = True
    schedule: Schedule | None = None  # loaded when a rule or an exception may apply: its price depends on them
    quote: Quote | None = None


def _candidates(params: SearchParams) -> list[Candidate]:
    """Up to MAX_WINDOW_CANDIDATES candidates in the search's order, each flagged when a rule or an exception may
    apply to the window: one query."""
    candidates = [
        Candidate(*fields, has_calendar=has_calendar, knn_m=knn_m)
        for *fields, has_calendar, knn_m in _rows(candidates_statement(params))
    ]
    if params.effective_sort == "distance":
        # Nearest first, ties (listings at the very same point) by id, as `_order_by` says.
        candidates.sort(key=lambda candidate: (candidate.knn_m, candidate.pk))
    return candidates


def _hours_judged_in_sql(zone: ZoneInfo, start: datetime, end: datetime) -> bool:
    """Whether `_open_by_hours` judged a listing in this time zone by its operating hours for [start, end), so that
    a candidate without rules or exceptions that it let through is open throughout: the window ends by the local
    midnight after its start, and that local day lasts 24 hours. The same test as the statement's, in wall-clock
    time; a test holds the two together across clock changes."""
    local_start = start.astimezone(zone)
    midnight = datetime.combine(local_start.date(), time(0, 0), tzinfo=zone)
    next_midnight = datetime.combine(local_start.date() + timedelta(days=1), time(0, 0), tzinfo=zone)
    return end.astimezone(zone).replace(tzinfo=None) <= next_midnight.replace(tzinfo=None) and (
        next_midnight.astimezone(UTC) - midnight.astimezone(UTC) == timedelta(hours=24)
    )


def _read_schedule_fields(candidates: list[Candidate]) -> None:
    """Fill in the SCHEDULE_FIELDS of candidates read without them: one query."""
    missing = {candidate.pk: candidate for candidate in candidates if candidate.available_days is None}
    if not missing:
        return
    columns = ", ".join(f'"{name}"' for name in SCHEDULE_FIELDS)
    statement = Statement(
        f'SELECT "id", {columns} FROM "listings" WHERE "id" = ANY(%s)',  # noqa: S608
        [list(missing)],
        prepared=True,
    )
    for pk, *fields in _rows(statement):
        for name, value in zip(SCHEDULE_FIELDS, fields, strict=True):
            setattr(missing[pk], name, value)


def _bookable(candidates: list[Candidate], params: SearchParams) -> list[Candidate]:
    """The candidates that can be booked for the window, in order.

    The database has already checked the place, the filters, the duration limits and that a space is free for the
    window, and every listing can be priced (the database requires a positive daily price). A candidate with rules
    or exceptions around the window gets its whole schedule loaded and checked by the availability module. For the
    others nothing but the operating hours is left to check, which the database has done where the window lies
    within one ordinary local day of their time zone; elsewhere (a window over local midnight, a day with a clock
    change) their hours are read and checked here, each distinct set of hours once. Quotes are made later, only
    where a price is needed (the page, a price order or limit)."""
    start, end = params.start, params.end
    calendared = [candidate for candidate in candidates if candidate.has_calendar]
    schedules = booking_selectors.schedules_for(calendared, start, end)
    judged: dict[str, bool] = {}
    unjudged = []
    for candidate in candidates:
        if candidate.has_calendar:
            candidate.schedule = schedules[candidate.pk]
        elif candidate.time_zone not in judged:
            judged[candidate.time_zone] = _hours_judged_in_sql(ZoneInfo(candidate.time_zone), start, end)
        if not candidate.has_calendar and not judged[candidate.time_zone]:
            unjudged.append(candidate)
    _read_schedule_fields(unjudged)
    opening: dict[tuple, bool] = {}
    closed = set()
    for candidate in unjudged:
        hours_key = (
            candidate.time_zone,
            tuple(candidate.available_days),
            candidate.available_start_time,
            candidate.available_end_time,
        )
        if hours_key not in opening:
            opening[hours_key] = availability.open_throughout(
                Schedule.of(candidate, space_ids=(), rules=(), exceptions=(), bookings=()), start, end
            )
        if not opening[hours_key]:
            closed.add(candidate.pk)

    def bookable(candidate: Candidate) -> bool:
        if candidate.has_calendar:
            return availability.is_bookable(candidate.schedule, start, end)
        return candidate.pk not in closed

    return [candidate for candidate in candidates if bookable(candidate)]


def _price(candidate: Candidate, params: SearchParams) -> Quote:
    """The candidate's quote for the window, once its rates are known."""
    if candidate.quote is None and candidate.schedule is not None:
        candidate.quote = booking_selectors.quote_for_schedule(candidate, candidate.schedule, params.start, params.end)
    elif candidate.quote is None:
        rates = pricing.Rates.of(candidate)
        candidate.quote = pricing.quote(rates=rates, start=params.start, end=params.end, currency=candidate.currency)
    return candidate.quote


def _page(params: SearchParams, *, offset: int, limit: int) -> Page:
    if not params.has_window:
        rows = _rows(page_statement(params, offset=offset, limit=limit))
        # A page past the end has no row to carry the total, so only then is it counted apart.
        count = rows[0][1] if rows else (_rows(count_statement(params))[0][0] if offset else 0)
        return Page(count, [pk for pk, _ in rows], {})

    candidates = _candidates(params)
    bookable = _bookable(candidates, params)
    if params.price_max is not None:
        bookable = [candidate for candidate in bookable if _price(candidate, params).total_amount <= params.price_max]
    if params.effective_sort == "price":
        bookable.sort(key=lambda candidate: (_price(candidate, params).total_amount, candidate.pk))
    page = bookable[offset : offset + limit]
    return Page(
        len(bookable),
        [candidate.pk for candidate in page],
        {candidate.pk: candidate for candidate in page},
        capped=len(candidates) >= MAX_WINDOW_CANDIDATES,
    )


def _quote(candidate: Candidate, rates: Callable[[str], Any], params: SearchParams) -> Quote:
    """The quote of a page's candidate, its rates taken from its card (`rates(name)`) where not read with it."""
    if candidate.currency is None:
        for name in RATE_FIELDS:
            setattr(candidate, name, rates(name))
    return _price(candidate, params)


def search_listings(params: SearchParams, *, offset: int, limit: int) -> SearchResult:
    """One page of results as listings (model instances with their host and photos loaded): the web's cards."""
    page = _page(params, offset=offset, limit=limit)
    listings = _hydrate(page.ids, params)
    quotes = {
        pk: _quote(candidate, partial(getattr, listings[pk]), params) for pk, candidate in page.candidates.items()
    }
    hits = [Hit(listings[pk], getattr(listings[pk], "distance_m", None), quotes.get(pk)) for pk in page.ids]
    return SearchResult(count=page.count, hits=hits, capped=page.capped)


def search_listing_rows(params: SearchParams, *, offset: int, limit: int) -> SearchRows:
    """The same page as rows (`ListingRow`): the API's cards, without the cost of model instances."""
    page = _page(params, offset=offset, limit=limit)
    rows = _card_rows(page.ids, params)
    for pk, candidate in page.candidates.items():
        rows[pk].quote = _quote(candidate, rows[pk].values.__getitem__, params)
    return SearchRows(count=page.count, rows=[rows[pk] for pk in page.ids], capped=page.capped)


# --- A listing's month at a glance ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    day: date
    # "free": open and nothing of it taken; "partial": some open time free, some taken; "closed": no free time
    # (closed, or every space taken); "past".
    status: str
    free_hours: float


@dataclass(frozen=True)
class MonthCalendar:
    first_day: date
    time_zone: str
    days: list[CalendarDay]

    @property
    def weeks(self) -> list[list[CalendarDay | None]]:
        """The days in rows Monday to Sunday, padded with None before the 1st and after the last day."""
        cells: list[CalendarDay | None] = [None] * self.first_day.weekday() + list(self.days)
        cells += [None] * (-len(cells) % 7)
        return [cells[index : index + 7] for index in range(0, len(cells), 7)]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _seconds_within(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    return sum(max((min(span_end, end) - max(span_start, start)).total_seconds(), 0) for span_start, span_end in spans)


def month_calendar(listing: Listing, first_day: date, *, now: datetime) -> MonthCalendar:
    """Each local day of the month starting at `first_day`, by how much of its open time is free from `now` on.

    Open time is what the availability module's calendar intervals call free or busy (busy: open but every space,
    or the cap, taken); one schedule is loaded for the whole month, so a fixed number of queries."""
    zone = ZoneInfo(listing.time_zone)
    first_day = first_day.replace(day=1)
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    month_start, month_end = _local_midnight(first_day, zone), _local_midnight(next_month, zone)
    free: list[tuple[datetime, datetime]] = []
    busy: list[tuple[datetime, datetime]] = []
    if month_end > now:
        for interval in booking_selectors.availability_intervals(listing, max(month_start, now), month_end):
            if interval.status in ("free", "busy"):
                (free if interval.status == "free" else busy).append((interval.start, interval.end))
    days = []
    day = first_day
    while day < next_month:
        day_start, day_end = _local_midnight(day, zone), _local_midnight(day + timedelta(days=1), zone)
        if day_end <= now:
            days.append(CalendarDay(day, "past", 0.0))
        else:
            start = max(day_start, now)
            free_seconds, busy_seconds = _seconds_within(free, start, day_end), _seconds_within(busy, start, day_end)
            status = "closed" if not free_seconds else "partial" if busy_seconds else "free"
            days.append(CalendarDay(day, status, round(free_seconds / 3600, 1)))
        day += timedelta(days=1)
    return MonthCalendar(first_day=first_day, time_zone=listing.time_zone, days=days)


REVIEW_ASPECTS = (
    ("location_rating", "Location"),
    ("value_rating", "Value"),
    ("cleanliness_rating", "Cleanliness"),
    ("communication_rating", "Communication"),
)


def review_aspects(listing_id: int) -> list[tuple[str, float]]:
    """The average of each sub-rating over the listing's published reviews (those rated at least once): one query."""
    averages = (
        published_listing_reviews(listing_id).order_by().aggregate(**{name: Avg(name) for name, _ in REVIEW_ASPECTS})
    )
    return [(label, float(averages[name])) for name, label in REVIEW_ASPECTS if averages[name] is not None]
