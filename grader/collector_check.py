"""`grader.collector_dependent(source)`: whether a snippet's output depends on where the automatic
garbage collections fall, where the grader's reproduction may not be exact.

The grader sets the collector's count and free lists at a script's start from probes run under
`python -I` (grader/execute.py), runs CPython's own compiler on the snippet's source where a
script's runs (grader/compiling.py), and a first `import gc`, `copy` or `weakref` really imports
fresh copies of those modules (grader/standins.py), checked again in the server's children (the
residuals in its hello). When all of that holds, the schedule of automatic collections is a
script's: only where inside a first import the allocations the grader corrects for lie is left
(none are, on 3.12.1 and 3.13.0). Otherwise (a source whose compilation runs Python code in a
script, or an uncalibrated server) the count is known only to within some allocations; since
each automatic collection comes a fixed number of allocations after the previous one, every
schedule the script may follow is the grader's shifted by that error. So the snippet is run
again under such shifts (grader/collector.py: the count moved at the start, or a first import's
correction made at its end), and once with its collections recorded (to say why, and whether
several finalizers print at exit); if any output differs from the ordinary run, no single output
can be its key.
"""

import ast

from grader import collector, pool
from grader.constants import COMPLETED_STATUSES, Status
from grader.outcome import Limits

DEPENDS_ON_COLLECTOR = "depends on when the garbage collector runs automatically"

# When the grader server's calibration probes print in its children exactly what they print
# under `python -I` (execute.calibration_residuals, in the server's hello), the count at a
# snippet's first line is a script's to the allocation: start-up's count and free lists are
# measured and matched again in the children, and the compiler that runs in the window is
# CPython's own on the snippet's own source, with the arena's containers kept as a script's
# (grader/compiling.py; tests/grader/test_compile_window.py checks the count and the free lists
# it leaves against python -I on a generated corpus, both interpreters). The first automatic
# collection then falls where a script's does, and so does every later one: there is no error
# left to shift by. Only where inside a first import lie the allocations by which the grader's
# real import differs from a script's is unknown (none on 3.12.1 and 3.13.0: the corrections in
# the hello are 0, so this run then shows the ordinary schedule again).
EXACT_VARIANTS = ({"late_import_correction": True},)
# Shifts of the count at the first line, in allocations, for a calibrated server but a run whose
# count is not reproduced to the allocation (compiling.exact_compilation: a coding cookie, a
# non-ASCII name, a warning from the compiler; or a call of the sandbox's Python functions,
# compiling.calls_sandbox_functions, which allocate what a script's C builtins do not): a few
# allocations, allowed for several times over, densely so that a narrow window (garbage that
# lives for a few allocations) is not stepped over. (It does not make such a snippet's counts
# after those calls a script's: a collection at its first line and a count printed after a
# `type(x)` call are accepted as on main; see POLICY.md's known limits.)
CALIBRATED_VARIANTS = (
    *({"shift": shift} for shift in (-1, 1, -2, 2, -3, 3, -5, 5, -8, 8)),
    {"late_import_correction": True},
)
# Otherwise (a calibration probe could not run, or still differs): a count known only to within
# a few dozen allocations, and each first import's figure to within 15.
START_SHIFTS = (-2, 2, -5, 5, -9, 9, -14, 14, -20, 20, -30, 30, -45, 45)
IMPORT_SHIFTS = (-15, 15)
UNCALIBRATED_VARIANTS = (
    *({"shift": shift} for shift in START_SHIFTS),
    *({"import_shift": shift} for shift in IMPORT_SHIFTS),
)
# Interpreters on which the order of finalizers at exit (grader/execute.py, _finalize_at_exit)
# matches python -I's: 3.12 always; 3.13 once the server's start is calibrated (its breadth-first
# order is right only when the objects are in a script's generations: 600 of 600 probe programs,
# see POLICY.md). Elsewhere a snippet printing from more than one finalizer at exit is refused
# unless its output is the same in the other order the grader knows.
EXIT_ORDER_VERIFIED = {(3, 12)}
EXIT_ORDER_VERIFIED_WHEN_CALIBRATED = {(3, 13)}
_OTHER_EXIT_ORDER = {"other_exit_order": True}
# What makes the collector's timing visible at all: its module, weak references, finalizers and
# reference counts (a cycle freed earlier or later holds references to other objects).
_OBSERVING_MODULES = frozenset({"gc", "weakref", "sys"})
# A check whose own first run was stopped (a loaded machine's wall-clock limit, a lost child)
# compared nothing; refusing, rather than answering "no reason", keeps a key from going
# unchecked when the key's run itself finished.
_UNFINISHED = (Status.TIMEOUT, Status.CRASHED)
_COULD_NOT_FINISH = f"{DEPENDS_ON_COLLECTOR}: the check could not finish; try again"
# The sandbox's functions written in Python (compiling.SANDBOX_FUNCTIONS) allocate what a
# script's C builtins do not: a count read after a call may be off by their allocations, whether
# or not the automatic collections move (a collection at the first line hides it from every
# shift), so such a snippet's counts are refused outright.
_COUNT_AFTER_SANDBOX_CALLS = (
    f"{DEPENDS_ON_COLLECTOR}: it reads the collector's count and calls the sandbox's own "
    "`type`, `getattr`, `vars`, `sys.getrefcount` or a checked attribute, which allocate what "
    "CPython's builtins do not"
)


def collector_dependent(
    source: str, *, limits: Limits | None = None, python: str | None = None
) -> list[str]:
    """Why `source`'s output may differ from `python -I`'s because of when the automatic
    collections run (empty: it does not). Snippets the grader refuses get no reason here: they
    are refused anyway; a check whose own run was stopped gives "could not finish"."""
    if not isinstance(source, str):
        raise TypeError(
            f"collector_dependent() needs the source as str, not {type(source).__name__}"
        )
    limits = limits or Limits()
    if not _may_observe_collector(source):
        return []
    baseline = pool.run(source, limits=limits, python=python)
    if baseline.status in _UNFINISHED:  # the key's own run may have finished: nothing checked
        return [_COULD_NOT_FINISH]
    if baseline.status not in COMPLETED_STATUSES:
        return []
    shown = (baseline.status, baseline.stdout, baseline.exception)
    recorded = pool.call_with_variant(source, limits, {"record": True}, python)
    if recorded is None or recorded["status"] not in COMPLETED_STATUSES:
        return [_COULD_NOT_FINISH]
    if (
        recorded.get("exit_lines", 0) > 1
        and not _exit_order_verified(python)
        and _differs(pool.call_with_variant(source, limits, _OTHER_EXIT_ORDER, python), shown)
    ):
        return [
            f"{DEPENDS_ON_COLLECTOR}: several finalizers print at exit, in an order the grader "
            f"reproduces only on Python 3.12 (this is {pool.python_version(python)})"
        ]
    sandbox_calls = recorded.get("sandbox_calls", True)
    if sandbox_calls and _prints_counts(source):
        return [_COUNT_AFTER_SANDBOX_CALLS]
    exact = recorded.get("exact_compilation", False) and not sandbox_calls
    effects = collector.observable_effects(recorded.get("collections", []))
    # (The recorded run's own output is not compared: its hook allocates after each collection.)
    differs = any(
        _differs(pool.call_with_variant(source, limits, variant, python), shown)
        for variant in _variants(python, exact)
    )
    if not differs:
        return []
    if not effects:
        effects = [
            "the output changes when the automatic collections come a few allocations "
            "earlier or later"
        ]
    return [f"{DEPENDS_ON_COLLECTOR}: {effect}" for effect in effects]


def _calibrated(python: str | None) -> bool:
    """Whether the running grader server's calibration probes print what python -I prints."""
    residuals = pool.server_hello(python)["in_force"].get("collector_start_residuals") or {}
    return bool(residuals) and all(value == 0 for value in residuals.values())


def _variants(python: str | None = None, exact_schedule: bool = False) -> tuple:
    """The schedules to try: none but the import's when the running grader server's start is
    calibrated and the run's count is a script's to the allocation (the recorded run's child
    says: an exact compilation, no call of the sandbox's Python functions; grader/compiling.py);
    a few allocations either way when only the start is calibrated; a few dozen otherwise."""
    if not _calibrated(python):
        return UNCALIBRATED_VARIANTS
    return EXACT_VARIANTS if exact_schedule else CALIBRATED_VARIANTS


def _exit_order_verified(python: str | None = None) -> bool:
    """For the interpreter the grader runs under (not necessarily this process's)."""
    version = tuple(int(part) for part in pool.python_version(python).split(".")[:2])
    return version in EXIT_ORDER_VERIFIED or (
        version in EXIT_ORDER_VERIFIED_WHEN_CALIBRATED and _calibrated(python)
    )


def _differs(result: dict | None, shown: tuple) -> bool:
    return result is None or _shown(result) != shown


def _shown(result: dict) -> tuple:
    return result["status"], result["stdout"], result["exception"]


def _prints_counts(source: str) -> bool:
    """Whether the snippet reads the collector's count (`gc.get_count`, however imported)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return any(
        (isinstance(node, ast.Attribute) and node.attr == "get_count")
        or (isinstance(node, ast.Name) and node.id == "get_count")
        or (isinstance(node, ast.alias) and node.name == "get_count")
        for node in ast.walk(tree)
    )


def _may_observe_collector(source: str) -> bool:
    """Whether the snippet imports gc, weakref or sys, or defines `__del__` (without them, when
    a collection runs shows in nothing the grader's policy lets a snippet print)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name in _OBSERVING_MODULES for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            if node.module in _OBSERVING_MODULES:
                return True
        elif isinstance(node, ast.FunctionDef) and node.name == "__del__":
            return True
    return False
