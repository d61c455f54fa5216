"""The value-family hunt: `python -m grader.hunt [--on PATH] [--family NAME] [--show] [--json]`.

Generates snippets of the families of issue 12 whose output an adversarial hunt found different
from a script's (grader/hunt_snippets.py: folded-constant refcounts at each site, refcounts of
the stand-ins, recursion through each protocol, introspection of each stand-in and guarded
builtin, sys.stdout's attributes, exit and exception-group forms), runs each with `grader.run`
and with plain `python -I` of the same interpreter, and prints per family how many the grader
accepted, refused, and accepted with another output than the script's ("wrong": must be 0). A
refusal is a correct answer; an accepted difference is a wrong key an instructor could publish.

`--on PATH` runs the grader itself under another CPython (e.g. pyenv's 3.13.0): in a throwaway
virtual environment of that interpreter holding a copy of RestrictedPython (pure Python), the
grader's only dependency; the oracle is then PATH. Without it, the grader runs under this
interpreter and the oracle is `--python` (by default this interpreter's own base executable).

What is compared is what a question keys: the status (a non-zero exit is "raised"), stdout, and
the last line the script writes to stderr when it exits non-zero (its exception line); memory
addresses (`at 0x...`) are not compared, since they change from one run of a script to the next.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import grader
from grader import hunt_snippets
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
    """(status, stdout, exception) of `python -I snippet.py`: "raised" when it exits non-zero,
    with the last non-blank line it wrote to stderr (None if it wrote none)."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "snippet.py")
        with open(path, "w", encoding="utf-8") as file:
            file.write(source)
        completed = subprocess.run(
            [python, "-I", path], capture_output=True, timeout=ORACLE_SECONDS, cwd=directory
        )
    stdout = completed.stdout.decode("utf-8", "surrogateescape")
    lines = [
        line
        for line in completed.stderr.decode("utf-8", "surrogateescape").splitlines()
        if line.strip()
    ]
    if completed.returncode == 0:
        return Status.OK, stdout, None
    return Status.RAISED, stdout, lines[-1] if lines else None


def shown_by_grader(source: str) -> tuple:
    outcome = grader.run(source, limits=_LIMITS)
    return outcome.status, outcome.stdout, outcome.exception


_ADDRESS = re.compile(r"0x[0-9a-f]+")


def _without_addresses(shown: tuple) -> tuple:
    """Addresses differ from one script run to the next: the site never keys them (a question
    whose output varies is refused, grader.output_varies), so they are not compared."""
    return tuple(_ADDRESS.sub("0x…", part) if isinstance(part, str) else part for part in shown)


def hunt(python: str, families: list[str] | None = None, workers: int = 3) -> dict:
    """{family: FamilyCount} for the snippets of `families` (all by default)."""
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
        ours = shown_by_grader(source)
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


def base_python() -> str:
    """This interpreter outside any virtual environment (the plain `python -I` oracle)."""
    name = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    candidate = os.path.join(sys.base_exec_prefix, "bin", name)
    return candidate if os.path.exists(candidate) else sys.executable


def hunt_on(python: str, families: list[str] | None = None) -> dict:
    """The hunt's counts ({family: {"accepted", "refused", "wrong"}}) with the grader running
    under `python` (another CPython), in a throwaway environment (see the module doc)."""
    import RestrictedPython

    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory(prefix="grader-hunt-") as directory:
        environment = os.path.join(directory, "venv")
        subprocess.run([python, "-m", "venv", "--without-pip", environment], check=True)
        dependencies = os.path.join(directory, "dependencies")
        shutil.copytree(
            os.path.dirname(RestrictedPython.__file__),
            os.path.join(dependencies, "RestrictedPython"),
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        version = subprocess.run(
            [python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        site = os.path.join(environment, "lib", f"python{version}", "site-packages")
        with open(os.path.join(site, "grader-dependencies.pth"), "w") as file:
            file.write(dependencies + "\n")
        command = [os.path.join(environment, "bin", "python"), "-m", "grader.hunt"]
        command += ["--python", python, "--json"]
        for family in families or ():
            command += ["--family", family]
        completed = subprocess.run(command, capture_output=True, text=True, cwd=project)
    if not completed.stdout.strip():
        raise RuntimeError(f"the hunt under {python} failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.hunt")
    parser.add_argument("--python", default=base_python(), help="the python -I oracle")
    parser.add_argument("--on", help="run the grader under this CPython (and use it as oracle)")
    parser.add_argument("--family", action="append", choices=sorted(hunt_snippets.FAMILIES))
    parser.add_argument("--show", action="store_true", help="print each wrong snippet")
    parser.add_argument("--json", action="store_true", help="counts as JSON (for the tests)")
    arguments = parser.parse_args(argv)
    if arguments.on:
        found = hunt_on(arguments.on, arguments.family)
        counts = {
            name: FamilyCount(c["accepted"], c["refused"], [tuple(w) for w in c["wrong"]])
            for name, c in found.items()
        }
        print(report(counts, f"under {arguments.on}", arguments.show))
        return 1 if any(count.wrong for count in counts.values()) else 0
    counts = hunt(arguments.python, arguments.family)
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
        print(report(counts, f"on Python {sys.version.split()[0]}", arguments.show))
    return 1 if any(count.wrong for count in counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
