"""The load benchmarks (bench/scenario_booking.py, scenario_booking_cpu.py, scenario_http.py, scenario_replica.py):
bad arguments and an empty database answer clearly; a tiny booking run through gunicorn and a Celery worker books
without overlaps and notifies; a tiny in-process run prints what a booking costs."""

import argparse
import re

import pytest

from bench import scenario_booking, scenario_booking_cpu, scenario_http, scenario_replica


def parsed(module, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize(
    ("module", "argv", "message"),
    [
        (scenario_booking, ["--clients", "0"], "--clients must be at least 1"),
        (scenario_booking, ["--duration", "0"], "--duration must be more than 0 seconds"),
        (scenario_booking, ["--celery-concurrency", "-1"], "--celery-concurrency must be 0 (no worker) or more"),
        (scenario_booking_cpu, ["--bookings", "0"], "--bookings must be at least 1"),
        (scenario_http, ["--users", "0"], "--users must be at least 1"),
        (scenario_replica, ["--writes", "0"], "--writes must be at least 1"),
    ],
)
def test_bad_arguments_say_what_is_wrong(module, argv, message, capsys):
    assert module.run(parsed(module, *argv)) == 2
    assert message in capsys.readouterr().err


@pytest.mark.django_db
def test_the_http_mix_on_an_empty_database_says_to_seed_first(capsys):
    assert scenario_http.run(parsed(scenario_http, "--duration", "1")) == 1
    assert "the database is empty: run seed_bench first" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_tiny_booking_run_through_gunicorn_books_without_overlaps(capsys):
    args = parsed(
        scenario_booking,
        *["--clients", "3", "--duration", "2", "--listings", "1", "--spaces", "1", "--days", "1"],
        "--workers=1",
    )
    assert scenario_booking.run(args) == 0
    out = capsys.readouterr().out
    assert "overlapping active bookings of one space (SQL tstzrange && self-join): 0" in out
    assert "bookings (201)" in out
    # The notifications moved out of the request were written and delivered by the run's own Celery worker.
    assert re.search(r"notifications +\d+ +written by the worker, 0 undelivered", out), out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_tiny_in_process_booking_run_prints_the_cpu_and_statements_of_a_booking(capsys):
    assert scenario_booking_cpu.run(parsed(scenario_booking_cpu, "--bookings", "5")) == 0
    out = capsys.readouterr().out
    assert re.search(r"answers +\{'201': \d+", out), out
    assert re.search(r"process CPU \d+\.\d+ ms  PostgreSQL backend CPU \d+\.\d+ ms  wall \d+\.\d+ ms", out), out
    statements = float(re.search(r"SQL statements +([\d.]+) a booking", out).group(1))
    assert 5 <= statements <= 30, out
