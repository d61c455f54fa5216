"""grader.collector_dependent: the reasons a snippet's output may depend on when the garbage
collector runs automatically, which the grader reproduces only to within a few allocations.

Whatever it accepts must print what `python -I` prints (tests/grader/test_gc_lessons.py checks
that over a corpus); here, what it must refuse, what it records in the child, and that the fix
the admin suggests (gc.disable() at the top) is accepted and right.
"""

import pytest

import grader
from grader import collector, pool
from grader.collector_check import DEPENDS_ON_COLLECTOR

FINALISED = """\
class D:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print('del', self.name)
"""
ISSUE_EXAMPLES = {
    "import weakref, then collect": "import gc\nimport weakref\nprint(gc.collect())\n",
    "a self-referencing list": (
        "import gc\nimport weakref\nl = []\nl.append(l)\ndel l\nprint(gc.collect())\n"
    ),
    "from weakref import": (
        "import gc\nfrom weakref import WeakValueDictionary\nprint(gc.collect())\n"
    ),
    "weakref first": "import weakref\nimport gc\nprint(gc.collect())\n",
}


def disabled_first(source: str) -> str:
    return "import gc\ngc.disable()\n" + source


@pytest.mark.parametrize("source", ISSUE_EXAMPLES.values(), ids=ISSUE_EXAMPLES.keys())
def test_the_issues_examples_are_refused_or_right_and_the_fix_is_right(source, cpython):
    outcome = grader.run(source)
    if not grader.collector_dependent(source):
        assert outcome.stdout == cpython(source).stdout
    fixed = disabled_first(source)
    assert grader.collector_dependent(fixed) == []
    assert grader.run(fixed).stdout == cpython(fixed).stdout


def test_the_collectors_absolute_count_is_accepted_and_a_scripts(cpython):
    """The count at a line depends on how CPython compiled and started the script: the start is
    calibrated and the compiler is a script's to the allocation (grader/compiling.py), so it is
    a key (it was refused while the compiler's count was known only to within a few)."""
    source = "import gc\nprint(gc.get_count())\n"
    assert grader.collector_dependent(source) == []
    assert grader.run(source).stdout == cpython(source).stdout


def test_an_absolute_count_after_an_inexact_compilation_is_refused():
    """A non-ASCII name: a script's parser imports unicodedata to normalise it, which the
    grader's has loaded already; the count is then known only to within a few allocations."""
    reasons = grader.collector_dependent("import gc\nnaïve = 1\nprint(gc.get_count())\n")
    assert reasons and all(reason.startswith(DEPENDS_ON_COLLECTOR) for reason in reasons)


def test_garbage_freed_by_an_automatic_collection_before_a_count_is_refused_or_right(cpython):
    """A cycle dies between two runs of allocations in a short snippet, whose first automatic
    collection comes a few dozen allocations in (start-up leaves the count just under the
    threshold); whether it comes before or after the death decides what gc.collect() counts.
    Over first runs of several lengths, whatever is accepted prints what python -I prints; with
    the count at the first line a script's to the allocation, all are (those that put that
    collection within a few allocations of the death were refused while it was known only to
    within a few)."""
    refused = accepted = 0
    for before in range(0, 48, 3):
        source = (
            "import gc\n"
            f"before = [{{}} for i in range({before})]\n"
            "l = []\nl.append(l)\ndel l\n"
            "after = [{} for i in range(30)]\n"
            "print(gc.collect())\n"
        )
        reasons = grader.collector_dependent(source)
        assert all(reason.startswith(DEPENDS_ON_COLLECTOR) for reason in reasons)
        if reasons:
            refused += 1
        else:
            accepted += 1
            assert grader.run(source).stdout == cpython(source).stdout, before
    assert accepted > refused, (refused, accepted)


def test_snippets_that_cannot_observe_the_collector_are_not_checked():
    assert grader.collector_dependent("a = [1]\nb = a\nb.append(2)\nprint(a)\n") == []


def test_the_child_records_automatic_and_explicit_collections():
    """The gc.callbacks hook the grader installs for the snippet's code (the snippet cannot
    reach gc.callbacks) tells automatic collections from gc.collect() calls, counts what each
    found and whether a finalizer printed during it."""
    source = (
        "import gc\n"
        + FINALISED
        + "d = D('cycle'); d.me = d\ndel d\n"
        + "kept = [[] for i in range(3000)]\n"
        + "print(gc.collect())\nprint(gc.collect())\n"
    )
    result = pool.call_with_variant(source, grader.Limits(), {"record": True})
    events = result["collections"]
    explicit = [event for event in events if event & collector.EXPLICIT]
    automatic = [event for event in events if not event & collector.EXPLICIT]
    assert len(explicit) == 2
    assert automatic, "3000 allocations start automatic collections"
    freed_and_printed = [
        event for event in automatic if event & collector.PRINTED and event >> collector.FREED_SHIFT
    ]
    assert freed_and_printed, "the cycle's finalizer printed during an automatic collection"
    assert result["stdout"] == grader.run(source).stdout


def test_a_variant_from_the_caller_is_checked():
    with pytest.raises(ValueError, match="shifts must be small integers"):
        collector.checked({"shift": "12"})
    with pytest.raises(ValueError, match="must be an object"):
        collector.checked([1])
    assert collector.checked(None) is None


EARLY_COLLECTION = (
    "import gc\n"
    + FINALISED
    + "print(gc.collect())\n"
    + "v1 = [D('v1a'), D('v1b')]\n"
    + "v3 = [D(str(i)) if i % 97 == 0 else [i] for i in range(200)]\n"
    + "v4 = D('v4')\n"
)


def test_the_other_exit_order_is_breadth_first_from_the_globals(cpython):
    """The two orders the grader knows for finalizers at exit: the ordinary run's is the
    script's (3.12 here); the other puts the globals' objects breadth-first (3.13's: the
    directly bound v4 first, then the lists' items, each list from its end)."""
    ordinary = grader.run(EARLY_COLLECTION).stdout
    assert ordinary == cpython(EARLY_COLLECTION).stdout
    other = pool.call_with_variant(EARLY_COLLECTION, grader.Limits(), {"other_exit_order": True})
    assert other["stdout"].splitlines()[1:] == [
        "del v4",
        "del v1b",
        "del v1a",
        "del 194",
        "del 97",
        "del 0",
    ]


def test_a_check_whose_own_run_is_stopped_refuses_rather_than_passes():
    """Under load the key's run may finish and the check's own first run not (a wall-clock
    limit): "no reason" would publish a key that was never checked."""
    limits = grader.Limits(cpu_seconds=0.5, wall_seconds=1)
    reasons = grader.collector_dependent("import gc\nwhile True:\n    pass\n", limits=limits)
    assert reasons == [f"{DEPENDS_ON_COLLECTOR}: the check could not finish; try again"]
