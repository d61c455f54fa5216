"""grader.output_varies: whether a snippet shows something that changes from one run of Python
to the next, so that no single run's output may be a question's key.

Each case is checked against CPython itself too: four `python -I` runs of a varying snippet do
not all print the same (their hash seeds and address layouts differ), and those of a stable one
do. Nothing expected is typed by hand.
"""

from pathlib import Path

import pytest

import grader

ADDRESSES_VARY = Path("/proc/sys/kernel/randomize_va_space").read_text().strip() != "0"
VARYING = [
    pytest.param("print({'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'})\n", id="set"),
    pytest.param("print(hash('memory'))\n", id="str-hash"),
    pytest.param(
        "class Box:\n    pass\nprint(Box())\n",
        id="default-repr",
        marks=pytest.mark.skipif(not ADDRESSES_VARY, reason="address randomisation is off"),
    ),
]
STABLE = {
    "a sorted set of strings": "print(sorted({'alpha', 'beta', 'gamma', 'delta'}))\n",
    "identity compared, not shown": "a = []\nb = a\nprint(id(a) == id(b), a is b)\n",
    "a set of small ints": "print({3, 1, 2}, hash(42))\n",
    "an exception": "print({[]: 1})\n",
}


def runs_of_cpython_differ(cpython, source: str) -> bool:
    return len({(result.stdout, result.exception) for result in map(cpython, [source] * 4)}) > 1


@pytest.mark.parametrize("source", VARYING)
def test_output_that_changes_between_runs_of_python_is_found(source, cpython):
    assert runs_of_cpython_differ(cpython, source)
    assert grader.output_varies(source)


@pytest.mark.parametrize("source", STABLE.values(), ids=STABLE.keys())
def test_output_that_every_run_of_python_shows_is_stable(source, cpython):
    assert not runs_of_cpython_differ(cpython, source)
    assert not grader.output_varies(source)


def test_the_source_must_be_text():
    with pytest.raises(TypeError, match="needs the source as str"):
        grader.output_varies(b"print(1)")
