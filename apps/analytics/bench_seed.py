"""Benchmark data at scale, loaded with PostgreSQL COPY (used by `manage.py seed_bench`).

Rows are made in chunks with numpy (vectorised random draws and timestamp formatting) and streamed into
`COPY ... FROM STDIN` through psycopg 3, so memory stays flat whatever the size: the per-listing and per-space arrays
the bookings need (a few bytes each) are the only things kept for the whole run.

- Listings sit at real US ZIP-code centroids (the `zipcodes` package), jittered by about a kilometre. A ZIP is drawn
  with a weight equal to the number of ZIPs of its city, a population proxy: a city with k ZIPs gets k² of the
  weight, so the big metros are dense and small towns sparse, as in the product.
- Each listing has one `ListingSpace` per space (most one, parking lots many); bookings reference a space and never
  overlap on it (each space's months are cut into slots and a booking lies inside its slot), so the exclusion
  constraint holds. Bookings span six months back and three ahead; past ones are mostly completed, future ones
  confirmed or pending, about 12 % cancelled.
- Hosts own about eight listings each; guests make about twenty bookings each. Every account's password is
  `BENCH_PASSWORD`.

While loading, the plain secondary indexes of `listings` and `bookings` are dropped and rebuilt afterwards from their
own definitions (constraint indexes stay), foreign-key triggers are skipped (`session_replication_role = replica`: the
rows are made consistent here), all in one transaction, so a failure leaves the database as it was. Needs the
tables' owner as a superuser (the `postgres` role of DATABASE_URL), not the application role.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

BENCH_PASSWORD = "bench-password-123"  # noqa: S105 (a documented password of throwaway benchmark accounts)
HOST_EMAIL = "host{}@bench.example.com"
GUEST_EMAIL = "guest{}@bench.example.com"
LISTINGS_PER_HOST = 8
BOOKINGS_PER_GUEST = 20
CHUNK = 20_000
NULL = "\\N"  # COPY text format
PAST_DAYS = 180
FUTURE_DAYS = 90
# The tables a reset empties (CASCADE reaches everything that refers to them).
RESET_TABLES = ("users", "listings")
CHECKED_TABLES = ("users", "listings", "listing_spaces", "bookings")
# Secondary indexes rebuilt after the load instead of maintained row by row.
REBUILT_INDEX_TABLES = ("listings", "bookings", "listing_spaces")

SPOT_TYPES = np.array(["DRIVEWAY", "GARAGE", "LOT", "STREET", "COVERED", "VALET"])
SPOT_WEIGHTS = np.array([0.38, 0.22, 0.14, 0.12, 0.10, 0.04])
SPOT_NAMES = {
    "DRIVEWAY": "driveway",
    "GARAGE": "garage",
    "LOT": "parking lot",
    "STREET": "street spot",
    "COVERED": "covered spot",
    "VALET": "valet parking",
}
SIZES = np.array(["MOTORCYCLE", "COMPACT", "SEDAN", "SUV", "OVERSIZED"])
SIZE_WEIGHTS = np.array([0.03, 0.17, 0.45, 0.30, 0.05])
POLICIES = np.array(["FLEXIBLE", "MODERATE", "STRICT"])
FEATURES = ("covered", "gated", "security_camera", "well_lit", "ev_charging", "handicap_accessible", "attendant")
FEATURE_ODDS = np.array([0.35, 0.25, 0.30, 0.55, 0.10, 0.08, 0.04])
NEAR = (
    "downtown",
    "the stadium",
    "the airport",
    "the university",
    "the hospital",
    "the beach",
    "the convention center",
    "the train station",
    "the ballpark",
    "the concert hall",
    "the courthouse",
    "the farmers market",
)
ADJECTIVES = ("Quiet", "Secure", "Spacious", "Handy", "Cheap", "Easy", "Private", "Wide", "Bright", "Central")
STREETS = ("Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Lake", "Hill", "Park", "Washington", "2nd", "3rd")
MAKES = (("Toyota", "Camry"), ("Honda", "Civic"), ("Ford", "F-150"), ("Tesla", "Model 3"), ("Subaru", "Outback"))
COLORS = ("Black", "White", "Silver", "Blue", "Red", "Grey")
# Operating hours: most listings always open, some daytime, some weekdays only.
HOURS = (
    ("00:00", "23:59", "{0,1,2,3,4,5,6}"),
    ("06:00", "22:00", "{0,1,2,3,4,5,6}"),
    ("07:00", "19:00", "{0,1,2,3,4}"),
)
HOURS_WEIGHTS = np.array([0.75, 0.17, 0.08])


@dataclass
class Zips:
    codes: list[str]
    cities: list[str]
    states: list[str]
    zones: list[str]
    lat: np.ndarray
    lng: np.ndarray
    weight: np.ndarray


def load_zips() -> Zips:
    """Active standard US ZIP codes with a centroid and a time zone, weighted by the ZIP count of their city."""
    import zipcodes

    rows = [
        row
        for row in zipcodes.list_all()
        if row.get("active") and row.get("zip_code_type") == "STANDARD" and row.get("timezone") and row.get("lat")
    ]
    per_city: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["city"], row["state"])
        per_city[key] = per_city.get(key, 0) + 1
    weight = np.array([per_city[(row["city"], row["state"])] for row in rows], dtype=float)
    return Zips(
        codes=[row["zip_code"] for row in rows],
        cities=[row["city"] for row in rows],
        states=[row["state"] for row in rows],
        zones=[row["timezone"] for row in rows],
        lat=np.array([float(row["lat"]) for row in rows]),
        lng=np.array([float(row["long"]) for row in rows]),
        weight=weight / weight.sum(),
    )


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _cents(values: np.ndarray) -> list[str]:
    return [f"{value / 100:.2f}" for value in values.tolist()]


def _stamps(seconds: np.ndarray) -> np.ndarray:
    """Unix seconds as ISO timestamps in UTC that PostgreSQL reads."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s", timezone="UTC")


class Loader:
    """Makes the rows and streams them into COPY. `progress(table, total)` returns an object with update(n)."""

    def __init__(self, raw_connection, *, listings: int, bookings: int, seed: int, progress: Callable) -> None:
        self.raw = raw_connection
        self.n_listings = listings
        self.n_bookings = bookings
        self.n_hosts = max(1, -(-listings // LISTINGS_PER_HOST))
        self.n_guests = max(1, -(-bookings // BOOKINGS_PER_GUEST)) if bookings else 1
        self.rng = np.random.default_rng(seed)
        self.progress = progress
        self.now = int(time.time()) // 3600 * 3600
        self.report = Report()
        # Kept for the bookings: per listing (index = id - 1).
        self.listing_hourly = np.zeros(listings, dtype=np.int64)  # cents, 0 = no hourly price
        self.listing_daily = np.zeros(listings, dtype=np.int64)
        self.listing_policy = np.zeros(listings, dtype=np.int8)
        self.space_listing = np.zeros(0, dtype=np.int64)

    # --- plumbing ------------------------------------------------------------------------------------------------

    def _copy(self, table: str, columns: tuple[str, ...], chunks: Iterator[tuple[int, str]], total: int) -> int:
        started = time.monotonic()
        bar = self.progress(table, total)
        written = 0
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            for rows, text in chunks:
                copy.write(text)
                written += rows
                bar.update(rows)
        bar.close()
        self.report.counts[table] = self.report.counts.get(table, 0) + written
        self.report.seconds[table] = self.report.seconds.get(table, 0.0) + time.monotonic() - started
        return written

    def _execute(self, sql: str, params=None):
        with self.raw.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def secondary_indexes(self) -> list[tuple[str, str]]:
        """(name, definition) of the indexes of the loaded tables that no constraint owns."""
        return [
            (name, definition)
            for name, definition in self._execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
                ORDER BY i.relname
                """,
                [list(REBUILT_INDEX_TABLES)],
            )
        ]

    # --- rows ----------------------------------------------------------------------------------------------------

    USER_COLUMNS = (
        "id",
        "password",
        "is_superuser",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "date_joined",
        "email",
        "phone_number",
        "user_type",
        "profile_picture",
        "bio",
        "is_email_verified",
        "is_phone_verified",
        "is_identity_verified",
        "driver_license_number",
        "driver_license_state",
        "default_address",
        "stripe_customer_id",
        "stripe_account_id",
        "preferred_notification_method",
        "rating_count",
        "created_at",
        "updated_at",
        "is_deleted",
    )

    def _user_chunks(self, password_hash: str) -> Iterator[tuple[int, str]]:
        joined = _stamps(np.array([self.now - 400 * 86400]))[0]
        total = self.n_hosts + self.n_guests
        for first in range(0, total, CHUNK):
            out = io.StringIO()
            for index in range(first, min(first + CHUNK, total)):
                if index < self.n_hosts:
                    email, kind, name = HOST_EMAIL.format(index + 1), "HOST", "Host"
                else:
                    email, kind, name = GUEST_EMAIL.format(index - self.n_hosts + 1), "SEEKER", "Guest"
                out.write(
                    f"{index + 1}\t{password_hash}\tf\t{name}\t{index + 1}\tf\tt\t{joined}\t{email}\t\t{kind}\t\t\tt\tf"
                    f"\tf\t\t\t\t\t\temail\t0\t{joined}\t{joined}\tf\n"
                )
            yield min(CHUNK, total - first), out.getvalue()

    LISTING_COLUMNS = (
        "id",
        "is_deleted",
        "title",
        "description",
        "spot_type",
        "address",
        "city",
        "state",
        "zip_code",
        "location",
        "time_zone",
        "currency",
        "price_per_hour",
        "price_per_day",
        "price_per_week",
        "price_per_month",
        "max_vehicle_size",
        "spaces_available",
        "features",
        "access_instructions",
        "gate_code",
        "is_active",
        "instant_booking",
        "minimum_hours",
        "maximum_days",
        "cancellation_policy",
        "available_start_time",
        "available_end_time",
        "available_days",
        "rating_average",
        "rating_count",
        "created_at",
        "updated_at",
        "host_id",
    )
    SPACE_COLUMNS = ("id", "label", "is_active", "created_at", "listing_id")
    RULE_COLUMNS = (
        "id",
        "rule_type",
        "start_date",
        "end_date",
        "start_time",
        "end_time",
        "days_of_week",
        "is_available",
        "max_bookings",
        "price_override",
        "created_at",
        "listing_id",
    )

    def _listing_chunks(self, zips: Zips, spaces_out: list[np.ndarray], rules_out: list[str]) -> Iterator:
        rng = self.rng
        feature_names = np.array(FEATURES)
        for first in range(0, self.n_listings, CHUNK):
            n = min(CHUNK, self.n_listings - first)
            ids = np.arange(first + 1, first + n + 1)
            where = rng.choice(len(zips.codes), size=n, p=zips.weight)
            lat = zips.lat[where] + rng.normal(0, 0.009, n)
            lng = zips.lng[where] + rng.normal(0, 0.009, n) / np.cos(np.radians(zips.lat[where]))
            spot = rng.choice(len(SPOT_TYPES), size=n, p=SPOT_WEIGHTS)
            spaces = np.where(SPOT_TYPES[spot] == "LOT", rng.integers(3, 13, n), rng.choice([1, 1, 1, 1, 1, 2, 3], n))
            daily = np.maximum(np.round(rng.lognormal(np.log(2500), 0.45, n) / 50) * 50, 500).astype(np.int64)
            hourly = np.where(rng.random(n) < 0.85, np.maximum(daily // 6 // 25 * 25, 100), 0)
            weekly = np.where(rng.random(n) < 0.5, daily * 5, 0)
            monthly = np.where(rng.random(n) < 0.3, daily * 18, 0)
            size = rng.choice(len(SIZES), size=n, p=SIZE_WEIGHTS)
            policy = rng.integers(0, 3, n)
            hours = rng.choice(len(HOURS), size=n, p=HOURS_WEIGHTS)
            has_feature = rng.random((n, len(FEATURES))) < FEATURE_ODDS
            rated = rng.random(n) < 0.6
            rating = np.round(rng.uniform(3.2, 5.0, n), 2)
            rating_count = np.where(rated, rng.integers(1, 60, n), 0)
            instant = rng.random(n) < 0.7
            min_hours = rng.choice([1, 1, 1, 2, 3], n)
            host = (ids - 1) // LISTINGS_PER_HOST + 1
            created = _stamps(self.now - rng.integers(200 * 86400, 900 * 86400, n))
            adjective = rng.integers(0, len(ADJECTIVES), n)
            near = rng.integers(0, len(NEAR), (n, 2))
            number = rng.integers(1, 9999, n)
            street = rng.integers(0, len(STREETS), n)

            first_index = first
            self.listing_daily[first_index : first_index + n] = daily
            self.listing_hourly[first_index : first_index + n] = hourly
            self.listing_policy[first_index : first_index + n] = policy
            spaces_out.append(np.repeat(ids, spaces))

            out = io.StringIO()
            columns = zip(
                ids.tolist(),
                where.tolist(),
                lat.tolist(),
                lng.tolist(),
                SPOT_TYPES[spot].tolist(),
                spaces.tolist(),
                _cents(daily),
                hourly.tolist(),
                weekly.tolist(),
                monthly.tolist(),
                SIZES[size].tolist(),
                POLICIES[policy].tolist(),
                hours.tolist(),
                has_feature.tolist(),
                rated.tolist(),
                rating.tolist(),
                rating_count.tolist(),
                instant.tolist(),
                min_hours.tolist(),
                host.tolist(),
                created.tolist(),
                adjective.tolist(),
                near.tolist(),
                number.tolist(),
                street.tolist(),
                strict=True,
            )
            for (
                pk,
                z,
                y,
                x,
                spot_type,
                n_spaces,
                day_price,
                hour_c,
                week_c,
                month_c,
                vehicle,
                cancel,
                hours_i,
                feats,
                is_rated,
                avg,
                count,
                is_instant,
                minimum,
                host_id,
                stamp,
                adj,
                (near_a, near_b),
                num,
                st,
            ) in columns:
                city = zips.cities[z]
                kind = SPOT_NAMES[spot_type]
                start, end, days = HOURS[hours_i]
                features = ",".join(name for name, has in zip(feature_names.tolist(), feats, strict=True) if has)
                out.write(
                    f"{pk}\tf\t{ADJECTIVES[adj]} {kind} near {NEAR[near_a]}\t"
                    f"{ADJECTIVES[adj]} {kind} in {city}, a short walk from {NEAR[near_a]} and {NEAR[near_b]}.\t"
                    f"{spot_type}\t{num} {STREETS[st]} St\t{city}\t{zips.states[z]}\t{zips.codes[z]}\t"
                    f"SRID=4326;POINT({x:.6f} {y:.6f})\t{zips.zones[z]}\tUSD\t"
                    f"{f'{hour_c / 100:.2f}' if hour_c else NULL}\t{day_price}\t"
                    f"{f'{week_c / 100:.2f}' if week_c else NULL}\t{f'{month_c / 100:.2f}' if month_c else NULL}\t"
                    f"{vehicle}\t{n_spaces}\t{{{features}}}\t\t\tt\t{'t' if is_instant else 'f'}\t{minimum}\t30\t"
                    f"{cancel}\t{start}\t{end}\t{days}\t{f'{avg:.2f}' if is_rated else NULL}\t{count}\t"
                    f"{stamp}\t{stamp}\t{host_id}\n"
                )
                if pk % 10 == 0:  # a tenth of the listings price their weekends differently
                    rules_out.append(
                        f"\tweekly\t2025-01-01\t\\N\t08:00\t20:00\t{{5,6}}\tt\t1\t"
                        f"{f'{max(hour_c, 100) * 1.25 / 100:.2f}'}\t{stamp}\t{pk}\n"
                    )
            yield n, out.getvalue()

    def _space_chunks(self) -> Iterator[tuple[int, str]]:
        created = _stamps(np.array([self.now - 200 * 86400]))[0]
        listing_of = self.space_listing
        previous = np.concatenate(([0], listing_of[:-1]))
        starts = np.flatnonzero(listing_of != previous)
        label = np.arange(len(listing_of)) - np.repeat(starts, np.diff(np.append(starts, len(listing_of))))
        for first in range(0, len(listing_of), CHUNK * 2):
            last = min(first + CHUNK * 2, len(listing_of))
            out = io.StringIO()
            for index, listing_id, number in zip(
                range(first + 1, last + 1),
                listing_of[first:last].tolist(),
                (label[first:last] + 1).tolist(),
                strict=True,
            ):
                out.write(f"{index}\t{number}\tt\t{created}\t{listing_id}\n")
            yield last - first, out.getvalue()

    BOOKING_COLUMNS = (
        "id",
        "booking_code",
        "start_datetime",
        "end_datetime",
        "duration_hours",
        "vehicle_make",
        "vehicle_model",
        "vehicle_color",
        "vehicle_license_plate",
        "vehicle_state",
        "currency",
        "price_per_hour",
        "price_per_day",
        "subtotal",
        "service_fee",
        "host_fee",
        "host_payout",
        "total_amount",
        "price_breakdown",
        "cancellation_policy",
        "status",
        "check_in_photo",
        "check_out_photo",
        "cancelled_at",
        "cancellation_reason",
        "payment_intent_id",
        "payment_status",
        "refund_amount",
        "guest_notes",
        "host_notes",
        "metadata",
        "created_at",
        "updated_at",
        "cancelled_by_id",
        "guest_id",
        "listing_id",
        "space_id",
    )

    def _booking_chunks(self) -> Iterator[tuple[int, str]]:
        """Each space gets a share of the bookings; its months are cut into that many slots, one booking per slot."""
        rng = self.rng
        n_spaces = len(self.space_listing)
        per_space = rng.multinomial(self.n_bookings, np.full(n_spaces, 1 / n_spaces)) if n_spaces else []
        window_start = self.now - PAST_DAYS * 86400
        window = (PAST_DAYS + FUTURE_DAYS) * 86400
        next_id = 1
        space_step = CHUNK // 2
        for first in range(0, n_spaces, space_step):
            counts = per_space[first : first + space_step]
            n = int(counts.sum())
            if not n:
                continue
            space = np.repeat(np.arange(first, first + len(counts)), counts)  # index = space id - 1
            k = np.repeat(counts, counts)
            slot_index = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
            slot = window // k
            hours = np.minimum(rng.choice([1, 2, 2, 3, 4, 8, 10, 24, 48, 72, 168], n), np.maximum(slot // 3600 - 1, 1))
            free = np.maximum(slot - hours * 3600, 0)
            start = window_start + slot * slot_index + (rng.random(n) * free).astype(np.int64) // 900 * 900
            end = start + hours * 3600
            listing_index = self.space_listing[space] - 1
            hourly = self.listing_hourly[listing_index]
            daily = self.listing_daily[listing_index]
            by_day = -(-hours // 24) * daily
            subtotal = np.where(hourly > 0, np.minimum(hours * hourly, by_day), by_day)
            fee = subtotal // 10
            host_fee = subtotal * 3 // 100
            cancelled = rng.random(n) < 0.12
            past = end <= self.now
            current = (start <= self.now) & ~past
            status = np.where(
                cancelled,
                "CANCELLED",
                np.where(
                    past,
                    np.where(rng.random(n) < 0.97, "COMPLETED", "NO_SHOW"),
                    np.where(current, "IN_PROGRESS", np.where(rng.random(n) < 0.9, "CONFIRMED", "PENDING")),
                ),
            )
            payment = np.where(cancelled, "refunded", np.where(status == "PENDING", "authorized", "succeeded")).tolist()
            created_seconds = np.minimum(start - rng.integers(3600, 30 * 86400, n), self.now - 3600)
            created = _stamps(created_seconds).tolist()
            cancelled_at = _stamps(np.minimum(created_seconds + 3600, self.now)).tolist()
            guest = rng.integers(0, self.n_guests, n) + self.n_hosts + 1
            codes = rng.integers(0, 2**63, (n, 2), dtype=np.int64).tolist()
            vehicle = rng.integers(0, len(MAKES), n).tolist()
            color = rng.integers(0, len(COLORS), n).tolist()
            plate = rng.integers(0, 10_000_000, n).tolist()
            policy = POLICIES[self.listing_policy[listing_index]].tolist()
            out = io.StringIO()
            for (
                pk,
                (code_a, code_b),
                begin,
                finish,
                duration,
                make,
                paint,
                plate_no,
                hour_c,
                day_c,
                sub,
                service,
                host_cut,
                cancel_policy,
                state,
                paid,
                made,
                stopped,
                guest_id,
                listing_id,
                space_id,
            ) in zip(
                range(next_id, next_id + n),
                codes,
                _stamps(start).tolist(),
                _stamps(end).tolist(),
                hours.tolist(),
                vehicle,
                color,
                plate,
                hourly.tolist(),
                daily.tolist(),
                subtotal.tolist(),
                fee.tolist(),
                host_fee.tolist(),
                policy,
                status.tolist(),
                payment,
                created,
                cancelled_at,
                guest.tolist(),
                (listing_index + 1).tolist(),
                (space + 1).tolist(),
                strict=True,
            ):
                is_cancelled = state == "CANCELLED"
                out.write(
                    f"{pk}\t{code_a:016x}{code_b:016x}\t{begin}\t{finish}\t{duration}.00\t{MAKES[make][0]}\t"
                    f"{MAKES[make][1]}\t{COLORS[paint]}\tB{plate_no:07d}\tCA\tUSD\t"
                    f"{f'{hour_c / 100:.2f}' if hour_c else NULL}\t{day_c / 100:.2f}\t{sub / 100:.2f}\t"
                    f"{service / 100:.2f}\t{host_cut / 100:.2f}\t{(sub - host_cut) / 100:.2f}\t"
                    f"{(sub + service) / 100:.2f}\t[]\t{cancel_policy}\t{state}\t\t\t"
                    f"{stopped if is_cancelled else NULL}\t{'Plans changed' if is_cancelled else ''}\t\t{paid}\t"
                    f"{f'{(sub + service) / 100:.2f}' if is_cancelled else NULL}\t\t\t{{}}\t{made}\t{made}\t"
                    f"{guest_id if is_cancelled else NULL}\t{guest_id}\t{listing_id}\t{space_id}\n"
                )
            next_id += n
            yield n, out.getvalue()

    # --- the load ------------------------------------------------------------------------------------------------

    def _search_marks(self) -> None:
        """What the triggers of migration listings 0006 keep on each listing for window search, which were off during
        the load: its future active bookings' periods (`booked`; every listing here has an active space, so one
        without such bookings has nothing booked: the listings were loaded with that as the column's default) and
        whether it has rules (`has_calendar_entries`). Set-based: the bookings' indexes are not built yet. The old
        versions of the updated listings are dead once the load commits; `seed_bench` then rewrites the table
        (`settle_statements`)."""
        started = time.monotonic()
        self._execute(
            "UPDATE listings l SET booked = b.booked FROM ("
            " SELECT listing_id, range_agg(tstzrange(start_datetime, end_datetime)) AS booked FROM bookings"
            " WHERE status IN ('PENDING', 'CONFIRMED', 'IN_PROGRESS') AND end_datetime > now() GROUP BY listing_id"
            ") b WHERE b.listing_id = l.id"
        )
        self._execute(
            "UPDATE listings l SET has_calendar_entries = true"
            " WHERE EXISTS (SELECT 1 FROM availability_rules r WHERE r.listing_id = l.id)"
        )
        self.report.seconds["search marks"] = time.monotonic() - started

    def run(self, password_hash: str, *, log: Callable[[str], None]) -> Report:
        zips = load_zips()
        self._execute("SET LOCAL session_replication_role = replica")
        self._execute("SET LOCAL maintenance_work_mem = '256MB'")
        indexes = self.secondary_indexes()
        for name, _ in indexes:
            self._execute(f'DROP INDEX "{name}"')
        log(f"Dropped {len(indexes)} secondary indexes for the load; they are rebuilt at the end.")

        self._copy("users", self.USER_COLUMNS, self._user_chunks(password_hash), self.n_hosts + self.n_guests)
        spaces: list[np.ndarray] = []
        rules: list[str] = []
        self._execute("ALTER TABLE listings ALTER COLUMN booked SET DEFAULT '{}'")  # see _search_marks
        self._copy("listings", self.LISTING_COLUMNS, self._listing_chunks(zips, spaces, rules), self.n_listings)
        self._execute("ALTER TABLE listings ALTER COLUMN booked SET DEFAULT '{(,)}'")
        self.space_listing = np.concatenate(spaces) if spaces else np.zeros(0, dtype=np.int64)
        del spaces
        self._copy("listing_spaces", self.SPACE_COLUMNS, self._space_chunks(), len(self.space_listing))
        rule_rows = [f"{index}{row}" for index, row in enumerate(rules, start=1)]
        rule_chunks = (
            (len(rule_rows[i : i + CHUNK]), "".join(rule_rows[i : i + CHUNK])) for i in range(0, len(rule_rows), CHUNK)
        )
        self._copy("availability_rules", self.RULE_COLUMNS, rule_chunks, len(rule_rows))
        del rules, rule_rows
        self._copy("bookings", self.BOOKING_COLUMNS, self._booking_chunks(), self.n_bookings)
        log("Filling in each listing's booked times and calendar mark for window search ...")
        self._search_marks()

        started = time.monotonic()
        bar = self.progress("indexes", len(indexes))
        for _, definition in indexes:
            self._execute(definition)
            bar.update(1)
        bar.close()
        self.report.seconds["rebuild indexes"] = time.monotonic() - started
        for table in ("users", "listings", "listing_spaces", "availability_rules", "bookings"):
            self._execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"  # noqa: S608
            )
        return self.report
