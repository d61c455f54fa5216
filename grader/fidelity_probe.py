"""Random fidelity probes: `python -m grader.fidelity_probe [--lessons|--corpus] [--json] [COUNT]
[FIRST_SEED]`.

Generates seeded programs that stress what is hardest to reproduce exactly: the garbage
collector's timing and the order of `__del__` output at exit (objects with finalizers bound in
various orders, cycles, containers, class attributes, stand-in imports, allocation loops that
trigger automatic collections, `gc.get_count()` and `gc.collect()` prints). Each program is run
by `grader.run` and by `python -I` with this interpreter, and checked by
`grader.collector_dependent`; the script prints how many outputs are identical, how many programs
the site would accept (no reason from the collector check) or refuse, and how many it would
accept with a wrong key (accepted and different from `python -I`: must be 0), with their seeds.
`--lessons` probes the short programs of grader/gc_lessons.py instead, `--corpus` its fixed
corpus (lessons and every import order); `--json` prints the figures as one JSON object. It
measures, like `grader bench`; tests/grader/test_gc_lessons.py runs the corpus and a share of the
probes, under this interpreter and under CPython 3.13.
"""

import json
import platform
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grader
from grader import gc_lessons
from grader.constants import COMPLETED_STATUSES

STEP_KINDS = "new new new cycle list dict class import loop loop count collect del tuple".split()
LOOP_ITEMS = ["[]", "{}", "(i, i)", "D(str(i)) if i % 97 == 0 else [i]", "[[i]]", "{'a': i}"]


def program(seed: int) -> str:
    """The probe program for `seed` (the same seed always gives the same program)."""
    rng = random.Random(seed)
    lines = ["import gc"] if rng.random() < 0.7 else []
    lines += [
        "class D:",
        "    def __init__(self, name):",
        "        self.name = name",
        "    def __del__(self):",
        "        print('del', self.name)",
    ]
    alive: list[str] = []
    for step in range(rng.randint(4, 14)):
        kind, name = rng.choice(STEP_KINDS), f"v{step}"
        if kind == "new":
            lines.append(f"{name} = D({name!r})")
        elif kind == "cycle":
            lines.append(f"{name} = D({name!r}); {name}.me = [{name}]")
        elif kind == "list":
            lines.append(f"{name} = [D('{name}a'), D('{name}b')]")
        elif kind == "dict":
            lines.append(f"{name} = {{'k': D('{name}'), 'z': [1, 2]}}")
        elif kind == "tuple":
            lines.append(f"{name} = (D('{name}'), {rng.randint(0, 9)})")
        elif kind == "class":
            lines.append(f"class K{step}:\n    attr = D('K{step}')")
            lines.append("    def m(self):\n        return self")
        elif kind == "import":
            lines.append(f"import {rng.choice(['copy', 'weakref', 'gc', 'sys'])}")
        elif kind == "loop":
            size, item = rng.choice([50, 200, 400, 700, 1500, 3000]), rng.choice(LOOP_ITEMS)
            if rng.random() < 0.6:
                lines.append(f"{name} = [{item} for i in range({size})]")
            else:
                lines.append(f"for i in range({size}):\n    t = {item}")
                continue
        elif kind == "count" and "import gc" in lines:
            lines.append("print('count', gc.get_count())")
        elif kind == "collect" and "import gc" in lines:
            lines.append("print('collected', gc.collect())")
        elif kind == "del" and alive:
            lines.append(f"del {alive.pop(rng.randrange(len(alive)))}")
        if kind in {"new", "cycle", "list", "dict", "tuple", "loop"}:
            alive.append(name)
    if "import gc" in lines and rng.random() < 0.5:
        lines.append("print('end', gc.get_count())")
    return "\n".join(lines) + "\n"


def cpython_stdout(source: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder, "snippet.py")
        script.write_text(source)
        return subprocess.run(
            [sys.executable, "-I", str(script)], capture_output=True, text=True, cwd=folder
        ).stdout


_LIMITS = grader.Limits(cpu_seconds=8, wall_seconds=10)


# Statuses of a run that finished: anything else (a timeout or a crash of a 50 ms program) is
# the machine's load or the sandbox, not the program; such a run is tried again, and counted as
# refused if it never finishes (no key is published from it).
_FINISHED = COMPLETED_STATUSES
_TRIES = 3


def verdict(source: str) -> tuple[bool, bool]:
    """(identical to `python -I`, accepted by the collector check) for one program."""
    for _ in range(_TRIES):
        outcome = grader.run(source, limits=_LIMITS)
        if outcome.status in _FINISHED:
            break
    identical = outcome.stdout == cpython_stdout(source)
    if outcome.status not in _FINISHED:
        return identical, False
    return identical, not grader.collector_dependent(source, limits=_LIMITS)


def measure(programs: dict) -> dict:
    """{"count", "identical", "accepted", "differing", "wrong"} for {name: source}; "wrong" lists
    the programs accepted with a key that differs from `python -I`'s (must be empty)."""
    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(programs, pool.map(verdict, programs.values()), strict=True))
    differing = [name for name, (same, _) in results.items() if not same]
    accepted = [name for name, (_, ok) in results.items() if ok]
    return {
        "python": platform.python_version(),
        "count": len(programs),
        "identical": len(programs) - len(differing),
        "accepted": len(accepted),
        "differing": differing,
        "wrong": [name for name in accepted if name in differing],
    }


def main(argv: list[str]) -> int:
    flags = {argument for argument in argv if argument.startswith("--")}
    argv = [argument for argument in argv if not argument.startswith("--")]
    count = int(argv[0]) if argv else 200
    first = int(argv[1]) if len(argv) > 1 else 0
    programs: dict
    if "--corpus" in flags:
        programs = gc_lessons.corpus()
    else:
        make = gc_lessons.program if "--lessons" in flags else program
        programs = {seed: make(seed) for seed in range(first, first + count)}
    found = measure(programs)
    if "--json" in flags:
        print(json.dumps(found))
        return 1 if found["wrong"] else 0
    total = found["count"]
    print(f"Python {found['python']}")
    print(f"{found['identical']}/{total} probes print what python -I prints")
    print(f"differing: {found['differing']}")
    print(
        f"accepted {found['accepted']}/{total} ({100 * found['accepted'] / total:.1f}%), refused "
        f"as depending on the collector's timing {total - found['accepted']}"
    )
    print(f"wrong keys (accepted and different): {len(found['wrong'])} {found['wrong']}")
    return 1 if found["wrong"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
