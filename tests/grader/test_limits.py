"""Limits: every snippet that oversteps a limit ends within it, with its status and a reason
naming the limit and its value, and the next run works normally.

How these tests were shown to bite (done by hand, since the switch would otherwise have to live
in production code): `grader.sandbox.apply_run_limits` was edited to return at once (no CPU
rlimit, no profiling timer, no address-space limit). First the server's start-up self-check
refused to serve ("RLIMIT_CPU is ..., a busy loop was not stopped by the CPU limit"), so every
test failed with GraderUnavailable. With the self-check's verdict also ignored, 8 of these 15
tests failed: the four CPU-bound snippets ended only at the wall-clock kill (reason "wall-clock
limit ... exceeded" instead of the CPU limit), `[0] * 10**9` and `bytearray(10**10)` were killed
at the wall clock instead of raising MemoryError, and `'x' * 10**9` and the 128 MB bytearray under
a 96 MB limit simply ran ("ok"). The output, recursion, source-size and parser tests do not depend
on OS limits and passed both ways.
"""

import time

import pytest

import grader
from grader import pool
from grader.outcome import MAX_SOURCE_BYTES

QUICK = grader.Limits(cpu_seconds=0.5, wall_seconds=2.0)
SLACK_SECONDS = 1.0  # process start-up and teardown beyond the limit itself
# How long a timed test waits for the server to be ready: a cold start (3.13's calibration takes
# seconds) on a loaded machine. Timing starts once it is ready.
READY_SECONDS = 60.0


def run_timed(source: str, limits: grader.Limits = QUICK) -> tuple[grader.Outcome, float]:
    """The outcome of one run and how long the run took (the server ready beforehand)."""
    pool.wait_ready(timeout=READY_SECONDS)
    started = time.monotonic()
    outcome = grader.run(source, limits=limits)
    return outcome, time.monotonic() - started


CPU_BOUND = {
    "busy_loop": "while True:\n    pass\n",
    "huge_power": "x = 10**10**8\n",
    "del_never_returns": (
        "class Stuck:\n    def __del__(self):\n        while True:\n            pass\n"
        "s = Stuck()\nprint('made')\n"
    ),
    "hash_never_returns": (
        "class Stuck:\n    def __hash__(self):\n        while True:\n            pass\n"
        "print({Stuck()})\n"
    ),
}


@pytest.mark.parametrize("source", CPU_BOUND.values(), ids=CPU_BOUND.keys())
def test_cpu_bound_snippets_time_out_at_the_cpu_limit(source, assert_grader_serves):
    outcome, elapsed = run_timed(source)
    assert outcome.status == "timeout"
    assert outcome.reasons == (f"CPU time limit of {QUICK.cpu_seconds} s exceeded",)
    assert elapsed < QUICK.cpu_seconds + SLACK_SECONDS
    assert_grader_serves()


def test_wall_clock_limit_ends_a_run_whose_cpu_limit_is_larger(assert_grader_serves):
    limits = grader.Limits(cpu_seconds=10, wall_seconds=0.5)
    outcome, elapsed = run_timed("while True:\n    pass\n", limits)
    assert outcome.status == "timeout"
    assert outcome.reasons == ("wall-clock limit of 0.5 s exceeded",)
    assert elapsed < limits.wall_seconds + SLACK_SECONDS
    assert_grader_serves()


HUGE_ALLOCATIONS = {
    "list": "x = [0] * 10**9\n",
    "bytearray": "x = bytearray(10**10)\n",
    "string": "x = 'x' * 10**9\n",
}


@pytest.mark.parametrize("source", HUGE_ALLOCATIONS.values(), ids=HUGE_ALLOCATIONS.keys())
def test_huge_allocations_end_with_the_memory_status(source, assert_grader_serves):
    outcome, elapsed = run_timed(source)
    assert outcome.status == "memory"
    assert outcome.reasons == (f"memory limit of {QUICK.memory_mb} MB exceeded",)
    assert elapsed < QUICK.wall_seconds + SLACK_SECONDS
    assert_grader_serves()


def test_memory_limit_follows_limits(assert_grader_serves):
    source = "block = bytearray(128 * 1024 * 1024)\nprint(len(block))\n"
    assert grader.run(source, limits=grader.Limits(memory_mb=256)).status == "ok"
    small = grader.run(source, limits=grader.Limits(memory_mb=96))
    assert (small.status, small.reasons) == ("memory", ("memory limit of 96 MB exceeded",))
    assert_grader_serves()


def test_print_flood_stops_at_the_output_limit(assert_grader_serves):
    limits = grader.Limits(cpu_seconds=2, wall_seconds=3, output_bytes=1000)
    outcome, elapsed = run_timed("while True:\n    print('flood' * 20)\n", limits)
    assert outcome.status == "output_limit"
    assert any("1000 bytes" in reason for reason in outcome.reasons)
    assert len(outcome.stdout.encode()) <= limits.output_bytes
    assert elapsed < limits.wall_seconds + SLACK_SECONDS
    assert_grader_serves()


def test_unbounded_recursion_ends_as_in_cpython(cpython, assert_grader_serves):
    source = "def down(n):\n    return down(n + 1)\ndown(0)\n"
    outcome, _ = run_timed(source)
    expected = cpython(source)
    assert (outcome.status, outcome.stdout, outcome.exception) == (
        "raised",
        expected.stdout,
        expected.exception,
    )
    assert_grader_serves()


@pytest.mark.parametrize("size", [1024 * 1024, 10 * 1024 * 1024], ids=["1MB", "10MB"])
def test_oversized_source_is_rejected_naming_the_cap(size, assert_grader_serves):
    source = ("x = 1\n" * (size // 6 + 1))[:size]
    outcome, elapsed = run_timed(source)
    assert outcome.status == "rejected"
    assert outcome.reasons == (
        f"the source is {size} bytes long; the limit is {MAX_SOURCE_BYTES} bytes "
        f"({MAX_SOURCE_BYTES // 1024} KB)",
    )
    assert elapsed < 1
    assert_grader_serves()


PARSER_LIMITS = {
    "null_byte": "print('before')\nx = 1\x00\nprint('after')\n",
    "nested_parentheses": "x = " + "(" * 100_000 + ")" * 100_000 + "\n",
}


@pytest.mark.parametrize("source", PARSER_LIMITS.values(), ids=PARSER_LIMITS.keys())
def test_sources_the_parser_refuses_end_as_in_cpython(source, cpython, assert_grader_serves):
    outcome, elapsed = run_timed(source)
    expected = cpython(source)
    assert (outcome.status, outcome.stdout, outcome.exception, outcome.exception_line) == (
        "raised",
        expected.stdout,
        expected.exception,
        expected.exception_line,
    )
    assert elapsed < QUICK.wall_seconds + SLACK_SECONDS
    assert_grader_serves()


# --- Readiness: what the timed tests wait for --------------------------------------------------


def test_the_server_is_ready_once_self_checked_and_calibrated(grader_interpreter):
    pool.shutdown()
    assert not pool.is_ready()
    hello = pool.wait_ready(timeout=READY_SECONDS)
    assert (hello["ready"], hello["problems"]) == (True, [])
    # The self-check's probe report and the calibration's residuals came with it.
    assert hello["in_force"]["fork"].startswith("denied")
    assert "collector_start_residuals" in hello["in_force"]
    assert pool.is_ready() and pool.is_ready(grader_interpreter)


def test_a_timed_run_after_a_restart_times_the_run_not_the_start(assert_grader_serves):
    pool.shutdown()
    outcome, elapsed = run_timed("print(1)\n")
    assert (outcome.status, outcome.stdout) == ("ok", "1\n")
    # A start (interpreter, imports, self-check, calibration) takes most of a second or more.
    assert elapsed < 0.5
    assert_grader_serves()


def test_a_server_not_ready_in_time_is_stopped_and_says_so(assert_grader_serves):
    pool.shutdown()
    with pytest.raises(
        grader.GraderUnavailable, match=r"^the grader server was not ready within 0.01 s$"
    ):
        pool.wait_ready(timeout=0.01)
    assert not pool.is_ready()
    assert_grader_serves()  # the next run starts another
