"""The compact trace (issue 17 §1): 2,000 steps of real programs stay under 1 MB, the compact
steps read back into the whole ones, and a trace cut short says where.

scripts/trace_size.py prints the same figures (and the sandbox's)."""

import json

import pytest

import grader
from grader import schema
from grader.constants import MAX_STEPS, MAX_TRACE_CHARS, Status
from grader.trace import Tracer, full_steps
from grader.trace.compact import compact_step
from grader.trace.cost import LONG_PROGRAMS, trace_sizes

ONE_MB = 1_000_000


@pytest.fixture(scope="module")
def recorded():
    return {name: trace_sizes(source) for name, source in LONG_PROGRAMS.items()}


@pytest.mark.parametrize("name", LONG_PROGRAMS)
def test_a_2000_step_trace_stays_under_1_mb(recorded, name):
    figures = recorded[name]
    assert figures["steps"] == MAX_STEPS == 2000
    assert figures["bytes"] < ONE_MB
    assert MAX_TRACE_CHARS <= ONE_MB
    # The same steps whole would not fit: the deltas are what keeps it small.
    assert figures["whole_bytes"] > 5 * figures["bytes"]
    schema.check_trace(json.loads(json.dumps(figures["trace"])))


@pytest.mark.parametrize("name", LONG_PROGRAMS)
def test_compact_steps_read_back_into_the_whole_steps(recorded, name):
    trace = recorded[name]["trace"]
    steps = full_steps(trace)
    again, previous = [], None
    for step in steps:
        delta = compact_step(previous, step, "")
        again.append(delta)
        previous = step
    without_output = [{k: v for k, v in s.items() if k != "printed"} for s in trace["steps"]]
    assert again == without_output


def test_a_trace_cut_by_its_time_says_at_which_step_and_line():
    code = compile("x = 1\ny = 2\n", "<snippet>", "exec")
    namespace: dict = {"__builtins__": {}}
    with Tracer(code, namespace, stdout=str, max_seconds=0) as tracer:
        exec(code, namespace)
    trace = tracer.result()
    assert trace["truncated"] is True and trace["steps"] == []
    assert trace["cut"] == {"step": 0, "line": 1}
    assert "after step 0, before line 1" in trace["notice"]
    assert "all a diagram may take" in trace["notice"]


def test_the_sandbox_sends_a_long_trace_within_the_bound_and_says_where_it_stops():
    outcome = grader.run(LONG_PROGRAMS["printing every line"], trace=True)
    assert outcome.status == Status.OK
    trace = outcome.trace
    assert trace is not None and trace["truncated"] is True
    assert len(json.dumps(trace)) < ONE_MB
    assert trace["cut"]["step"] == len(trace["steps"]) <= MAX_STEPS
    assert f"after step {len(trace['steps'])}, before line" in trace["notice"]
    # The output is the program's, whole, however early the diagram stops.
    assert outcome.stdout.count("\n") == 1000


@pytest.mark.parametrize(
    "source",
    [
        "def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f(950))\n",
        # How deep a program may recurse is the same traced: the tracer's frames never count.
        "def depth(n):\n    try:\n        return depth(n + 1)\n    except RecursionError:\n"
        "        return n\nprint(depth(0))\n",
    ],
    ids=["950 calls", "to the recursion limit"],
)
def test_a_long_recursion_traced_prints_what_cpython_prints(source):
    from tests.grader.test_trace import run_cpython

    traced, untraced = grader.run(source, trace=True), grader.run(source)
    assert traced.status == untraced.status == Status.OK
    assert traced.stdout == untraced.stdout == run_cpython(source)
    steps = full_steps(traced.trace)
    assert max(step.get("hidden_frames", 0) for step in steps) > 0, "deeper than the drawing"
