"""What the stages of the demo builder share: the state they build up, and a few small helpers."""

import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from tqdm import tqdm

from apps.analytics.demo import catalog
from apps.analytics.demo.places import DemoCity
from apps.bookings.models import Booking
from apps.core.money import to_money
from apps.listings.models import AvailabilityRule, Listing
from apps.payments.models import Payout
from apps.users.models import User

HISTORY_DAYS = 120  # bookings reach this far back...
FUTURE_DAYS = 30  # ...and this far ahead
JITTER_M = 300  # listings sit within this distance of their ZIP-code centroid
REVIEW_WINDOW = timedelta(days=14)  # a lone review is published when the window closes
LISTINGS_PER_HOST = 4
BATCH_SIZE = 1000
OPENS, CLOSES = time(6, 0), time(22, 0)  # the operating hours of listings that are not open around the clock

Status = Booking.Status
PaymentStatus = Booking.PaymentStatus
VEHICLE_SIZES = list(Listing.VehicleSize.values)  # smallest first


@dataclass
class DemoReport:
    """Rows created per kind, and the logins to try."""

    counts: Counter = field(default_factory=Counter)
    logins: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Vehicle:
    make: str
    model: str
    size: str
    color: str
    plate: str
    state: str


@dataclass
class Plan:
    """A booking before it is written, with the moments its history happened at."""

    booking: Booking
    host: User
    created_at: datetime
    captured_at: datetime | None = None
    failed_at: datetime | None = None
    refunded_at: datetime | None = None


def backdate(model: type[models.Model], column: str, moments: dict[int, datetime]) -> None:
    """Set `column` of the rows `moments` names. `auto_now_add` fields ignore the value given on insert, yet demo
    history must look lived-in; one `UPDATE ... FROM unnest(...)` per table is much faster than `bulk_update`."""
    if not moments:
        return
    quote_name = connection.ops.quote_name
    table, target = quote_name(model._meta.db_table), quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {target} = v.moment "  # noqa: S608 - identifiers from model metadata
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, moment) WHERE t.id = v.id",
            [list(moments), list(moments.values())],
        )


def ceil_hour(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(hours=1)


def whole_dollars(amount: float) -> Decimal:
    return to_money(Decimal(math.floor(amount + 0.5)))


class DemoState:
    """The rows made so far, shared by the stages (people, listings, bookings, ...) that the builder runs in order."""

    def __init__(self, *, seed: int, cities: list[DemoCity], progress: bool, now: datetime) -> None:
        self.seed = seed
        self.rng = self._stage_random("people")
        self.cities = cities
        self.progress = progress
        self.now = now
        self.report = DemoReport()
        self.password_hash = make_password(catalog.DEMO_PASSWORD)  # hashed once: hashing per user takes minutes
        self.hosts: dict[str, list[User]] = {}
        self.guests: list[User] = []
        self.guest_weights: list[int] = []
        self.vehicles: dict[int, Vehicle] = {}
        self.listings: list[Listing] = []
        self.landmark: dict[int, str] = {}
        self.quality: dict[int, float] = {}
        self.rules: dict[int, list[AvailabilityRule]] = defaultdict(list)
        self.weekday_only: set[int] = set()
        self.plans: list[Plan] = []
        self.booking_type = ContentType.objects.get_for_model(Booking)
        self.payout_type = ContentType.objects.get_for_model(Payout)

    def _stage_random(self, stage: str) -> random.Random:
        """A generator per stage, so that what one stage draws does not shift the next (the listings of a seed are
        the same whether or not the demo logins existed already)."""
        return random.Random(f"{self.seed}/{stage}")  # noqa: S311 - demo data, not secrets

    def _progress(self, items: Sequence, description: str, unit: str):
        # tqdm's `disable=None`: drawn on a terminal, silent when stderr goes to a file or a pipe.
        disable = None if self.progress else True
        return tqdm(items, desc=description, unit=unit, file=sys.stderr, disable=disable, leave=False)
