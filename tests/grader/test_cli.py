"""`python -m grader run`: one JSON object and exit 0 whatever the snippet did; exit 2 with a
message (never a traceback) only when the grader itself cannot do its job."""

import json
import subprocess
import sys
from pathlib import Path

import grader

PROJECT_ROOT = str(Path(grader.__file__).resolve().parent.parent)


def cli(*arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *arguments],
        input=stdin,
        capture_output=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


def test_run_file_prints_the_outcome_as_json(tmp_path, cpython):
    source = "a = [1]\nb = a\nb += [2]\nprint(a)\nprint(a[5])\n"
    path = tmp_path / "snippet.py"
    path.write_text(source)
    completed = cli("run", str(path))
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout)
    expected = cpython(source)
    assert (outcome["status"], outcome["stdout"], outcome["exception"]) == (
        "raised",
        expected.stdout,
        expected.exception,
    )


def test_run_reads_standard_input_and_applies_limits():
    completed = cli("run", "--timeout", "0.3", "--memory-mb", "64", "-", stdin=b"while 1: pass\n")
    assert completed.returncode == 0
    outcome = json.loads(completed.stdout)
    assert (outcome["status"], outcome["reasons"]) == (
        "timeout",
        ["CPU time limit of 0.3 s exceeded"],
    )


def test_invalid_utf8_is_a_clear_error_not_a_traceback(tmp_path):
    path = tmp_path / "latin1.py"
    path.write_bytes(b"print('caf\xe9')\n")
    completed = cli("run", str(path))
    assert completed.returncode == 2
    assert completed.stdout == b""
    assert b"cannot decode the source" in completed.stderr
    assert b"Traceback" not in completed.stderr


def test_bad_limits_and_missing_files_are_clear_errors(tmp_path):
    for arguments in (["run", "--timeout", "-1", "-"], ["run", str(tmp_path / "missing.py")]):
        completed = cli(*arguments)
        assert completed.returncode == 2
        assert completed.stderr.startswith(b"grader: ")
        assert b"Traceback" not in completed.stderr
