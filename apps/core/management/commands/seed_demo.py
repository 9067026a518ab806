"""`manage.py seed_demo`: fill the database with realistic demo data (built by `apps.analytics.demo`)."""

import time

from django.core.management.base import BaseCommand, CommandError

DEFAULT_LISTINGS = 200
MAX_LISTINGS = 50_000


def _whole_number(value: object, *, option: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """`value` as an int, from the command line (a string) or from `call_command` (anything), or a clear error."""
    try:
        if isinstance(value, bool | float):
            raise ValueError
        number = int(str(value).strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise CommandError(f"{option} must be at least {minimum}, got {number}.")
    if maximum is not None and number > maximum:
        raise CommandError(f"{option} must be at most {maximum}, got {number}.")
    return number


class Command(BaseCommand):
    help = (
        "Create realistic demo data: hosts and seekers, listings at real US ZIP-code centroids (no photos), bookings "
        "with their payments and refunds, reviews, conversations, payouts and listing views, in one transaction. "
        "Every demo account's password is 'demo-password-123'; try admin@example.com (staff superuser), "
        "host@example.com and seeker@example.com."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--listings",
            default=DEFAULT_LISTINGS,
            metavar="N",
            help=f"How many listings to create: a whole number from 1 to {MAX_LISTINGS} (default {DEFAULT_LISTINGS}).",
        )
        parser.add_argument(
            "--seed", default=42, metavar="S", help="Random seed; the same seed gives the same data (default 42)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any listing exists (for a first start)."
        )
        parser.add_argument(
            "--cities",
            default=None,
            metavar='"City,ST;City,ST"',
            help='Cities to place listings in, e.g. "Austin,TX;Denver,CO" (default: Austin, Denver, Chicago, '
            "Seattle, New York and San Francisco).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bars.")

    def handle(self, *args, **options) -> None:
        # `core` knows no domain app at import time: the builder lives in `analytics`, the top app, and is loaded here.
        from apps.analytics import demo
        from apps.listings.models import Listing

        listings = _whole_number(options["listings"], option="--listings", minimum=1, maximum=MAX_LISTINGS)
        seed = _whole_number(options["seed"], option="--seed")
        try:
            cities = demo.resolve_cities(options["cities"] or demo.DEFAULT_CITIES)
        except demo.UnknownCity as error:
            raise CommandError(str(error)) from error

        if options["if_empty"] and Listing.objects.exists():
            self.stdout.write("Listings exist already; --if-empty: no demo data created.")
            return

        started = time.monotonic()
        report = demo.build_demo_data(listings=listings, seed=seed, cities=cities, progress=not options["no_progress"])
        elapsed = time.monotonic() - started

        where = "; ".join(city.label for city in cities)
        self.stdout.write(self.style.SUCCESS(f"Demo data created in {elapsed:.1f} s (seed {seed}, cities: {where})."))
        width = max(len(name) for name in report.counts)
        self.stdout.write(f"\n  {'Rows created':<{width}}  {'count':>7}")
        self.stdout.write(f"  {'-' * width}  {'-' * 7}")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>7}")
        self.stdout.write(f"  {'elapsed (s)':<{width}}  {elapsed:>7.1f}")
        self.stdout.write(f"\nDemo logins (password: {demo.DEMO_PASSWORD}):")
        email_width = max(len(email) for email, _ in report.logins)
        for email, role in report.logins:
            self.stdout.write(f"  {email:<{email_width}}  {role}")
