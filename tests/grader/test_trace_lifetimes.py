"""What a trace says of each object's life (issue 17 §3): its id() as the program prints it, its
collector generation, the weak references to it, the objects freed at a step, and gc.collect()
as a step of its own with the cycles it freed and the finalizers that ran. Recording it changes
nothing the program prints (the sandbox's traced run against its untraced run and CPython)."""

import gc
import json
import subprocess
from pathlib import Path

import pytest

import grader
from grader.constants import Status
from grader.trace import full_steps
from tests.grader.test_trace import ROOT, object_of, ref_of, run_cpython, step_at, trace_of

CYCLE_WITH_FINALIZERS = """\
import gc, weakref
class Node:
    def __del__(self):
        print("finalized", self.name)
node = Node()
node.name = "cycle"
node.me = node
weakref.finalize(node, print, "finalize ran")
del node
found = gc.collect()
print("collected", found)
"""


def test_an_objects_id_is_the_one_the_program_prints():
    trace = trace_of("a = [1, 2]\nprint(id(a))\nx = 0\n")
    last = trace["steps"][-1]
    assert object_of(last, "a")["id"] == int(last["stdout"])


def test_the_sandbox_draws_the_ids_its_program_prints():
    outcome = grader.run("a = [1, 2]\nb = 'text'\nprint(id(a), id(b))\n", trace=True)
    assert outcome.status == Status.OK
    end = full_steps(outcome.trace)[-1]
    assert [object_of(end, name)["id"] for name in ("a", "b")] == [
        int(printed) for printed in outcome.stdout.split()
    ]


def test_generations_follow_the_collector():
    source = "import gc\na = [1]\nn = 5\ngc.collect()\nx = 0\n"
    trace = trace_of(source)
    before, after = step_at(trace, 4), step_at(trace, 5)
    assert object_of(before, "a")["gc"] == 0, "a new list is in the youngest generation"
    assert object_of(after, "a")["gc"] == 2, "a full collection moves survivors to the oldest"
    assert object_of(after, "n")["gc"] is None, "the collector does not track an int"


def test_weak_references_are_listed_on_their_referent():
    source = (
        "import weakref\nclass Box:\n    pass\nbox = Box()\nr = weakref.ref(box)\n"
        "f = weakref.finalize(box, print, 'gone')\nx = 0\n"
    )
    step = step_at(trace_of(source), 7)
    refs = object_of(step, "box")["weakrefs"]
    assert {"type": "ReferenceType", "ref": ref_of(step, "r")} in refs
    finalizer = [ref for ref in refs if "ref" not in ref]
    assert len(finalizer) == 1 and finalizer[0]["callback"], "finalize's own weak reference"


def test_an_object_freed_at_a_step_is_named_there():
    trace = trace_of("a = [1]\nb = [2]\na = None\nx = 0\n")
    before, after = step_at(trace, 3), step_at(trace, 4)
    freed = ref_of(before, "a")
    assert freed in after["gone"] and after["freed"] == [freed]
    # A value the collector does not track may live on in a constant: gone, not said freed.
    trace = trace_of("n = 1000\nn = 2000\nx = 0\n")
    assert step_at(trace, 3)["gone"] and "freed" not in step_at(trace, 3)


def test_gc_collect_is_a_step_with_its_cycles_and_finalizers():
    trace = trace_of(CYCLE_WITH_FINALIZERS)
    steps = trace["steps"]
    collect = next(i for i, step in enumerate(steps) if step["event"] == "collect")
    summary = steps[collect]["collect"]
    assert steps[collect]["line"] == 10
    assert summary["reason"] == "gc.collect()" and summary["generation"] == 2
    assert summary["finalizers"][0] == "Node.__del__()"
    assert summary["finalizers"][1].startswith("weakref.finalize: ")  # print, as this test has it
    before = step_at(trace, 10)
    garbage = [label for label, e in before["heap"].items() if "cycle_only" in e["flags"]]
    assert summary["cycles"] == [garbage]
    assert set(garbage) <= set(steps[collect]["freed"])
    # __del__ ran inside the collection: its lines are steps before the collection's own.
    assert any(frame["name"] == "__del__" for frame in steps[collect - 1]["frames"])
    printed = steps[-1]["stdout"].splitlines()
    assert printed[-1] == f"collected {summary['collected']}"


@pytest.mark.parametrize(
    "source",
    [
        CYCLE_WITH_FINALIZERS,
        "import weakref\nclass C:\n    pass\nc = C()\nw = weakref.ref(c)\nprint(w() is c)\n"
        "del c\nprint(w())\n",
        "import gc\nitems = [[i] for i in range(50)]\nitems.append(items)\ndel items\n"
        "print(gc.collect(), gc.collect(), gc.garbage)\n",
    ],
    ids=["finalizers", "weakref", "counts"],
)
def test_recording_lifetimes_changes_nothing_the_program_prints(source):
    traced, untraced = grader.run(source, trace=True), grader.run(source)
    assert traced.status == untraced.status == Status.OK
    assert traced.stdout == untraced.stdout == run_cpython(source)
    assert full_steps(traced.trace)[-1]["stdout"] == traced.stdout


PYTHON313 = Path(__file__).resolve().parents[2] / ".venv313" / "bin" / "python"


@pytest.mark.skipif(not PYTHON313.exists(), reason="no CPython 3.13 (make grader313)")
def test_the_tracer_records_under_cpython_313():
    """3.13's f_locals is a proxy of the frame (PEP 667), and interned strings can be mortal."""
    program = f"""
import builtins, io, json, sys
from grader.trace import Tracer, full_steps
from grader import schema
source = {CYCLE_WITH_FINALIZERS + "s = sys.intern('not ' + 'immortal')\n"!r}
out = io.StringIO()
code = compile(source, "<snippet>", "exec")
names = dict(vars(builtins), print=lambda *a: builtins.print(*a, file=out))
namespace = {{"__builtins__": names, "__name__": "__main__", "sys": sys}}
with Tracer(code, namespace, stdout=out.getvalue, max_seconds=float("inf")) as tracer:
    exec(code, namespace)
trace = json.loads(json.dumps(tracer.result()))
schema.check_trace(trace)
print(json.dumps(full_steps(trace)))
"""
    done = subprocess.run(
        [str(PYTHON313), "-c", program], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)
    [collect] = [s["collect"] for s in steps if s["event"] == "collect"]
    assert collect["finalizers"][0] == "Node.__del__()" and len(collect["cycles"]) == 1
    end = steps[-1]
    assert end["event"] == "end" and end["stdout"].endswith(f"collected {collect['collected']}\n")
    interned = object_of(end, "s")
    assert "interned" in interned["flags"] and interned["refcount"] is not None


def test_an_automatic_collection_that_frees_drawn_cycles_is_a_step_too():
    source = "class N:\n    pass\nfor i in range(900):\n    n = N()\n    n.me = n\nprint('done')\n"
    # As the grader server does before it forks: this process's own objects are frozen, so the
    # collector (and the tracer, which looks through its generations) sees only the snippet's.
    gc.freeze()
    try:
        steps = trace_of(source)["steps"]
    finally:
        gc.unfreeze()
    collections = [step for step in steps if step["event"] == "collect"]
    assert collections, "the cycles left behind start an automatic collection"
    first = collections[0]
    assert first["collect"]["reason"] == "automatic" and first["collect"]["generation"] == 0
    assert first["line"] in (4, 5) and first["collect"]["cycles"]
    freed = {label for cycle in first["collect"]["cycles"] for label in cycle}
    assert freed <= set(first["freed"])
