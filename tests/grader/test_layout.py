"""The grader package's layout (issue 13): no import cycle, no reach into another module's
private names, no process started by an import, and its constants in one module."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GRADER = PROJECT_ROOT / "grader"


def grader_modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(GRADER.rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imported_grader_modules(path: Path, known: set[str]) -> set[str]:
    """Every grader module `path` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def test_no_grader_module_imports_one_that_imports_it_back():
    modules = grader_modules()
    graph = {
        name: imported_grader_modules(path, set(modules)) - {name} for name, path in modules.items()
    }
    # A package's __init__ may re-export its own parts; a part never imports its package back.
    graph = {
        name: {other for other in imports if not name.startswith(other + ".")}
        for name, imports in graph.items()
    }
    state: dict[str, str] = {}
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = "visiting"
        for other in sorted(graph[name]):
            if state.get(other) == "visiting":
                cycles.append(path[path.index(other) :] + [other] if other in path else [other])
            elif other not in state:
                visit(other, [*path, other])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])
    assert cycles == []
    # The case issue 13 names: the executor uses the tracer, the tracer never the executor.
    assert "grader.execute" not in set().union(
        *(graph[name] for name in graph if name.startswith("grader.trace") and "cost" not in name)
    )


def test_no_grader_module_reaches_into_another_modules_private_names():
    modules = grader_modules()
    short_names = {name.rpartition(".")[2]: name for name in modules if name != "grader"}
    reaches = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in modules:
                reaches += [
                    f"{name}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and node.module != name
                ]
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in short_names
                and short_names[node.value.id] != name
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                reaches.append(f"{name}: {node.value.id}.{node.attr}")
    assert reaches == []


IMPORT_EVERYTHING = """\
import json, os, subprocess, sys
sys.path.insert(0, sys.argv[1])
started = []
def refuse(name):
    def record(*args, **kwargs):
        started.append(name)
        raise OSError(f"{name} at import time")
    return record
os.posix_spawn = refuse("posix_spawn")
os.fork = refuse("fork")
subprocess.Popen.__init__ = refuse("Popen")
import importlib
for module in sys.argv[2:]:
    importlib.import_module(module)
print(json.dumps(started))
"""


def test_importing_the_grader_starts_no_process():
    """The executor's start-up probes (`python -I`) run on first use, not at import: importing
    grader (as the web process and the management commands do) costs no process."""
    modules = [name for name in grader_modules() if not name.endswith("__main__")]
    done = subprocess.run(
        [sys.executable, "-I", "-c", IMPORT_EVERYTHING, str(PROJECT_ROOT), *modules],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_executor_measures_the_script_start_once_on_first_use():
    program = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from grader import execute\n"
        "first = execute.measured_start()\n"
        "assert execute.measured_start() is first\n"
        "print(execute.execute('print(6 * 7)', output_bytes=100)['stdout'], end='')\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", program, str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, "42\n"), done.stderr


# Outside grader/, the modules that build or read outcomes.
SITE_MODULES_READING_STATUSES = [
    "content/runs.py",
    "quizzes/grading.py",
    "scripts/grader_throughput.py",
]


def modules_naming_statuses() -> list[str]:
    in_grader = [
        str(path.relative_to(PROJECT_ROOT))
        for path in grader_modules().values()
        if path.name != "constants.py"
    ]
    return sorted(set(in_grader)) + SITE_MODULES_READING_STATUSES


@pytest.mark.parametrize("module", modules_naming_statuses())
def test_run_statuses_are_named_through_grader_constants(module):
    """No bare status literal outside grader/constants.py: every module of grader/ and the site's
    modules that build or read outcomes name a status as `Status.X` (or COMPLETED_STATUSES), so
    a status renamed or added is found everywhere it is used."""
    from grader.constants import STATUSES

    literals = [
        f"line {node.lineno}: {node.value!r}"
        for node in ast.walk(ast.parse((PROJECT_ROOT / module).read_text()))
        if isinstance(node, ast.Constant) and node.value in STATUSES
    ]
    assert literals == []
