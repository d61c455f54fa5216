"""The value-family hunt: `python -m grader.hunt [--on PATH] [--family NAME] [--show] [--json]`.

Generates snippets of the families of issue 12 whose output an adversarial hunt found different
from a script's (grader/hunt_snippets.py: folded-constant refcounts at each site, refcounts of
the stand-ins, recursion through each protocol, introspection of each stand-in and guarded
builtin, sys.stdout's attributes, exit and exception-group forms), runs each with `grader.run`
and with plain `python -I` of the same interpreter, and prints per family how many the grader
accepted, refused, and accepted with another output than the script's ("wrong": must be 0). A
refusal is a correct answer; an accepted difference is a wrong key an instructor could publish.

`--on PATH` runs the grader under another CPython (e.g. pyenv's 3.13.0): a grader server of
that interpreter (`grader.run(source, python=PATH)`), and PATH as the oracle. Without it, the
grader's configured interpreter serves and is the oracle (grader/oracle.py).

What is compared is what a question keys: the status (a non-zero exit is "raised"), stdout, and
the last line the script writes to stderr when it exits non-zero (its exception line); memory
addresses (`at 0x...`) are not compared, since they change from one run of a script to the next.
"""

import argparse
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import grader
from grader import hunt_snippets, oracle
from grader.constants import Status

ORACLE_SECONDS = 60
_LIMITS = grader.Limits(cpu_seconds=5, wall_seconds=10)


@dataclass
class FamilyCount:
    accepted: int = 0
    refused: int = 0
    wrong: list = field(default_factory=list)  # (source, grader's, script's)

    def line(self, name: str) -> str:
        total = self.accepted + self.refused
        return (
            f"{name}: {total} snippets, accepted {self.accepted}, refused {self.refused}, "
            f"wrong {len(self.wrong)}"
        )


def shown_by_script(source: str, python: str) -> tuple:
    """(status, stdout, exception) of `python -I snippet.py` (grader/oracle.py)."""
    ran = oracle.run_script(source, python, ORACLE_SECONDS)
    return ran.status, ran.stdout, ran.exception


def shown_by_grader(source: str, python: str) -> tuple:
    outcome = grader.run(source, limits=_LIMITS, python=python)
    return outcome.status, outcome.stdout, outcome.exception


_ADDRESS = re.compile(r"0x[0-9a-f]+")


def _without_addresses(shown: tuple) -> tuple:
    """Addresses differ from one script run to the next: the site never keys them (a question
    whose output varies is refused, grader.output_varies), so they are not compared."""
    return tuple(_ADDRESS.sub("0x…", part) if isinstance(part, str) else part for part in shown)


def hunt(python: str, families: list[str] | None = None, workers: int = 3) -> dict:
    """{family: FamilyCount} for the snippets of `families` (all by default), the grader and
    the oracle both under the interpreter `python`."""
    chosen = {
        name: sources
        for name, sources in hunt_snippets.FAMILIES.items()
        if not families or name in families
    }
    every = [(name, source) for name, sources in chosen.items() for source in sources()]
    with ThreadPoolExecutor(workers) as pool:
        scripts = list(pool.map(lambda pair: shown_by_script(pair[1], python), every))
    counts = {name: FamilyCount() for name in chosen}
    for (name, source), script in zip(every, scripts, strict=True):
        ours = shown_by_grader(source, python)
        count = counts[name]
        if ours[0] == Status.REJECTED:
            count.refused += 1
            continue
        count.accepted += 1
        if _without_addresses(ours) != _without_addresses(script):
            count.wrong.append((source, ours, script))
    return counts


def report(counts: dict, where: str, show: bool = False) -> str:
    lines = [f"value-family hunt, grader {where}, against python -I of the same version:"]
    lines += [count.line(name) for name, count in counts.items()]
    totals = FamilyCount(
        sum(c.accepted for c in counts.values()),
        sum(c.refused for c in counts.values()),
        [w for c in counts.values() for w in c.wrong],
    )
    lines.append(totals.line("all"))
    if show:
        for name, count in counts.items():
            for source, ours, script in count.wrong:
                lines += [
                    f"--- {name}",
                    source.rstrip(),
                    f"  grader: {ours}",
                    f"  script: {script}",
                ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.hunt")
    parser.add_argument("--on", help="run the grader under this CPython (and use it as oracle)")
    parser.add_argument("--family", action="append", choices=sorted(hunt_snippets.FAMILIES))
    parser.add_argument("--show", action="store_true", help="print each wrong snippet")
    parser.add_argument("--json", action="store_true", help="counts as JSON")
    arguments = parser.parse_args(argv)
    python = arguments.on or grader.configuration().python
    counts = hunt(python, arguments.family)
    if arguments.json:
        print(
            json.dumps(
                {
                    name: {"accepted": c.accepted, "refused": c.refused, "wrong": c.wrong}
                    for name, c in counts.items()
                }
            )
        )
    else:
        print(report(counts, f"on Python {grader.python_version(python)}", arguments.show))
    return 1 if any(count.wrong for count in counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
