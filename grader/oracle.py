"""The CPython oracle: what plain `python -I snippet.py` prints and raises.

Every fidelity check compares the grader with this (the tests, `python -m grader.hunt`,
`python -m grader.policy_hunt`): stdout, and the last non-blank line the script writes to stderr
when it exits non-zero (an uncaught exception's line, or a SystemExit's message; the grader
reports both as "raised" with that line, grader/exits.py), with the script's line of it.
"""

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from grader.constants import Status

SECONDS = 60


@dataclass(frozen=True)
class ScriptRun:
    status: str  # "ok", or "raised" when the script exits non-zero
    stdout: str
    exception: str | None
    exception_line: int | None


def run_script(source: str | bytes, python: str = sys.executable, timeout: float = SECONDS):
    """`python -I snippet.py`, in an empty folder. `python` is the interpreter the grader runs
    under (a virtual environment's start-up differs a little from its base interpreter's: the
    collector's counts at a script's first line, which the grader's start-up probes measure
    with that same interpreter)."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "snippet.py")
        with open(path, "wb") as file:
            file.write(data)
        completed = subprocess.run(
            [python, "-I", path], capture_output=True, timeout=timeout, cwd=directory
        )
    stdout = completed.stdout.decode("utf-8", "surrogateescape")
    stderr = completed.stderr.decode("utf-8", "surrogateescape")
    lines = [line for line in stderr.splitlines() if line.strip()]
    # Warnings alone leave the exit code at 0.
    if completed.returncode == 0:
        return ScriptRun(Status.OK, stdout, None, None)
    numbers = re.findall(rf'File "{re.escape(path)}", line (\d+)', stderr)
    return ScriptRun(
        Status.RAISED, stdout, lines[-1] if lines else None, int(numbers[-1]) if numbers else None
    )
