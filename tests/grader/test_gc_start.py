"""The collector's state at a snippet's first line and after each first import, as a script's
(issue 11): compared with `python -I` (the `cpython` fixture), nothing expected typed by hand.

Start-up leaves a script's count just under the threshold, so a snippet with a function or class
makes a collection due while compiling, which runs at its first line; what its own code then
allocates, including a first `import gc`, `copy` or `weakref` (real imports of fresh copies, with
the measured difference freed as they start), decides every later count and collection.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import grader
from grader import fidelity_probe, pool, recursion

ROOT = Path(__file__).resolve().parents[2]

CLASS = "class Node:\n    def __init__(self, name):\n        self.name = name\n"
COUNT = "print(gc.get_count())\n"
IMPORT_SEQUENCES = {
    "gc first": "import gc\n" + COUNT + CLASS + COUNT,
    "class first": CLASS + "import gc\n" + COUNT,
    "weakref then copy": ("import gc\n" + CLASS + "import weakref\n" + COUNT)
    + ("import copy\n" + COUNT),
    "copy then weakref": ("import gc\n" + CLASS + "import copy\n" + COUNT)
    + ("import weakref\n" + COUNT),
    "copy after a full collection": (
        "import gc, weakref\n" + CLASS + "print(gc.collect())\nimport copy\n" + COUNT
    ),
    "sys and a second import": "import gc, sys\n" + CLASS + "import gc\nimport sys\n" + COUNT,
}


def test_the_servers_calibration_holds():
    """Each start and import probe prints in the server's children what it prints under
    python -I; the collector check narrows its schedules only then."""
    residuals = pool.server_hello()["in_force"]["collector_start_residuals"]
    assert residuals and set(residuals.values()) == {0}, residuals


def test_first_imports_need_no_correction():
    """The real import of fresh copies allocates and frees what a script's does, count for
    count: the ABCs' negative caches, which a first `import weakref` clears, stay mortal in the
    server (they were immortal: 2 frees short, corrected somewhere inside the import)."""
    corrections = pool.server_hello()["in_force"]["first_import_corrections"]
    assert corrections and set(corrections.values()) == {0}, corrections


# Probe programs with an automatic collection inside a first `import copy` or `import weakref`:
# refused while the import's correction had no known place in it.
COLLECTION_INSIDE_AN_IMPORT = (4, 10, 11, 16, 33)


@pytest.mark.parametrize("seed", COLLECTION_INSIDE_AN_IMPORT)
def test_a_collection_inside_a_first_import_is_accepted_and_right(seed, cpython):
    source = fidelity_probe.program(seed)
    assert grader.collector_dependent(source) == []
    assert grader.run(source).stdout == cpython(source).stdout


@pytest.mark.parametrize("name", IMPORT_SEQUENCES)
def test_counts_after_first_imports_are_a_scripts(name, cpython):
    source = IMPORT_SEQUENCES[name]
    assert grader.run(source).stdout == cpython(source).stdout


@pytest.mark.parametrize("seed", range(6))
def test_the_count_at_a_probe_programs_first_line_is_a_scripts(seed, cpython):
    """It was 12 to 16 high (the first import of gc stood in for a start-up count set too low)."""
    source = "import gc; print(gc.get_count())\n" + fidelity_probe.program(seed)
    assert grader.run(source).stdout.splitlines()[0] == cpython(source).stdout.splitlines()[0]


def test_a_count_printed_after_a_full_collection_and_an_import_is_accepted(cpython):
    """What precedes gc.collect() no longer matters, and the import after it is reproduced."""
    source = IMPORT_SEQUENCES["copy after a full collection"]
    assert grader.collector_dependent(source) == []
    assert grader.run(source).stdout == cpython(source).stdout


AFTER_A_PRINT = {
    # A script's first repr of a tuple, list or dict makes the thread-state dict and its
    # "Py_Repr" list; the server's recursion probe had made both before forking (2 low).
    "a tuple printed": "import gc\nprint(gc.collect())\nprint(gc.get_count())\n" + COUNT,
    "a list's repr": "import gc\nprint(gc.collect())\nr = repr([1])\n" + COUNT,
    # sys.stdout.write(*text, **keywords) made a tuple and a dict per print (1 high each line).
    "strings printed": "import gc\nprint(gc.collect())\nprint('a', 'b')\nprint('c')\n" + COUNT,
    "a class's instances": (
        "import gc\n" + CLASS + "print(gc.collect())\n" + COUNT + "a = Node('a')\n" + COUNT
    ),
}


@pytest.mark.parametrize("name", AFTER_A_PRINT)
def test_counts_after_prints_and_reprs_are_a_scripts(name, cpython):
    source = AFTER_A_PRINT[name]
    assert grader.run(source).stdout == cpython(source).stdout


@pytest.mark.parametrize(
    "call",
    [
        "sys.stdout.write()",
        "sys.stdout.write('a', 'b')",
        "sys.stdout.write(5)",
        "sys.stdout.write(text='a')",
        "sys.stderr.write('a', end='')",
    ],
)
def test_stdout_write_refuses_as_textiowrapper_does(call, cpython):
    """The allocation-free write keeps TextIOWrapper's own messages for a wrong argument."""
    source = f"import sys\n{call}\n"
    assert grader.run(source).exception == cpython(source).exception


# The executor's start, measured in a fresh process; then the count a first container repr adds.
FIRST_REPR = """\
import gc
gc.disable()
gc.collect()
before = gc.get_count()[0]
shown = repr([1])
print(gc.get_count()[0] - before)
"""
MEASURED_THEN_FIRST_REPR = (
    "from grader import execute\n"
    "execute.measured_start()\n"
    + FIRST_REPR
    + "limit = 'import sys\\nprint(sys.getrecursionlimit())\\n'\n"
    "print(execute.execute(limit, output_bytes=100)['stdout'], end='')\n"
)


def test_measuring_the_start_leaves_a_scripts_thread_state(cpython):
    """The recursion probe's nested list repr runs in a throwaway child: the process measuring
    (the grader server, which every run's child is forked from) still makes the thread-state dict
    and its Py_Repr list at its first container repr, as a script does; and the room measured
    there gives a snippet a script's recursion limit."""
    measuring = subprocess.run(
        [sys.executable, "-c", MEASURED_THEN_FIRST_REPR],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert measuring.returncode == 0, measuring.stderr
    assert measuring.stdout == cpython(FIRST_REPR).stdout + "1000\n"


def test_the_recursion_probe_runs_in_another_process():
    here = str(os.getpid())
    assert recursion.output_in_child(lambda source: f"{os.getpid()} {source}", "ran") != (
        f"{here} ran"
    )
    assert recursion.output_in_child(lambda source: source, "ran") == "ran"
