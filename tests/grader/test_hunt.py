"""The value-family hunt (issue 12) in `make test`: no accepted snippet may differ from a script.

grader/hunt_snippets.py generates the snippets of each family (folded-constant refcounts at
each site, refcounts of the stand-ins, recursion through each protocol, introspection of the
stand-ins and guarded builtins, sys.stdout's attributes, exit and exception-group forms).
Each runs in the grader and under plain `python -I`; a refusal is fine, an accepted difference
fails. The grader runs under this interpreter and, in a throwaway environment, under the next
CPython found (pyenv's 3.13; OTHER_CPYTHONS, paths separated by os.pathsep, replaces the search).
The per-family counts are printed (`pytest -s`), as `python -m grader.hunt [--on PATH]` does.
"""

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader import hunt, hunt_snippets

NEIGHBOUR_VERSIONS = ("3.13",)


def _works(python: str) -> bool:
    try:
        return subprocess.run([python, "-I", "-c", "pass"], capture_output=True).returncode == 0
    except OSError:
        return False


def _other_cpythons() -> list[str]:
    if os.environ.get("OTHER_CPYTHONS"):
        return os.environ["OTHER_CPYTHONS"].split(os.pathsep)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = []
    for version in NEIGHBOUR_VERSIONS:
        candidates = [shutil.which(f"python{version}")]
        candidates += [str(path) for path in sorted(pyenv.glob(f"{version}.*/bin/python"))]
        python = next((c for c in candidates if c and _works(c)), None)
        if python:
            found.append(python)
    return found


OTHERS = _other_cpythons()


@pytest.fixture(scope="module")
def hunts_elsewhere():
    """The other interpreters' hunts, started first: they run while this one's does."""
    with ThreadPoolExecutor(max(len(OTHERS), 1)) as pool:
        yield {python: pool.submit(hunt.hunt_on, python) for python in OTHERS}


@pytest.fixture(scope="module")
def counts_here(hunts_elsewhere) -> dict:
    counts = hunt.hunt(hunt.base_python())
    print("\n" + hunt.report(counts, "on this interpreter"))
    return counts


@pytest.mark.parametrize("family", hunt_snippets.FAMILIES)
def test_no_accepted_snippet_differs_from_a_script(family, counts_here):
    count = counts_here[family]
    assert count.accepted + count.refused > 0
    assert not count.wrong, "\n\n".join(
        f"{source}grader: {ours}\nscript: {script}" for source, ours, script in count.wrong
    )


@pytest.mark.parametrize("python", OTHERS or [None], ids=str)
def test_no_accepted_snippet_differs_on_the_next_cpython(python, hunts_elsewhere):
    if python is None:
        pytest.skip("no other CPython found (set OTHER_CPYTHONS)")
    found = hunts_elsewhere[python].result(timeout=900)
    counts = {
        name: hunt.FamilyCount(c["accepted"], c["refused"], c["wrong"]) for name, c in found.items()
    }
    print("\n" + hunt.report(counts, f"under {python}"))
    wrong = {name: c.wrong for name, c in counts.items() if c.wrong}
    assert not wrong, wrong


def test_each_family_generates_many_snippets():
    sizes = {name: len(generate()) for name, generate in hunt_snippets.FAMILIES.items()}
    assert all(size >= 40 for size in sizes.values()), sizes
