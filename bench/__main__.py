"""`python -m bench [scenario ...] [--options]`: run benchmark scenarios against DATABASE_URL and print their figures.

With no scenario names, every scenario runs. Each scenario's options are accepted (`--help` lists them all); an
option no selected scenario knows, an unknown scenario name or a bad value exits with status 2 and a message. The
exit status is the highest of the scenarios' statuses (1: a scenario could not run, e.g. an empty database).
"""

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

PREFIX = "scenario_"


def discover() -> dict[str, object]:
    """name -> module of every bench/scenario_<name>.py that has add_arguments and run."""
    found = {}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).resolve().parent)]), key=lambda info: info.name):
        if not info.name.startswith(PREFIX):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "add_arguments", None)) and callable(getattr(module, "run", None)):
            found[info.name.removeprefix(PREFIX)] = module
    return found


def _scenario_parser(name: str, module) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=(module.__doc__ or "").split("\n")[0])
    module.add_arguments(parser)
    return parser


def _usage(scenarios: dict[str, object]) -> str:
    lines = [__doc__.strip(), "", "Scenarios and their options:"]
    for name, module in scenarios.items():
        lines.append("")
        lines.append(_scenario_parser(name, module).format_help().strip())
    return "\n".join(lines)


def _database_line() -> tuple[str, str | None]:
    """(the header's database line, None) or, where DATABASE_URL's server cannot be reached, (a line saying so, the
    reason)."""
    from django.db import OperationalError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
            cursor.execute("SELECT current_database(), current_user")
            database, user = cursor.fetchone()
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname IN ('listings', 'bookings') ORDER BY relname"
            )
            estimates = [row[0] for row in cursor.fetchall()]
            cursor.execute("SHOW autovacuum")
            autovacuum = cursor.fetchone()[0]
    except OperationalError as error:
        settings = connection.settings_dict
        where = f"{settings['NAME']} on {settings['HOST'] or 'the local socket'}:{settings['PORT'] or 5432}"
        reason = str(error).strip().splitlines()[0]
        return f"database: {where} cannot be reached ({reason})", reason
    bookings, listings = [*estimates, 0, 0][:2]
    line = (
        f"database: {database} as {user}, PostgreSQL {server}; about {max(listings, 0):,} listings and "
        f"{max(bookings, 0):,} bookings (planner estimates)"
    )
    if autovacuum != "on":
        line += "\nwarning: autovacuum is off: statistics go stale as runs add rows (scripts/tune-postgres turns it on)"
    return line, None


def _header(selected: list[str]) -> str | None:
    """Print what the figures were measured on; return why the database cannot be reached, or None."""
    from bench import git_commit, machine_description

    database, unreachable = _database_line()
    print("=" * 100)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    print(f"bench  {stamp}  commit {git_commit() or '?'}  scenarios: {' '.join(selected)}")
    print(f"machine: {machine_description()} (shared with other work: figures are noisy, compare within one run)")
    print(database)
    print("=" * 100)
    return unreachable


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    scenarios = discover()
    if "-h" in argv or "--help" in argv:
        print(_usage(scenarios))
        return 0
    names = []
    while argv and not argv[0].startswith("-"):
        names.append(argv.pop(0))
    unknown = [name for name in names if name not in scenarios]
    if unknown:
        print(
            f"error: unknown scenario {', '.join(unknown)}; the scenarios are: {', '.join(scenarios)}", file=sys.stderr
        )
        return 2
    selected = names or list(scenarios)

    # What no selected scenario understands is judged against all their options at once: judging each scenario's
    # leftovers apart would mistake a value ("--clients 4" beside "--repeat 4") for an unknown argument.
    combined = argparse.ArgumentParser(add_help=False, conflict_handler="resolve")
    for name in selected:
        scenarios[name].add_arguments(combined)
    try:
        _, not_understood = combined.parse_known_args(argv)
    except SystemExit as error:  # argparse has printed the message
        return int(error.code or 2)
    if not_understood:
        print(
            f"error: no selected scenario takes {' '.join(not_understood)} (python -m bench --help lists the options)",
            file=sys.stderr,
        )
        return 2
    parsed = {}
    for name in selected:
        try:
            parsed[name], _ = _scenario_parser(name, scenarios[name]).parse_known_args(argv)
        except SystemExit as error:  # argparse has printed the message
            return int(error.code or 2)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    unreachable = _header(selected)
    # A scenario that makes its own clusters (replica) says so with NEEDS_DATABASE = False.
    needing = [name for name in selected if getattr(scenarios[name], "NEEDS_DATABASE", True)]
    if unreachable and needing:
        print(
            f"error: {', '.join(needing)} {'needs' if len(needing) == 1 else 'need'} the database that DATABASE_URL "
            f"names, which cannot be reached: "
            f"{unreachable}. Start it (make services) or set DATABASE_URL to a migrated database.",
            file=sys.stderr,
        )
        return 1
    status = 0
    for name in selected:
        print(f"\n--- {name} " + "-" * (95 - len(name)))
        started = time.monotonic()
        status = max(status, int(scenarios[name].run(parsed[name]) or 0))
        print(f"({name}: {time.monotonic() - started:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
