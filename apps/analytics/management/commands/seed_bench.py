"""`manage.py seed_bench`: load benchmark data at scale with COPY (built by `apps.analytics.bench_seed`)."""

import resource
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

MAX_LISTINGS = 5_000_000
MAX_BOOKINGS = 50_000_000


def _count(value: object, *, option: str, minimum: int, maximum: int) -> int:
    try:
        if isinstance(value, bool | float):
            raise ValueError
        number = int(str(value).replace("_", "").strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number, got {value!r}.") from None
    if not minimum <= number <= maximum:
        raise CommandError(f"{option} must be between {minimum:,} and {maximum:,}, got {number:,}.")
    return number


class _NoBar:
    def update(self, n: int) -> None:
        """Progress is not shown."""

    def close(self) -> None:
        """Nothing to close."""


SETTLED_TABLES = ("users", "listings", "listing_spaces", "availability_rules", "bookings")


def settle_statements(*, in_transaction: bool) -> list[str]:
    """VACUUM (ANALYZE) each loaded table, as autovacuum would soon after such a load, so that the benchmarks measure
    the steady state: without a visibility map an index-only scan (the window search's free-space probes) still
    visits the heap for every row it finds (a dense 5 km window search: 1,306 heap fetches, 36 ms against 28 ms
    after VACUUM). VACUUM cannot run inside a transaction (a test's): there, ANALYZE alone."""
    if in_transaction:
        return [f"ANALYZE {table}" for table in SETTLED_TABLES]
    # The load updates about half the listings after copying them (Loader._search_marks): VACUUM (FULL) rewrites the
    # table without their dead versions (0.7 GB instead of 1.3 at 1M listings), then VACUUM sets the visibility map,
    # which a full vacuum leaves empty.
    return ["VACUUM (FULL) listings", *(f"VACUUM (ANALYZE) {table}" for table in SETTLED_TABLES)]


class Command(BaseCommand):
    help = (
        "Load benchmark data with PostgreSQL COPY: hosts and guests, listings at real US ZIP-code centroids weighted "
        "toward cities, one space per parking space, weekend price rules, and non-overlapping bookings over the past "
        "six and the next three months (some cancelled), then VACUUM (ANALYZE). Refuses a database with users or "
        "listings unless --reset, which first empties every table that refers to users or listings (TRUNCATE ... "
        "CASCADE). "
        "Connect as the tables' owner (a superuser), not the application role."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--listings", default=20_000, metavar="N", help="Listings to create (default 20,000).")
        parser.add_argument(
            "--bookings", default=None, metavar="M", help="Bookings to create (default five per listing)."
        )
        parser.add_argument("--seed", default=1, metavar="S", help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--reset", action="store_true", help="Empty users, listings and everything referring to them first."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database has users or listings already (for make bench).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bars.")

    def handle(self, *args, **options) -> None:
        from django.contrib.auth.hashers import make_password

        from apps.analytics.bench_seed import BENCH_PASSWORD, CHECKED_TABLES, RESET_TABLES, Loader

        listings = _count(options["listings"], option="--listings", minimum=1, maximum=MAX_LISTINGS)
        default_bookings = listings * 5
        bookings = _count(
            default_bookings if options["bookings"] is None else options["bookings"],
            option="--bookings",
            minimum=0,
            maximum=MAX_BOOKINGS,
        )
        seed = _count(options["seed"], option="--seed", minimum=0, maximum=2**32 - 1)

        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                raise CommandError(
                    "seed_bench needs a superuser connection (the tables' owner, e.g. postgres in DATABASE_URL): it "
                    "drops and rebuilds indexes and skips foreign-key triggers during the load."
                )
            filled = []
            for table in CHECKED_TABLES:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 (fixed table names)
                if cursor.fetchone()[0]:
                    filled.append(table)
        if filled and options["if_empty"] and not options["reset"]:
            self.stdout.write(f"The database has data ({', '.join(filled)}); --if-empty: nothing loaded.")
            return
        if filled and not options["reset"]:
            raise CommandError(
                f"The database is not empty ({', '.join(filled)} have rows). Use --reset to empty it first "
                "(this deletes every user, listing and booking), or point DATABASE_URL at an empty database."
            )

        progress = self._progress_factory(options["no_progress"])
        started = time.monotonic()
        with transaction.atomic():
            if options["reset"]:
                with connection.cursor() as cursor:
                    cursor.execute(f"TRUNCATE {', '.join(RESET_TABLES)} RESTART IDENTITY CASCADE")
                self.stdout.write("Emptied users, listings and every table referring to them (--reset).")
            connection.ensure_connection()
            loader = Loader(connection.connection, listings=listings, bookings=bookings, seed=seed, progress=progress)
            report = loader.run(make_password(BENCH_PASSWORD), log=self.stdout.write)
        loaded = time.monotonic() - started

        analyze_started = time.monotonic()
        with connection.cursor() as cursor:
            for statement in settle_statements(in_transaction=connection.in_atomic_block):
                self.stdout.write(f"{statement} ...")
                cursor.execute(statement)
        report.seconds["vacuum"] = time.monotonic() - analyze_started
        elapsed = time.monotonic() - started

        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(self.style.SUCCESS(f"Benchmark data loaded in {elapsed:.1f} s (seed {seed})."))
        self.stdout.write(f"\n  {'table':<20} {'rows':>12} {'seconds':>9} {'rows/s':>10}")
        for table, count in report.counts.items():
            seconds = report.seconds.get(table, 0.0)
            rate = count / seconds if seconds else 0.0
            self.stdout.write(f"  {table:<20} {count:>12,} {seconds:>9.1f} {rate:>10,.0f}")
        for step in ("search marks", "rebuild indexes", "vacuum"):  # after the load: VACUUM (FULL), VACUUM (ANALYZE)
            self.stdout.write(f"  {step:<20} {'':>12} {report.seconds.get(step, 0.0):>9.1f}")
        self.stdout.write(f"  {'load (one transaction)':<33} {loaded:>9.1f}")
        self.stdout.write(f"  {'peak memory of this process':<33} {peak_mib:>8.0f} MiB")
        self.stdout.write(f"\nAccounts host<n>@bench.example.com and guest<n>@bench.example.com: {BENCH_PASSWORD}.")

    def _progress_factory(self, hidden: bool):
        if hidden:
            return lambda table, total: _NoBar()
        from tqdm import tqdm

        return lambda table, total: tqdm(total=total, desc=f"{table:<18}", unit=" rows", unit_scale=True)
