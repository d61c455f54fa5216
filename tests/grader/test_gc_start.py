"""The collector's state at a snippet's first line and after each first import, as a script's
(issue 11): compared with `python -I` (the `cpython` fixture), nothing expected typed by hand.

Start-up leaves a script's count just under the threshold, so a snippet with a function or class
makes a collection due while compiling, which runs at its first line; what its own code then
allocates, including a first `import gc`, `copy` or `weakref` (real imports of fresh copies, with
the measured difference freed as they start), decides every later count and collection.
"""

import pytest

import grader
from grader import fidelity_probe, pool

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
    "call", ["sys.stdout.write()", "sys.stdout.write('a', 'b')", "sys.stdout.write(5)"]
)
def test_stdout_write_refuses_as_textiowrapper_does(call, cpython):
    """The allocation-free write keeps TextIOWrapper's own messages for a wrong argument."""
    source = f"import sys\n{call}\n"
    assert grader.run(source).exception == cpython(source).exception
