"""scripts/grader_throughput.py (make grader-throughput) end to end on a small batch: it starts
its own Redis and workers (1, 2 free, 2 bound), runs real jobs through each set-up and prints
their figures and ratios, and leaves no worker behind."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.redis_fixtures import ROOT


def test_the_benchmark_prints_each_set_up_s_rate_and_the_ratios():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the benchmark binds two workers to a CPU each: it needs two")
    printed = subprocess.run(
        [sys.executable, "-m", "scripts.grader_throughput", "--jobs", "4", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert printed.returncode == 0, printed.stderr[-2000:]
    [row] = [line for line in printed.stdout.splitlines() if line.lstrip().startswith("1 ")]
    rates = [float(rate) for rate in re.findall(r"(\d+\.\d) \(\s*\d+%\)", row)]
    assert len(rates) == 3 and all(rate > 0 for rate in rates), row
    assert "2 workers / 1 worker: " in printed.stdout
    assert "2 bound / 1 worker: " in printed.stdout
    assert not benchmark_workers()


def benchmark_workers() -> list[int]:
    """The processes started with one of the benchmark's queues in their environment."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            environment = open(f"/proc/{entry}/environ", "rb").read().split(b"\0")
        except (OSError, ValueError):
            continue  # not a process, gone, or not ours to read
        if any(variable.startswith(b"GRADER_QUEUE=bench-") for variable in environment):
            found.append(int(entry))
    return found
