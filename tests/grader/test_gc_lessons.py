"""Short garbage-collection lessons against plain `python -I`: the grader may refuse a snippet
whose output depends on when the collector runs automatically (grader.collector_dependent), but a
snippet it accepts must print exactly what the script prints: no wrong key.

Two sets: seeded programs of grader/gc_lessons.py (cycles, `del`, weak references with and
without callbacks, `weakref.finalize`, `gc.disable()`/`enable()`, `gc.collect()` prints, loops that
start automatic collections), and every order of importing the stand-in modules, in each import
form, around one lesson body. The share accepted is printed and must stay at 90% or more.
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest

import grader
from grader import gc_lessons
from grader.collector_check import DEPENDS_ON_COLLECTOR
from tests.grader.conftest import run_in_cpython

LIMITS = grader.Limits(cpu_seconds=8, wall_seconds=20)
SEEDS = range(40)
FORMS = ("import {m}", "import {m} as {alias}", "from {m} import {names}")
MEMBERS = {"gc": "collect", "sys": "getrefcount", "copy": "copy", "weakref": "ref"}
USES = {
    "gc": "print('collected', {p}collect())",
    "sys": "print({p}getrefcount(node) > 1)",
    "copy": "print({p}copy(node) is node)",
    "weakref": "alive = {p}ref(node)\nprint(alive() is node)",
}
BODY = """\
class Node:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print('del', self.name)
node = Node('a')
node.me = node
{uses}
del node
cycle = []
cycle.append(cycle)
del cycle
{collect}
"""


def import_program(order: tuple[str, ...], form: int) -> str:
    """The stand-ins in `order`, the i-th in import form (form + i) % 3, around one body."""
    lines, prefixes = [], {}
    for position, module in enumerate(order):
        pattern = FORMS[(form + position) % len(FORMS)]
        alias = gc_lessons.ALIASES[module]
        lines.append(pattern.format(m=module, alias=alias, names=MEMBERS[module]))
        prefixes[module] = (
            ""
            if pattern.startswith("from")
            else (f"{alias}." if " as " in pattern else f"{module}.")
        )
    uses = "\n".join(USES[m].format(p=prefixes[m]) for m in order)
    collect = USES["gc"].format(p=prefixes["gc"]) if "gc" in order else "print('end')"
    return "\n".join(lines) + "\n" + BODY.format(uses=uses, collect=collect)


ORDERS = [
    order
    for size in range(1, 5)
    for order in itertools.permutations(gc_lessons.MODULES, size)
    if size in (1, 4) or order == tuple(sorted(order))
]
PROGRAMS = {f"lesson-{seed}": gc_lessons.program(seed) for seed in SEEDS} | {
    f"imports-{'-'.join(order)}": import_program(order, index % 3)
    for index, order in enumerate(ORDERS)
}


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
    print(f"\ngc lessons: {accepted}/{len(found)} accepted ({100 * accepted / len(found):.0f}%)")
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
