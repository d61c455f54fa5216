"""The public interface other parts rely on: grader.run, Limits, Outcome, and bad input."""

import json
import math

import pytest

import grader
from grader.outcome import MAX_SOURCE_BYTES, STATUSES
from grader.pool import validated_result


def test_limits_defaults_and_immutability():
    limits = grader.Limits()
    assert (limits.cpu_seconds, limits.wall_seconds, limits.memory_mb, limits.output_bytes) == (
        2.0,
        3.0,
        256,
        65536,
    )
    with pytest.raises(AttributeError):
        limits.cpu_seconds = 10


@pytest.mark.parametrize(
    "field, value",
    [
        ("cpu_seconds", 0),
        ("cpu_seconds", -1.5),
        ("wall_seconds", math.nan),
        ("wall_seconds", math.inf),
        ("memory_mb", 0),
        ("memory_mb", -256),
        ("memory_mb", 1.5),
        ("output_bytes", 0),
        ("output_bytes", True),
        ("output_bytes", "64k"),
    ],
)
def test_invalid_limits_raise_a_clear_value_error(field, value):
    with pytest.raises(ValueError, match=rf"Limits\.{field} must be a positive"):
        grader.Limits(**{field: value})


def test_a_memory_limit_too_small_for_the_interpreter_is_refused():
    with pytest.raises(ValueError, match="memory_mb must be at least"):
        grader.Limits(memory_mb=8)


def test_outcome_is_frozen_and_plain_json(cpython):
    outcome = grader.run("print('hi')\n")
    with pytest.raises(AttributeError):
        outcome.status = "ok"
    data = outcome.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "status",
        "stdout",
        "exception",
        "exception_line",
        "reasons",
        "python_version",
        "duration_ms",
        "trace",
    }
    assert data["trace"] is None
    assert outcome.status in STATUSES


def test_python_version_is_the_interpreter_that_runs_snippets(cpython):
    expected = cpython("import platform\nprint(platform.python_version())\n").stdout.strip()
    outcome = grader.run("print(1)\n")
    assert outcome.python_version == expected
    assert outcome.duration_ms > 0


def test_exception_and_its_line_are_reported_as_in_cpython(cpython):
    source = "x = {}\nx[[]] = 1\n"
    outcome = grader.run(source)
    expected = cpython(source)
    assert (outcome.status, outcome.exception, outcome.exception_line) == (
        "raised",
        expected.exception,
        expected.exception_line,
    )


@pytest.mark.parametrize("source", [b"print(1)", None, 42, ["print(1)"]])
def test_a_source_that_is_not_str_raises_type_error(source):
    with pytest.raises(TypeError, match="needs the source as str"):
        grader.run(source)


def test_limits_must_be_a_limits_object():
    with pytest.raises(TypeError, match="limits must be a grader.Limits"):
        grader.run("print(1)", limits={"cpu_seconds": 1})


def test_an_empty_source_runs_as_in_cpython(cpython):
    outcome = grader.run("")
    expected = cpython("")
    assert (outcome.status, outcome.stdout, outcome.exception) == (
        "ok",
        expected.stdout,
        expected.exception,
    )


def test_a_source_just_under_the_cap_runs():
    source = "x = 1\n" * (MAX_SOURCE_BYTES // 6) + "print(x)\n"
    assert len(source.encode()) > MAX_SOURCE_BYTES - 100
    source = source[: MAX_SOURCE_BYTES - len("print(x)\n")].rpartition("\n")[0] + "\nprint(x)\n"
    # Compiling 256 KB takes about a second of CPU; the wall-clock limit is widened so a loaded
    # machine cannot turn it into a timeout (the CPU limit is the default one).
    assert grader.run(source, limits=grader.Limits(wall_seconds=20)).status == "ok"


def test_a_lone_surrogate_is_rejected_with_its_position():
    outcome = grader.run("print('\ud800')\n")
    assert outcome.status == "rejected"
    assert outcome.reasons == ("the source is not valid Unicode text (lone surrogate at index 7)",)


def valid_result(**changes) -> bytes:
    result = {
        "status": "ok",
        "stdout": "",
        "exception": None,
        "exception_line": None,
        "reasons": [],
    }
    return json.dumps({**result, **changes}).encode()


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        valid_result(status="pwned"),
        valid_result(stdout=["a list"]),
        valid_result(exception=7),
        valid_result(exception_line=True),
        valid_result(exception_line="3"),
        valid_result(reasons=[{"nested": "object"}]),
        valid_result(trace="not an object"),
        json.dumps({"status": "ok"}).encode(),
    ],
)
def test_a_child_result_of_the_wrong_shape_is_refused(payload):
    with pytest.raises(ValueError):
        validated_result(payload)


def test_a_child_result_of_the_right_shape_is_accepted():
    trace = grader.run("items = [1]\nprint(items)\n", trace=True).trace
    accepted = validated_result(valid_result(stdout="x\n", trace=trace))
    assert accepted["stdout"] == "x\n"
    assert accepted["trace"] == trace
