"""Short garbage-collection lessons against plain `python -I`: the grader may refuse a snippet
whose output depends on when the collector runs automatically (grader.collector_dependent), but a
snippet it accepts must print exactly what the script prints: no wrong key.

The corpus (grader.gc_lessons.corpus): seeded lesson programs (cycles, `del`, weak references with
and without callbacks, `weakref.finalize`, `gc.disable()`/`enable()`, `gc.collect()` prints, loops
that start automatic collections), and every order of importing the stand-in modules, in each
import form, around bodies with cycles, `del`, a disabled collector and a finalizer. Also a share
of `python -m grader.fidelity_probe` (long programs: absolute counts, many finalizers at exit).
Both run under this interpreter (3.12) and, in a child, under CPython 3.13 (`.venv313`, made by
`make test`); the share accepted is printed and, for the corpus, must stay at 90% or more.
"""

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import grader
from grader import fidelity_probe, gc_lessons
from grader.collector_check import DEPENDS_ON_COLLECTOR
from tests.grader.conftest import run_in_cpython

LIMITS = grader.Limits(cpu_seconds=8, wall_seconds=20)
PROGRAMS = gc_lessons.corpus()
PROBE_SEEDS = range(40)
ROOT = Path(__file__).resolve().parents[2]
# The grader under CPython 3.13: a virtual environment with the grader's one dependency.
OTHER_PYTHON = os.environ.get("GRADER_PYTHON_313") or str(ROOT / ".venv313" / "bin" / "python")


def verdict(source: str) -> dict:
    return {
        "grader": grader.run(source, limits=LIMITS),
        "python": run_in_cpython(source),
        "refused_because": grader.collector_dependent(source, limits=LIMITS),
    }


@pytest.fixture(scope="module")
def verdicts() -> dict:
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(zip(PROGRAMS, pool.map(verdict, PROGRAMS.values()), strict=True))
    accepted = sum(not found[name]["refused_because"] for name in found)
    print(f"\ngc corpus: {accepted}/{len(found)} accepted ({100 * accepted / len(found):.0f}%)")
    return found


@pytest.mark.parametrize("name", PROGRAMS)
def test_an_accepted_lesson_prints_what_python_prints(name, verdicts):
    found = verdicts[name]
    if found["refused_because"]:
        assert all(reason.startswith(DEPENDS_ON_COLLECTOR) for reason in found["refused_because"])
        return
    shown = (found["grader"].stdout, found["grader"].exception)
    assert shown == (found["python"].stdout, found["python"].exception), PROGRAMS[name]


def test_most_lessons_are_accepted(verdicts):
    accepted = [name for name, found in verdicts.items() if not found["refused_because"]]
    assert len(accepted) >= 0.9 * len(verdicts), sorted(set(verdicts) - set(accepted))


def test_no_probe_program_gets_a_wrong_key():
    programs = {seed: fidelity_probe.program(seed) for seed in PROBE_SEEDS}
    found = fidelity_probe.measure(programs)
    print(f"\nfidelity probe: {found['accepted']}/{found['count']} accepted")
    assert found["wrong"] == []


def run_under_313(*arguments: str) -> dict:
    if not Path(OTHER_PYTHON).exists():
        pytest.skip(f"no CPython 3.13 grader environment at {OTHER_PYTHON} (make test makes one)")
    completed = subprocess.run(
        [OTHER_PYTHON, "-m", "grader.fidelity_probe", "--json", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert completed.stdout, completed.stderr[-2000:]
    found = json.loads(completed.stdout.splitlines()[-1])
    assert found["python"].startswith("3.13"), found["python"]
    return found


def test_under_313_no_corpus_program_gets_a_wrong_key():
    found = run_under_313("--corpus")
    print(f"\ngc corpus on {found['python']}: {found['accepted']}/{found['count']} accepted")
    assert found["wrong"] == []
    assert found["count"] == len(PROGRAMS)


def test_under_313_no_probe_program_gets_a_wrong_key():
    found = run_under_313(str(len(PROBE_SEEDS)))
    print(f"\nfidelity probe on {found['python']}: {found['accepted']}/{found['count']} accepted")
    assert found["wrong"] == []
