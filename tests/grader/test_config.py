"""The grader's configuration (grader/config.py): the library's defaults, checked changes, and
each test starting from the configuration in force (tests/conftest.py restores it)."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import grader
from grader import config

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_library_defaults_follow_the_environment_and_the_cpus():
    program = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import grader\n"
        "print(grader.configuration().pool_size, grader.configuration().limits.cpu_seconds)\n"
    )
    found = {}
    for pool_size in ("", "3"):
        done = subprocess.run(
            [sys.executable, "-I", "-c", program, str(PROJECT_ROOT)],
            env={"GRADER_POOL_SIZE": pool_size},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        found[pool_size] = done.stdout.split()
    assert found == {"": [str(os.cpu_count() or 1), "2.0"], "3": ["3", "2.0"]}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pool_size": 0}, "pool_size must be a positive integer"),
        ({"pool_size": True}, "pool_size must be a positive integer"),
        ({"witnesses": -1}, "witnesses must be a non-negative integer"),
        ({"start_seconds": float("inf")}, "start_seconds must be a positive number"),
        ({"limits": {"cpu_seconds": 0}}, "Limits.cpu_seconds must be a positive number"),
        ({"limits": "fast"}, "limits must be a grader.Limits or a dict"),
        ({"python": "/nonexistent/python3"}, "python must be an executable interpreter"),
        ({"pool_sise": 2}, r"unknown grader option\(s\) \['pool_sise'\]"),
    ],
)
def test_a_wrong_option_is_refused_and_changes_nothing(options, message):
    before = grader.configuration()
    with pytest.raises(ValueError, match=message):
        grader.configure(**options)
    assert grader.configuration() == before


def test_default_limits_apply_to_runs_that_name_none():
    grader.configure(limits={"output_bytes": 1000})
    outcome = grader.run("print('x' * 5000)\n")
    assert outcome.status == grader.Status.OUTPUT_LIMIT
    assert outcome.reasons == ("output limit of 1000 bytes exceeded",)


def test_the_configured_interpreter_runs_the_snippets(tmp_path):
    """A wrapper around this interpreter (one with the grader's requirements) that leaves a
    mark: the grader server, and so every snippet, runs through it."""
    mark = tmp_path / "started"
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {mark}\nexec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    grader.configure(python=str(wrapper))
    outcome = grader.run("print(6 * 7)\n")
    assert (outcome.status, outcome.stdout) == (grader.Status.OK, "42\n")
    assert outcome.python_version == grader.python_version() == platform.python_version()
    assert "from grader.server import main" in mark.read_text()


# The two tests below run in this order: the first changes the configuration, the second sees
# it restored (the autouse fixture restore_grader_configuration in tests/conftest.py).
def test_a_test_may_change_the_configuration():
    grader.configure(witnesses=1, start_seconds=12.5)
    assert (grader.configuration().witnesses, grader.configuration().start_seconds) == (1, 12.5)


def test_the_next_test_starts_with_the_configuration_restored():
    assert grader.configuration().witnesses == config.defaults().witnesses
    assert grader.configuration().start_seconds == config.defaults().start_seconds


def test_a_configuration_change_is_logged(caplog):
    grader.configure(witnesses=2)
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("grader.pool", "INFO", "Grader configuration changed: {'witnesses': 2}")
    ]
