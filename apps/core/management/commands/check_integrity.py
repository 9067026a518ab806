"""`manage.py check_integrity`: run the data integrity checks of `apps.core.integrity` and report violations."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.integrity import check_names, run_checks

SHOWN_IDS = 10


class Command(BaseCommand):
    help = (
        "Check the data against the invariants the product relies on (no double booking, money and ledger adding "
        "up, ratings matching reviews, ...). Prints each check with its number of violations and exits non-zero "
        "when any check fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--verbose", action="store_true", help=f"Show up to {SHOWN_IDS} offending ids for each failed check."
        )
        parser.add_argument(
            "--check",
            action="append",
            dest="checks",
            metavar="NAME",
            choices=check_names(),
            help="Run only this check (repeatable). One of: " + ", ".join(check_names()),
        )

    def handle(self, *args, **options) -> None:
        results = run_checks(options["checks"])
        width = max(len(result.check.name) for result in results)
        self.stdout.write(f"{'check':<{width}}  {'violations':>10}  result")
        self.stdout.write(f"{'-' * width}  {'-' * 10}  ------")
        for result in results:
            verdict = self.style.SUCCESS("OK") if result.is_ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{result.check.name:<{width}}  {result.count:>10}  {verdict}")
            if options["verbose"] and not result.is_ok:
                shown = ", ".join(str(offending_id) for offending_id in result.offending_ids[:SHOWN_IDS])
                more = f" and {result.count - SHOWN_IDS} more" if result.count > SHOWN_IDS else ""
                self.stdout.write(f"    {result.check.description}: {shown}{more}")
        failed = [result for result in results if not result.is_ok]
        if failed:
            names = ", ".join(result.check.name for result in failed)
            raise CommandError(f"{len(failed)} of {len(results)} integrity checks failed: {names}.")
        self.stdout.write(self.style.SUCCESS(f"All {len(results)} integrity checks passed."))
