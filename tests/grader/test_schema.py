"""The result schema (grader/schema.py), checked at the caller's boundary, trace included: a
malformed result from a sandboxed child becomes a clear "crashed" outcome."""

import copy
import json

import pytest

import grader
from grader import pool, schema
from grader.constants import Status

TRACED_SOURCE = """\
def pair(n, step=1):
    return [n, n + step]
class Box:
    def __init__(self):
        self.items = pair(1)
box = Box()
table = {"box": box, "set": {3}}
count = 1
count = 2
print(box.items)
"""


@pytest.fixture(scope="module")
def real_result():
    """A whole result with a real trace, as a child sends it (the grader's own, never typed)."""
    outcome = grader.run(TRACED_SOURCE, trace=True)
    assert outcome.status == Status.OK
    data = outcome.to_dict()
    for caller_side in ("python_version", "duration_ms"):
        del data[caller_side]
    return data


def first_with(trace, field):
    """The first heap entry of the trace that has `field` (compact steps carry whole entries)."""
    for step in trace["steps"]:
        for entry in step.get("heap", {}).values():
            if field in entry:
                return entry
    raise AssertionError(f"no object with {field!r} in the trace")


def break_top(trace):
    trace["version"] = "1"


def break_steps(trace):
    trace["steps"] = {"0": trace["steps"][0]}


def break_event(trace):
    trace["steps"][0]["event"] = "jump"


def break_truncated(trace):
    trace["truncated"] = 0


def break_frame_ref(trace):
    step = next(s for s in trace["steps"] if s.get("frames") and s["frames"][0].get("locals"))
    step["frames"][0]["locals"][0]["ref"] = "o999999"


def break_item_ref(trace):
    first_with(trace, "items")["items"][0] = "nowhere"


def break_entry_pair(trace):
    entry = first_with(trace, "entries")
    entry["entries"][0] = entry["entries"][0][:1]


def break_attr_name(trace):
    first_with(trace, "attrs")["attrs"][0]["name"] = 3


def break_refcount(trace):
    first_with(trace, "refcount")["refcount"] = "2"


def break_kind(trace):
    first_with(trace, "kind")["kind"] = "<script>"


def break_flags(trace):
    first_with(trace, "flags")["flags"] = "immortal"


def break_heap(trace):
    trace["steps"][-1]["heap"] = []


# The compact form (version 2): deltas that do not add up, and the objects' new fields.


def break_gone(trace):
    trace["steps"][1]["gone"] = ["o999999"]


def break_new_frame(trace):
    step = next(s for s in trace["steps"][1:] if "frame_ids" in s and s.get("frames"))
    del step["frames"][-1]["locals"]


def break_rebind(trace):
    step = next(s for s in trace["steps"] if any("rebind" in f for f in s.get("frames", [])))
    change = next(f for f in step["frames"] if "rebind" in f)
    change["rebind"][0]["name"] = "never_bound"


def break_generation(trace):
    first_with(trace, "gc")["gc"] = 7


def break_id(trace):
    first_with(trace, "id")["id"] = "0x7f"


def break_cut(trace):
    trace["cut"] = {"step": "last"}


@pytest.mark.parametrize(
    "damage",
    [
        break_top,
        break_steps,
        break_event,
        break_truncated,
        break_frame_ref,
        break_item_ref,
        break_entry_pair,
        break_attr_name,
        break_refcount,
        break_kind,
        break_flags,
        break_heap,
        break_gone,
        break_new_frame,
        break_rebind,
        break_generation,
        break_id,
        break_cut,
    ],
)
def test_a_malformed_trace_is_refused_with_where_it_is_wrong(real_result, damage):
    data = copy.deepcopy(real_result)
    damage(data["trace"])
    with pytest.raises(schema.MalformedResult, match="trace|step|object"):
        schema.checked_result(data)


def test_the_tracers_own_traces_pass_the_check(real_result):
    assert schema.checked_result(copy.deepcopy(real_result)) == real_result


def test_a_malformed_result_from_a_child_becomes_a_crashed_outcome(real_result):
    data = copy.deepcopy(real_result)
    break_item_ref(data["trace"])
    outcome = pool.outcome_from_payload(json.dumps(data).encode(), grader.Limits(), 1.0)
    assert outcome.status == Status.CRASHED
    assert outcome.trace is None and outcome.stdout == ""
    (reason,) = outcome.reasons
    assert reason.startswith("the sandboxed process sent malformed data (")
    assert "does not draw" in reason


def test_a_whole_result_becomes_the_outcome_it_describes(real_result):
    payload = json.dumps(real_result).encode()
    outcome = pool.outcome_from_payload(payload, grader.Limits(), 1.5)
    assert (outcome.status, outcome.stdout, outcome.trace) == (
        Status.OK,
        real_result["stdout"],
        real_result["trace"],
    )
    assert outcome.duration_ms == 1.5


def test_the_executor_and_the_server_build_results_through_the_schema():
    assert set(schema.result(Status.OK)) == set(schema.FIELDS)
    crashed = schema.crashed("the executor failed: boom")
    assert schema.checked_result(crashed) == {
        "status": Status.CRASHED,
        "stdout": "",
        "exception": None,
        "exception_line": None,
        "reasons": ["the executor failed: boom"],
    }


def test_a_malformed_result_is_logged_as_an_error(caplog):
    outcome = pool.outcome_from_payload(b"[1, 2]", grader.Limits(), 1.0)
    assert outcome.status == Status.CRASHED
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("grader.pool", "ERROR", "A sandboxed process sent a malformed result: not a JSON object")
    ]


def test_a_refused_run_is_logged_with_its_reasons(caplog):
    outcome = grader.run("import os\n")
    assert outcome.status == Status.REJECTED
    assert ("grader.pool", "INFO", f"The grader refused a snippet: {outcome.reasons[0]}") in [
        (r.name, r.levelname, r.getMessage()) for r in caplog.records
    ]
