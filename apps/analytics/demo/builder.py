"""Builds the demo data set in one transaction.

Listings go through the listing services (`create_listing`, `create_rule`), so their time zone, concrete spaces and
audit rows are what the product makes. Below listings, the many rows (bookings, ledger, reviews, messages, payouts,
views) are written with `bulk_create` for speed; they are not replayed through the booking and payment services but
built to obey the same rules: every window is checked with the availability module and priced with the pricing
module, each space's bookings are laid end to end so none overlap, and the ledger, refunds and ratings agree with the
bookings (`manage.py check_integrity` verifies all of it).
"""

import math
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.db import transaction

from apps.analytics.demo import catalog
from apps.analytics.demo.bookings import BookingStages
from apps.analytics.demo.places import DemoCity, ZipCentroid, jitter
from apps.analytics.demo.social import SocialStages
from apps.analytics.demo.state import (
    BATCH_SIZE,
    CLOSES,
    FUTURE_DAYS,
    HISTORY_DAYS,
    JITTER_M,
    LISTINGS_PER_HOST,
    OPENS,
    DemoReport,
    Vehicle,
    backdate,
    whole_dollars,
)
from apps.core.money import to_money
from apps.listings.models import AvailabilityRule, Listing
from apps.listings.services import create_listing, create_rule
from apps.payments.models import PaymentMethod
from apps.users.models import User


def build_demo_data(
    *, listings: int, seed: int, cities: Sequence[DemoCity], progress: bool = False, now: datetime | None = None
) -> DemoReport:
    """Create `listings` listings spread over `cities` with their hosts, guests, bookings, ledger, reviews,
    conversations, payouts and views. The same seed gives the same data (relative to `now`)."""
    builder = _Builder(seed=seed, cities=list(cities), progress=progress, now=now or datetime.now(UTC))
    with transaction.atomic():
        builder.build(listings)
    return builder.report


class _Builder(BookingStages, SocialStages):
    """People and listings here; bookings and money in `BookingStages`; reviews, messages, views in `SocialStages`."""

    def build(self, listing_count: int) -> None:
        base, extra = divmod(listing_count, len(self.cities))
        per_city = [base + (1 if index < extra else 0) for index in range(len(self.cities))]
        stages = (
            ("people", lambda: self._people(per_city)),
            ("listings", lambda: self._listings(per_city)),
            ("bookings", self._bookings),
            ("ledger", self._ledger),
            ("reviews", self._reviews),
            ("conversations", lambda: self._conversations(listing_count)),
            ("payouts", self._payouts),
            ("views", self._views),
        )
        for stage, run in stages:
            self.rng = self._stage_random(stage)
            run()

    # --- People ---------------------------------------------------------------------------------------------------

    def _person(self, *, email: str, first: str, last: str, user_type: str, city: DemoCity, joined: datetime) -> User:
        area_code = self.rng.choice(city.zips).area_code
        return User(
            email=email,
            password=self.password_hash,
            first_name=first,
            last_name=last,
            user_type=user_type,
            # 555-0100 to 555-0199 are reserved for fiction: real-looking numbers that ring nobody.
            phone_number=f"+1{area_code}555{self.rng.randint(100, 199):04d}",
            is_email_verified=True,
            is_phone_verified=True,
            bio=self.rng.choice(catalog.HOST_BIOS) if user_type != User.UserType.SEEKER else "",
            # A sandbox payout account, so the weekly payouts of the demo succeed.
            stripe_account_id=f"acct_demo_{self.rng.getrandbits(48):012x}" if user_type != User.UserType.SEEKER else "",
            date_joined=joined,
        )

    def _joined(self, low_days: float, high_days: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(low_days, high_days))

    def _fixed_person(self, email: str, first: str, last: str, user_type: str, city: DemoCity) -> tuple[User, bool]:
        """The documented demo login `email`: reused when it exists, made otherwise. Returns (user, is_new)."""
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            return existing, False
        joined = self._joined(500, 700)
        return self._person(email=email, first=first, last=last, user_type=user_type, city=city, joined=joined), True

    def _people(self, per_city: list[int]) -> None:
        rng = self.rng
        # Numbering continues after the existing users, so seeding a second time never reuses an address.
        number = User.objects.count() + 1
        new_users: list[User] = []

        def invent(user_type: str, city: DemoCity, joined: datetime) -> User:
            nonlocal number
            first, last = rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)
            email = f"{first}.{last}{number}@example.com".lower().replace("'", "")
            number += 1
            user = self._person(email=email, first=first, last=last, user_type=user_type, city=city, joined=joined)
            new_users.append(user)
            return user

        first_city = self.cities[0]
        demo_host, is_new_host = self._fixed_person(
            catalog.DEMO_HOST_EMAIL, "Hannah", "Whitaker", User.UserType.HOST, first_city
        )
        demo_seeker, is_new_seeker = self._fixed_person(
            catalog.DEMO_SEEKER_EMAIL, "Sam", "Rivera", User.UserType.SEEKER, first_city
        )
        admin, is_new_admin = self._fixed_person(
            catalog.ADMIN_EMAIL, "Alex", "Morgan", User.UserType.SEEKER, first_city
        )
        if is_new_admin:  # an existing admin@ account is left as it is
            admin.is_staff = admin.is_superuser = True
        new_users += [user for user, is_new in ((demo_host, is_new_host), (demo_seeker, is_new_seeker)) if is_new]
        if is_new_admin:
            new_users.append(admin)

        for index, (city, count) in enumerate(zip(self.cities, per_city, strict=True)):
            hosts = []
            if index == 0 and demo_host.is_host and demo_host.is_email_verified:
                hosts.append(demo_host)
            while len(hosts) < math.ceil(count / LISTINGS_PER_HOST):
                user_type = User.UserType.BOTH if rng.random() < 0.2 else User.UserType.HOST
                hosts.append(invent(user_type, city, self._joined(400, 700)))
            self.hosts[city.label] = hosts

        seeker_count = max(4, math.ceil(sum(per_city) / 2))
        seekers = [
            invent(User.UserType.SEEKER, rng.choice(self.cities), self._joined(140, 700)) for _ in range(seeker_count)
        ]
        User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
        backdate(User, "created_at", {user.pk: user.date_joined for user in new_users})
        self.report.counts["users"] += len(new_users)

        both_hosts = [host for hosts in self.hosts.values() for host in hosts if host.user_type == User.UserType.BOTH]
        self.guests = [demo_seeker, *seekers, *both_hosts]
        # The documented seeker login gets a few times more bookings than anyone else, so it has a history to show.
        self.guest_weights = [3] + [1] * (len(self.guests) - 1)
        home_states = {user.pk: self.rng.choice(self.cities).state for user in self.guests}
        for user in self.guests:
            make, model, size = rng.choice(catalog.VEHICLES)
            self.vehicles[user.pk] = self._vehicle(make, model, size, home_states[user.pk])
        self._payment_methods([user for user in self.guests if user in new_users or not user.payment_methods.exists()])

        self.report.logins = [
            (catalog.ADMIN_EMAIL, "staff superuser (admin site)"),
            (catalog.DEMO_HOST_EMAIL, "host with listings in " + first_city.label),
            (catalog.DEMO_SEEKER_EMAIL, "seeker with past and upcoming bookings"),
        ]

    def _vehicle(self, make: str, model: str, size: str, state: str) -> Vehicle:
        letters = "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        plate = f"{letters}{self.rng.randint(1000, 9999)}"
        return Vehicle(make, model, size, self.rng.choice(catalog.COLORS), plate, state)

    def _payment_methods(self, users: list[User]) -> None:
        cards = []
        for user in users:
            for number in range(1 if self.rng.random() < 0.7 else 2):
                cards.append(
                    PaymentMethod(
                        user=user,
                        stripe_payment_method_id=f"pm_demo_{user.pk}_{number}",
                        brand=self.rng.choice(catalog.CARD_BRANDS),
                        last4=f"{self.rng.randint(0, 9999):04d}",
                        exp_month=self.rng.randint(1, 12),
                        exp_year=self.now.year + self.rng.randint(1, 5),
                        is_default=number == 0,
                    )
                )
        PaymentMethod.objects.bulk_create(cards, batch_size=BATCH_SIZE)
        self.report.counts["payment methods"] += len(cards)

    # --- Listings -------------------------------------------------------------------------------------------------

    def _listings(self, per_city: list[int]) -> None:
        rng = self.rng
        plan: list[tuple[DemoCity, ZipCentroid, User]] = []
        for city, count in zip(self.cities, per_city, strict=True):
            zips = list(city.zips)
            rng.shuffle(zips)
            hosts = self.hosts[city.label]
            plan += [(city, zips[index % len(zips)], hosts[index % len(hosts)]) for index in range(count)]

        rule_count = 0
        created: dict[int, datetime] = {}
        today = self.now.date()
        for city, centroid, host in self._progress(plan, "Listings", "listing"):
            landmark = rng.choice(city.profile.landmarks)
            fields = self._listing_fields(city, centroid, landmark)
            longitude, latitude = jitter(centroid, rng, max_distance_m=JITTER_M)
            listing = create_listing(host=host, location=Point(longitude, latitude, srid=4326), **fields)
            self.listings.append(listing)
            self.landmark[listing.pk] = landmark
            self.quality[listing.pk] = rng.uniform(3.4, 5.0)
            created[listing.pk] = self.now - timedelta(days=rng.uniform(HISTORY_DAYS + 20, 380))
            rules = self.rules[listing.pk]
            if listing.available_start_time != time(0) and rng.random() < 0.4:
                # Commuter spaces: closed at weekends (the owner is home), open weekdays within operating hours.
                self.weekday_only.add(listing.pk)
                rules.append(
                    create_rule(
                        listing=listing,
                        actor=host,
                        rule_type=AvailabilityRule.RuleType.WEEKLY,
                        start_date=today - timedelta(days=400),
                        start_time=time(0, 0),
                        end_time=time(23, 59),
                        days_of_week=[5, 6],
                        is_available=False,
                    )
                )
            if rng.random() < 0.04:
                closed_from = today + timedelta(days=rng.randint(3, FUTURE_DAYS - 5))
                rules.append(
                    create_rule(
                        listing=listing,
                        actor=host,
                        rule_type=AvailabilityRule.RuleType.DATE_RANGE,
                        start_date=closed_from,
                        end_date=closed_from + timedelta(days=rng.randint(1, 3)),
                        start_time=time(0, 0),
                        end_time=time(23, 59),
                        is_available=False,
                    )
                )
            rule_count += len(rules)
        backdate(Listing, "created_at", created)
        self.report.counts["listings"] += len(self.listings)
        self.report.counts["listing spaces"] += sum(listing.spaces_available for listing in self.listings)
        self.report.counts["availability rules"] += rule_count

    def _listing_fields(self, city: DemoCity, centroid: ZipCentroid, landmark: str) -> dict:
        rng = self.rng
        weights = [weight for _, weight, _, _ in catalog.SPOT_TYPES]
        spot_type, _, (fewest, most), titles = rng.choices(catalog.SPOT_TYPES, weights=weights)[0]
        # Homes and small garages have one space (now and then two or three); lots and valets have many.
        is_small = most <= 3
        spaces = rng.randint(fewest, most) if not is_small or rng.random() < 0.2 else 1
        typical = catalog.TYPICAL_FEATURES[spot_type]
        features = [feature for index, feature in enumerate(typical) if rng.random() < (0.9 if index == 0 else 0.4)]
        is_commercial = spot_type in ("LOT", "VALET", "COVERED")
        has_hours = rng.random() < (0.45 if is_commercial else 0.12)
        factor = city.profile.price_factor
        daily = whole_dollars(rng.uniform(12, 45) * factor)
        hourly = to_money(Decimal(math.floor(rng.uniform(2, 8) * factor * 2 + 0.5)) / 2)
        has_hourly = not (spot_type in ("DRIVEWAY", "GARAGE") and rng.random() < 0.1)
        size = rng.choice(catalog.TYPICAL_SIZES[spot_type])
        size_label = Listing.VehicleSize(size).label
        minutes_walk = rng.choice((2, 3, 5, 5, 8, 10, 12))

        phrases = [catalog.FEATURE_PHRASES[feature] for feature in features]
        description = [catalog.DESCRIPTION_OPENINGS[spot_type]]
        if phrases:
            description.append("The space is " + ", ".join(phrases) + ".")
        description.append(f"About a {minutes_walk}-minute walk to {landmark}; fits vehicles up to a {size_label}.")
        description.append(
            "Open 6 AM to 10 PM." if has_hours else "Available around the clock, including overnight stays."
        )
        width = Decimal(rng.choice(("8.5", "9.0", "9.5", "10.0")))
        return {
            "title": rng.choice(titles).format(near=landmark),
            "description": " ".join(description),
            "spot_type": spot_type,
            "address": f"{rng.randint(100, 9899)} {rng.choice(catalog.STREETS)}",
            "city": city.name,
            "state": city.state,
            "zip_code": centroid.zip_code,
            "price_per_hour": hourly if has_hourly else None,
            "price_per_day": daily,
            "price_per_week": whole_dollars(float(daily) * rng.uniform(4.6, 5.4)),
            "price_per_month": whole_dollars(float(daily) * rng.uniform(14, 16)),
            "max_vehicle_size": size,
            "spaces_available": spaces,
            "width": width,
            "length": Decimal(rng.choice(("16.0", "17.5", "18.0", "19.0", "20.0"))),
            "height_clearance": Decimal(rng.choice(("6.5", "7.0", "7.5", "8.0")))
            if spot_type in ("GARAGE", "COVERED", "VALET")
            else None,
            "features": features,
            "access_instructions": catalog.ACCESS_INSTRUCTIONS[spot_type],
            "gate_code": f"{rng.randint(1000, 9999)}#" if "gated" in features else "",
            "is_active": rng.random() < 0.97,
            "instant_booking": rng.random() < (0.95 if is_commercial else 0.7),
            "minimum_hours": rng.choices((1, 2, 3), weights=(85, 10, 5))[0],
            "maximum_days": rng.choices((30, 7), weights=(85, 15))[0],
            "cancellation_policy": rng.choices(
                (
                    Listing.CancellationPolicy.FLEXIBLE,
                    Listing.CancellationPolicy.MODERATE,
                    Listing.CancellationPolicy.STRICT,
                ),
                weights=(35, 45, 20),
            )[0],
            "available_start_time": OPENS if has_hours else time(0, 0),
            "available_end_time": CLOSES if has_hours else time(23, 59),
        }
