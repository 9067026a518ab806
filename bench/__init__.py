"""The benchmark kit of issue 9: `python -m bench [scenario ...] [--options]` (see bench/__main__.py).

Each module `bench/scenario_<name>.py` is a scenario: it exposes `add_arguments(parser)` and `run(args) -> int` and
prints its figures. Benchmarks are commands that print numbers, never timed assertions in tests. Results are
recorded in bench/RESULTS.md with the command that produced them.
"""

import math
import os
import platform
import subprocess
from pathlib import Path

EMPTY_DATABASE = "The database is empty: run seed_bench first (python manage.py seed_bench --listings 20000)."


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, math.ceil(fraction * len(sorted_values) - 1e-9) - 1))
    return sorted_values[index]


def machine_description() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cores{memory}, {model or platform.processor()}, Python {platform.python_version()}"


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parent.parent,
        ).stdout.strip()
    except OSError:
        return ""
