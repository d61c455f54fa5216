"""Shared fixtures of the grader tests: plain CPython as the oracle, and a check that it serves.

The grader's tests do not need Django: nothing here imports it.
"""

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass

import pytest

import grader


@dataclass(frozen=True)
class CPythonRun:
    stdout: str
    exception: str | None
    exception_line: int | None


def run_in_cpython(source: str | bytes, timeout: float = 60) -> CPythonRun:
    """Run the source as a script under the grader's own interpreter, `python -I file.py`."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "snippet.py")
        with open(path, "wb") as file:
            file.write(data)
        completed = subprocess.run(
            [sys.executable, "-I", path], capture_output=True, timeout=timeout, cwd=directory
        )
    stdout = completed.stdout.decode("utf-8", "surrogateescape")
    stderr = completed.stderr.decode("utf-8", "surrogateescape")
    lines = [line for line in stderr.splitlines() if line.strip()]
    # An uncaught exception exits with 1 after a traceback, a SystemExit with its status after
    # its message, if any (the grader reports both as "raised" with that last line: see
    # grader/exits.py); warnings alone leave the exit code at 0.
    if completed.returncode == 0 or not lines:
        return CPythonRun(stdout, None, None)
    numbers = re.findall(rf'File "{re.escape(path)}", line (\d+)', stderr)
    return CPythonRun(stdout, lines[-1], int(numbers[-1]) if numbers else None)


@pytest.fixture(scope="session")
def cpython():
    """`cpython(source)` -> CPythonRun: what plain CPython prints and raises for the source."""
    return run_in_cpython


@pytest.fixture
def assert_grader_serves(cpython):
    """After a limit or a crash, check that the next run behaves normally (as CPython does)."""

    def check() -> None:
        source = "items = [1, 2]\nalias = items\nalias.append(3)\nprint(items, alias is items)\n"
        outcome = grader.run(source)
        expected = cpython(source)
        assert (outcome.status, outcome.stdout, outcome.exception) == (
            "ok",
            expected.stdout,
            expected.exception,
        )

    return check
