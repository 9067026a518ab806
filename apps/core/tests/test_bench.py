"""The benchmark runner and its search and query-count scenarios: bad arguments, an empty database, a tiny dataset.
Benchmarks print figures; these tests check only that they run and say the right things, never how fast."""

import argparse
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from bench import EMPTY_DATABASE, percentile, scenario_query_counts, scenario_search
from bench.__main__ import discover, main

ROOT = Path(__file__).resolve().parents[3]


def test_the_runner_finds_the_scenarios():
    assert {"search", "query_counts"} <= set(discover())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nowhere"], "error: unknown scenario nowhere; the scenarios are:"),
        (["search", "--bogus"], "error: no selected scenario takes --bogus"),
        (["search", "--repeat", "many"], "argument --repeat: invalid int value: 'many'"),
        (["search", "--repeat", "3", "--clients", "3"], "error: no selected scenario takes --clients 3"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_an_option_value_is_not_mistaken_for_an_unknown_argument(monkeypatch):
    """`--clients 3` (booking) beside `--repeat 3` (search): each scenario leaves the other's option and its value
    over, and the shared "3" must not be reported as an argument nobody takes."""
    ran = {}
    for name, module in discover().items():
        monkeypatch.setattr(module, "run", lambda args, name=name: ran.setdefault(name, args) and 0)
    monkeypatch.setattr("bench.__main__._header", lambda selected: None)
    assert main(["search", "booking", "--repeat", "3", "--clients", "3"]) == 0
    assert (ran["search"].repeat, ran["booking"].clients) == (3, 3)


def test_help_lists_every_scenarios_options(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--page-size" in out
    assert "--conversations" in out


def test_out_of_range_values_are_refused(db, capsys):
    assert scenario_search.run(argparse.Namespace(repeat=0, page_size=20, explain=False, prewarm=False)) == 2
    assert scenario_search.run(argparse.Namespace(repeat=1, page_size=500, explain=False, prewarm=False)) == 2
    assert scenario_query_counts.run(argparse.Namespace(conversations=0)) == 2
    assert "--page-size must be between 1 and 100" in capsys.readouterr().err


def test_an_empty_database_is_named_not_measured(db, capsys):
    assert scenario_search.run(argparse.Namespace(repeat=1, page_size=20, explain=False, prewarm=False)) == 1
    assert scenario_query_counts.run(argparse.Namespace(conversations=3)) == 1
    out = capsys.readouterr().out
    assert out.count(EMPTY_DATABASE) == 2
    assert "p50" not in out


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (50.0, 95.0, 99.0)
    assert percentile([], 0.5) == 0.0


def test_the_paired_ratio_divides_each_request_by_its_own_sql():
    # Pooled, the medians (20 / 3) would belong to different requests; request by request the ratios are 2, 6.7, 1.1.
    assert scenario_search.paired_ratio_median([4.0, 20.0, 21.0], [2.0, 3.0, 19.0]) == 2.0
    assert scenario_search.paired_ratio_median([], []) == 0.0


@pytest.mark.owner_role
def test_the_scenarios_run_on_a_tiny_dataset(db, capsys):
    call_command("seed_bench", "--listings", "400", "--bookings", "2000", "--no-progress", stdout=io.StringIO())
    assert scenario_search.run(argparse.Namespace(repeat=1, page_size=5, explain=True, prewarm=True)) == 0
    assert scenario_query_counts.run(argparse.Namespace(conversations=2)) == 0
    out = capsys.readouterr().out
    assert "radius 5 km dense + window" in out
    assert "overall" in out
    assert re.search(r"API/raw of each request, median: \d+\.\d\d; kinds with API/raw <= 2.0 at p50: \d+ of 10", out)
    assert "Buffers:" in out or "Planning Time" in out
    assert "0 whose query count depends on the page size" in out
    prewarmed = re.search(r"prewarmed (\d+) relations", out)
    assert prewarmed and int(prewarmed.group(1)) > 20, out[:2000]


def test_an_unreachable_database_is_named_not_a_traceback():
    """DATABASE_URL pointing nowhere: the scenarios that measure it stop with a message; the replica scenario, which
    makes its own clusters, still runs (here it stops at its own bad argument, past the header)."""
    env = {**os.environ, "DATABASE_URL": "postgis://postgres@127.0.0.1:1/nowhere", "PYTHONPATH": str(ROOT)}

    def bench(*argv: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "bench", *argv]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)

    measured = bench("query_counts")
    assert measured.returncode == 1
    assert "Traceback" not in measured.stderr
    assert "database: nowhere on 127.0.0.1:1 cannot be reached (connection failed" in measured.stdout
    assert "error: query_counts needs the database that DATABASE_URL names, which cannot be reached" in measured.stderr
    own_clusters = bench("replica", "--writes", "0")
    assert (own_clusters.returncode, own_clusters.stderr.strip()) == (2, "error: --writes must be at least 1")


@pytest.mark.parametrize("autovacuum", ["on", "off"])
def test_the_header_warns_when_autovacuum_is_off(db, autovacuum):
    # Without autovacuum, statistics go stale as runs add rows and later runs measure worse plans.
    from django.db import connection

    from bench.__main__ import _database_line

    def server_says(execute, sql, params, many, context):
        return execute(f"SELECT '{autovacuum}'" if sql == "SHOW autovacuum" else sql, params, many, context)

    with connection.execute_wrapper(server_says):
        line, unreachable = _database_line()
    assert unreachable is None and line.startswith("database: ")
    assert ("warning: autovacuum is off" in line) is (autovacuum == "off")
