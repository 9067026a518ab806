"""scripts/tune-postgres: the seed's PostgreSQL settings scaled to a machine, and applied idempotently to a real
(throwaway) cluster."""

import subprocess
import sys
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import pytest

from apps.core.tests.private_services import ThrowawayPostgres

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "tune-postgres"
GiB = 1024**3


def load_script():
    loader = SourceFileLoader("tune_postgres", str(SCRIPT))
    module = module_from_spec(spec_from_loader("tune_postgres", loader))
    sys.modules["tune_postgres"] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


tune = load_script()


def settings_for(memory_gib: float, cores: int, **options) -> dict[str, str]:
    return {s.name: s.value for s in tune.recommend(memory_bytes=int(memory_gib * GiB), cores=cores, **options)}


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=120)


def test_a_24_gib_two_core_server_gets_a_quarter_of_memory_for_buffers_and_one_parallel_worker_per_query():
    values = settings_for(24, 2)

    assert values["shared_buffers"] == "6GB"
    assert values["effective_cache_size"] == "18GB"
    assert values["work_mem"] == "61MB"  # (24 GiB - 6 GiB) / (100 connections x 3)
    assert values["maintenance_work_mem"] == "1536MB"
    assert values["autovacuum_work_mem"] == "768MB"
    assert values["wal_buffers"] == "16MB"
    assert (values["max_worker_processes"], values["max_parallel_workers"]) == ("8", "2")
    assert values["max_parallel_workers_per_gather"] == values["max_parallel_maintenance_workers"] == "1"
    assert (values["random_page_cost"], values["effective_io_concurrency"]) == ("1.1", "200")
    assert (values["jit"], values["max_connections"], values["autovacuum_max_workers"]) == ("off", "100", "3")
    assert values["autovacuum"] == "on"  # even where a configuration file turned it off (as CI machines do)


def test_a_4_gib_one_core_server_gets_smaller_memory_settings_and_no_parallel_query():
    values = settings_for(4, 1)

    assert (values["shared_buffers"], values["effective_cache_size"]) == ("1GB", "3GB")
    assert (values["work_mem"], values["maintenance_work_mem"]) == ("10MB", "256MB")
    assert values["max_parallel_workers"] == "1"
    assert values["max_parallel_workers_per_gather"] == values["max_parallel_maintenance_workers"] == "0"


def test_the_seeds_8_gib_machine_gets_the_seeds_own_values():
    values = settings_for(8, 4)

    seed = {
        "shared_buffers": "2GB",
        "effective_cache_size": "6GB",
        "maintenance_work_mem": "512MB",
        "checkpoint_completion_target": "0.9",
        "wal_buffers": "16MB",
        "default_statistics_target": "100",
        "random_page_cost": "1.1",
        "effective_io_concurrency": "200",
        "min_wal_size": "1GB",
        "max_wal_size": "4GB",
    }
    assert {name: values[name] for name in seed} == seed


def test_spinning_disks_and_more_connections_change_the_planner_costs_and_work_mem():
    values = settings_for(24, 2, storage="hdd", max_connections=300)

    assert (values["random_page_cost"], values["effective_io_concurrency"]) == ("4", "2")
    assert (values["work_mem"], values["max_connections"]) == ("20MB", "300")


@pytest.mark.parametrize(("memory_gib", "cores"), [(0.5, 1), (1, 1), (2, 2), (16, 8), (64, 16), (256, 64)])
def test_memory_settings_stay_within_the_machine(memory_gib, cores):
    values = settings_for(memory_gib, cores)

    def mb(value: str) -> int:
        return int(value[:-2]) * (1024 if value.endswith("GB") else 1)

    memory_mb = memory_gib * 1024
    assert mb(values["shared_buffers"]) <= memory_mb / 4 < mb(values["effective_cache_size"]) < memory_mb
    assert mb(values["maintenance_work_mem"]) <= 2048 and mb(values["work_mem"]) >= 4
    assert int(values["max_parallel_workers_per_gather"]) <= min(4, cores)


def test_the_dry_run_prints_each_setting_with_its_reason_and_changes_nothing():
    done = run("--dry-run", "--memory", "24GiB", "--cores", "2")

    assert done.returncode == 0, done.stderr
    assert "sizing for 24.0 GiB of memory, 2 core(s), 100 connections, ssd" in done.stdout
    assert any(line.split()[:2] == ["shared_buffers", "6GB"] for line in done.stdout.splitlines())
    assert "dry run: 33 settings, nothing changed" in done.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--memory", "24 bananas"], "argument --memory: '24 bananas' is not a size like 24GiB"),
        (["--memory", "256MiB"], "argument --memory: PostgreSQL needs at least 512MiB"),
        (["--cores", "0"], "argument --cores: '0' is not a whole number of at least 1"),
        (["--max-connections", "5"], "argument --max-connections: from 10 to 10000"),
        (["--storage", "tape"], "argument --storage: invalid choice: 'tape'"),
    ],
)
def test_bad_arguments_are_named_without_a_traceback(arguments, message):
    done = run("--dry-run", *arguments)

    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_applied_to_a_cluster_the_settings_take_effect_after_a_restart_and_a_second_run_changes_nothing():
    cluster = ThrowawayPostgres()
    try:
        cluster.initdb()
        cluster.start()
        sizing = ["--url", cluster.url(), "--memory", "1GiB", "--cores", "2", "--max-connections", "20"]

        first = run(*sizing)
        second = run(*sizing)
        cluster.restart()
        shows = ["shared_buffers", "jit", "max_connections", "shared_preload_libraries"]
        shown = subprocess.run(
            ["psql", "-X", "-tA", "-d", cluster.url(), *(f"--command=SHOW {name}" for name in shows)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    finally:
        cluster.remove()

    assert first.returncode == 0, first.stdout + first.stderr
    assert "33 settings" in first.stdout and "to change" in first.stdout
    assert "restart PostgreSQL to apply:" in first.stdout and "shared_buffers" in first.stdout
    assert second.returncode == 0 and "0 to change, 33 already set" in second.stdout, second.stdout
    assert shown == ["256MB", "off", "20", "pg_stat_statements"]
