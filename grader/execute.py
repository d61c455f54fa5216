"""Run one snippet in the current process and report what CPython would have shown.

Called inside the grader's sandboxed child (see grader/server.py); it applies no OS limits itself.
Besides compiling under the policy and running, it reproduces what `python -I snippet.py` does
around a program: collect the garbage left before the program starts, print into one stdout,
report the last line of the traceback, and finalise at exit in CPython's order (atexit's
weakref.finalize callbacks, the failed program's traceback, a collection, `__main__`'s globals
cleared name by name, the builtins cleared, a last collection).
"""

import ast
import gc
import os
import select
import signal
import sys
import time
import traceback
import weakref
from contextlib import contextmanager
from functools import partial
from typing import NamedTuple

from grader import (
    collector,
    compiling,
    exits,
    folding,
    hooks,
    interned,
    recursion,
    standins,
    suggestions,
)
from grader.constants import Status
from grader.misconceptions import child as misconceptions_child
from grader.policy import SNIPPET_FILENAME, check_snippet, compile_tree
from grader.schema import result as _result
from grader.trace import Tracer, printed_so_far

COMPILE_RECURSION_LIMIT = 100_000  # the checker recurses per AST level; the parser caps depth

# A script starts with the collector's generation-0 count far from zero (what start-up allocated),
# so CPython's first automatic collection comes after a few dozen allocations; which objects it
# moves to an older generation decides the order of __del__ calls at exit. Probes run once under
# `python -I` measure that start; each run then begins in the same collector state.
_COLLECTION_PROBE = """\
class Probe:
    def __del__(self):
        print(len(kept))
kept = []
probe = Probe()
probe.me = probe
del probe
while len(kept) < 5000:
    kept.append([])
"""
_COUNT_PROBE = "import gc\ncount = gc.get_count()\nprint(count[0], count[1])\n"
# The same after a collection at its first line, which a long source's compilation makes due
# (the function is never called): what the first `import gc` allocates, whatever the count
# before the compiler, as in most snippets (start-up leaves the count just under the threshold).
_IMPORT_GC_PROBE = _COUNT_PROBE + "".join(
    f"def unused{i}():\n    return [{i}]\n" for i in range(40)
)
_LOADS_PROBE = """\
import sys
before = set(sys.modules)
import gc, copy, weakref
print(*set(sys.modules) - before)
"""
# Where a script's imports look: its sys.path, which lacks the grader's own entries (the project
# and its dependency folder; see standins.prepare_script_imports).
_SEARCH_PATH_PROBE = "import sys\nprint(repr(sys.path))\n"
# (The count is kept above zero, where freeing an object lowers it: see standins.importer.)
# Figures by name: a first import of sys (a module a script has loaded: what any import of a
# loaded module costs), of copy or weakref, and of copy once weakref is loaded (copy imports it).
_IMPORT_FIGURES = {
    "sys": ("sys", ""),
    "copy": ("copy", ""),
    "weakref": ("weakref", ""),
    "copy after weakref": ("copy", "import weakref"),
}
_IMPORT_PROBE = """\
import gc
gc.disable()
{setup}
gc.collect()
class Kept:
    pass
kept = [Kept() for _ in range(50)]
before = gc.get_count()[0]
import {module}
after = gc.get_count()[0]
print(after - before)
"""
_FREE_LIST_PROBE = "import sys\nsys._debugmallocstats()\n"
_PROBE_SECONDS = 20


def execute(
    source: str,
    *,
    output_bytes: int,
    trace: bool = False,
    heap_frozen: bool = False,
    collector_variant: dict | None = None,
    misconception: str | None = None,
) -> dict:
    """Compile and run `source`; never raises. With `trace`, also the run's "trace" (issue 5).

    `heap_frozen` says the caller has already frozen its heap for the collector (the grader
    server does, before it forks); otherwise the run freezes it and unfreezes it at the end.
    `collector_variant` runs it under another schedule of automatic collections, or records
    them (see grader/collector.py); ordinary runs have none. `misconception` runs it as a
    student holding that misconception expects (grader/misconceptions).
    """
    try:
        measured_start()  # once per process, before this run's own state is set up
        variant = collector.checked(collector_variant)
        return _execute(source, output_bytes, trace, heap_frozen, variant, misconception)
    except BaseException as error:  # noqa: BLE001 - a failure of the grader itself, reported
        failure = f"the executor failed: {type(error).__name__}: {error}"
        return _result(Status.CRASHED, reasons=[failure])


@contextmanager
def _compiler_recursion_room():
    """Deeply nested sources need more recursion than a snippet's own limit allows."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, COMPILE_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _check(source: str):
    with _compiler_recursion_room():
        return check_snippet(source)


def _compile(tree):
    # No context manager here: its exit allocates (StopIteration, a traceback), and nothing may
    # be allocated between the compiler and the snippet's first line that a script does not.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, COMPILE_RECURSION_LIMIT))
    try:
        return compile_tree(tree)
    finally:
        sys.setrecursionlimit(limit)


def _syntax_error(error: SyntaxError, source: str) -> dict:
    if "\0" in source:  # CPython's file reader words it so, at the line holding the NUL
        line = source.count("\n", 0, source.index("\0")) + 1
        return _result(
            Status.RAISED,
            exception="SyntaxError: source code cannot contain null bytes",
            exception_line=line,
        )
    return _result(Status.RAISED, exception=_last_line(error), exception_line=error.lineno)


def _last_line(error: BaseException) -> str:
    """The last line CPython's traceback would print (message, suggestion or note)."""
    with suggestions.computed_apart(error):
        shown = traceback.TracebackException(
            type(error), error, error.__traceback__, lookup_lines=False, compact=True
        )
    shown._str += suggestions.suffix(error)  # type: ignore[attr-defined]  # noqa: SLF001
    return "".join(shown.format_exception_only()).rstrip("\n").rpartition("\n")[2]


def _snippet_line(tb) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _frame_depth() -> int:
    """How many frames are below the caller, including it (walking them creates their frame
    objects: the caller freezes them with the host's objects)."""
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back  # type: ignore[assignment]
    return depth


def _execute(
    source: str, output_bytes: int, trace: bool, heap_frozen: bool, variant, misconception=None
) -> dict:
    run = hooks.start_run(output_bytes)
    # Asked, not measured: gc.get_freeze_count() walks the whole frozen heap (~0.5 ms a run).
    froze = not heap_frozen
    if froze:
        gc.freeze()  # host objects: never scanned by the snippet's collections
    try:
        try:
            # `tree` stays referenced until the run ends, as a script's does (see policy.py).
            tree, reasons = _check(source)
        except SyntaxError as error:
            return _syntax_error(error, source)
        if reasons:
            return _result(Status.REJECTED, reasons=reasons)
        helpers: dict = {}
        if misconception is not None:  # checked as written above; transformed and checked again
            with _compiler_recursion_room():
                tree, helpers = misconceptions_child.prepare(source, misconception)
        interned.mortalise_constants(tree)  # 3.13: its constants as a script's (interned.py)
        try:
            return _run(tree, run, trace=trace, variant=variant, helpers=helpers, source=source)
        except SyntaxError as error:  # from the bytecode compiler (`return` outside a function)
            return _syntax_error(error, source)
    finally:
        if froze:
            gc.unfreeze()


def _run(
    tree,
    run: hooks.Run,
    start=None,
    trace=False,
    around=None,
    variant=None,
    helpers=None,
    source: str = "",
) -> dict:
    # The code that runs is the policy's, compiled here, before the collector's start is set:
    # its allocations are not a script's. In the window below the script's own compiler runs
    # on `source` instead (_compile_at_script_start). Its references to the snippet's strings
    # are the snippet's own, as a script's code's (grader/interned.py counts from here).
    code = _compile(tree)
    # Made here (it allocates, may import ctypes): what is made after the collection below is
    # garbage or objects the snippet's first collection would meet.
    script_code = compiling.ScriptCode(code, folding.folded_containers(tree))
    interned.count_from_compiled()
    # Walking the stack creates frame objects, which must be frozen with the host's objects:
    # counted after the collector's start is set, they would make it depend on the stack's depth.
    depth = _frame_depth()
    # The sinks' gates (real TextIOWrappers) leave dicts and tuples on the free lists: made first.
    stdout, stderr = hooks.stdout_sink(run), hooks.stderr_sink()
    # What exists now (host objects, the parse tree) is not the snippet's: its collections must
    # neither find nor untrack it. Then a full collection: counts at zero, free lists emptied.
    gc.freeze()
    gc.collect()
    imported: list = []
    interned.watch_imports(imported)  # 3.13: an import may change a string's count in a script
    start = start or _START
    thresholds = gc.get_threshold()  # the script's
    importer = standins.importer(
        run,
        stdout,
        stderr,
        imported,
        start.imports,
        script_loads=start.script_loads,
        import_shift=variant["import_shift"] if variant else 0,
        late_correction=bool(variant and variant["late_import_correction"]),
    )
    builtins_namespace = hooks.sandbox_builtins(importer)
    if helpers:
        builtins_namespace.update(helpers)
    main = [_main_namespace(builtins_namespace)]
    saved = sys.stdout, sys.stderr, sys.getrecursionlimit(), gc.isenabled()
    finalizers_before = set(weakref.finalize._registry)  # type: ignore[attr-defined]
    failure: list[BaseException] = []  # the only reference to an uncaught exception
    status, exception, line = Status.OK, None, None
    exit_reason = None  # the exit status of an uncaught SystemExit (grader/exits.py)
    shift = variant["shift"] if variant else 0
    recorder = collector.Recorder(run, thresholds[0]) if variant and variant["record"] else None
    start_objects: list = []  # what makes up a script's starting count, kept for the run
    holder: list = []
    tracer = around or _NO_TRACER
    room = _ROOM if _ROOM.current() else None
    interned.count_set_up_references()  # 3.13: the set-up's references are not a script's
    try:
        # From here to exec() nothing may allocate but the compiler and the collector's start.
        # A collection that the compiler's allocations make due runs, in a script, at the first
        # check for pending work: the snippet's first line. Here the grader's own code would run
        # it first, so the collector is off until exec(), whose first allocation (the module's
        # function) finds the collection due again, just before the snippet's first line.
        gc.disable()
        _compile_at_script_start(source, start, start_objects, holder, script_code, shift)
        if trace:
            tracer = Tracer(code, main[0], stdout=partial(printed_so_far, run))
        sys.stdout, sys.stderr = stdout, stderr
        # Same room for recursion as a script, whose module frame is the first frame: the
        # thread's counters set as a script's (grader/recursion.py), or else a higher limit.
        if room is None:
            sys.setrecursionlimit(saved[2] + depth)
        try:
            with tracer:
                if recorder is not None:
                    gc.callbacks.append(recorder)
                try:
                    if saved[3]:
                        gc.enable()
                    if room is not None:
                        room.enter()
                    exec(code, main[0])
                finally:  # a script runs no automatic collection once its code has ended
                    if room is not None:
                        room.leave()
                    gc.set_threshold(*_NO_AUTOMATIC_COLLECTION)
                    script_code.release()  # run_mod drops the script's code, then its arena:
                    holder.clear()  # the parser arena's list
                    if recorder is not None:
                        gc.callbacks.remove(recorder)
        except BaseException as error:  # noqa: BLE001 - the snippet's, reported as CPython does
            error = error.with_traceback(error.__traceback__.tb_next)  # type: ignore[union-attr]
            failure.append(error)
            status, exception, line, exit_reason = _classify(error)
            del error
        if failure or run.pending is not None:  # CPython writes the traceback or the rest
            _collect_if_due(thresholds)  # of stdout, which can start a due collection
        if recorder is not None:
            recorder.exit_room, recorder.enabled_at_exit = run.room, gc.isenabled()  # type: ignore[assignment]
        breadth_first = _BREADTH_FIRST_AT_EXIT != bool(variant and variant["other_exit_order"])
        _finalize_at_exit(
            main, builtins_namespace, imported, failure, finalizers_before, breadth_first
        )
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        sys.setrecursionlimit(saved[2])
        (gc.enable if saved[3] else gc.disable)()
        gc.set_threshold(*thresholds)
        weakref.finalize._shutdown = False  # type: ignore[attr-defined]
    extra = {"trace": tracer.result(final_stdout=run.stdout())} if trace else {}  # type: ignore[union-attr]
    if recorder is not None:
        extra["collections"] = recorder.events
        extra["exit_lines"] = recorder.lines_at_exit(run) if recorder.enabled_at_exit else 0
        # Whether the count is a script's to the allocation all along (the collector check's
        # schedules): asked here, in the child (one thread: the check catches the compiler's
        # warnings), of the source and of the code that ran.
        extra["exact_compilation"] = compiling.exact_compilation(source)
        extra["sandbox_calls"] = compiling.calls_sandbox_functions(code)
    if run.refusals:
        return _result(Status.REJECTED, run.stdout(), reasons=run.refusals) | extra
    if run.overflowed:
        reason = f"the output exceeded the limit of {output_bytes_of(run)} bytes"
        return _result(Status.OUTPUT_LIMIT, run.stdout(), reasons=[reason]) | extra
    reasons = ["the snippet ran out of memory (MemoryError)"] if status == Status.MEMORY else []
    if exit_reason:
        reasons = [exit_reason]
    return _result(status, run.stdout(), exception, line, reasons) | extra


def _main_namespace(builtins_namespace: dict) -> dict:
    """`__main__`'s globals as a script's start, in its order. `__file__` is the snippet's file
    name as its code and tracebacks give it; no loader (a script's reads files) and no spec."""
    return {
        "__name__": "__main__",
        "__doc__": None,
        "__package__": None,
        "__loader__": None,
        "__spec__": None,
        "__annotations__": {},
        "__builtins__": builtins_namespace,
        "__file__": SNIPPET_FILENAME,
        "__cached__": None,
    }


class _NoTracer:
    __slots__ = ()

    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return None


_NO_TRACER = _NoTracer()


class Start(NamedTuple):
    """The collector's state at a script's first line, before the compiler ran: generation-0
    allocations, generation-1 count, entries on each free list (see hooks.FREE_LISTS), what
    a first import of `gc` allocates, and the modules a script's `import copy` or `import
    weakref` loads (standins.ScriptImports imports those for real)."""

    before_compiler: int
    collections: int
    free_lists: dict
    imports: dict
    script_loads: tuple = ()
    import_probes: tuple = ()  # (module, what a script's first import of it allocates), ...
    # What the two start probes print under `python -I` (the collection probe, and the count
    # probe's generation-0 count), matched again in the grader's children: see calibrate_imports.
    script_collected_at: int = 0
    script_count: int = 0
    script_path: tuple = ()  # a script's sys.path (the search path of the imports it loads)


def _compile_at_script_start(
    source: str, start: Start, kept: list, holder: list, script_code, shift: int = 0
) -> None:
    """Run a script's compiler where a script's runs: after start-up left the collector's count
    and the free lists (lists, dicts and tuples reused without counting as allocations) as they
    are under `python -I`. It is CPython's own compiler on the snippet's own source (not the
    policy's tree, whose rewrites compile to other objects), so its allocations and the free
    entries it leaves are the script's by construction (grader/compiling.py). The free lists
    are empty but for what the run's set-up left. `shift` moves the count (a collector check's
    variant)."""
    for _ in range(start.collections):
        gc.collect(0)
    hooks.fill_free_lists(start.free_lists, holder)
    pending = start.before_compiler + shift - gc.get_count()[0]
    for _ in range(pending):
        kept.append(hooks.Allocation())
    script_code.compile(source)
    # A script's parser arena holds a list (its objects) from before the compiler until the
    # module's code has run; compile() freed ours, which would leave the snippet one more list to
    # reuse uncounted. Taken back here (the one just freed), the caller frees it after exec().
    holder.append([])


def _measure_start() -> Start:
    """The collector's state at a script's first line, measured by running the probes under
    `python -I` and here; no adjustment at all if the probes cannot run."""
    try:
        collected_at = int(_script_output(_COLLECTION_PROBE))
        collections = int(_script_output(_COUNT_PROBE).split()[1])
        free_lists = _free_lists_to_fill(_parse_free_lists(_script_output(_FREE_LIST_PROBE, 2)))
        # The probes below import gc as a script does (ScriptImports), so that what is measured
        # is where start-up leaves the count, not the import's cost.
        script_loads = tuple(sorted(_script_output(_LOADS_PROBE).split()))
        script_path = tuple(ast.literal_eval(_script_output(_SEARCH_PATH_PROBE)))
        start = Start(0, collections, free_lists, {}, script_loads)
        ours = _run(
            _check(_COLLECTION_PROBE)[0],
            hooks.start_run(1 << 16),
            start=start,
            source=_COLLECTION_PROBE,
        )
        start = start._replace(before_compiler=max(int(ours["stdout"]) - collected_at, 0))
        script_count, script_collections = (
            int(n) for n in _script_output(_IMPORT_GC_PROBE).split()
        )
        ours = _run(
            _check(_IMPORT_GC_PROBE)[0],
            hooks.start_run(1 << 16),
            start=start,
            source=_IMPORT_GC_PROBE,
        )
        ours_count, ours_collections = (int(n) for n in ours["stdout"].split())
    except (OSError, ValueError):
        return Start(0, 0, {}, {})
    regular = ours_collections == script_collections == collections + 1
    gc_import = script_count - ours_count if regular else 0
    import_probes = {}
    for name in _IMPORT_FIGURES:
        try:
            import_probes[name] = int(_script_output(_import_probe(name)))
        except (OSError, ValueError):
            continue
    return start._replace(
        imports={"gc": gc_import},
        import_probes=tuple(import_probes.items()),
        script_collected_at=collected_at,
        script_count=script_count if regular else 0,
        script_path=script_path,
    )


def _probe_output(source: str) -> str:
    return _run(_check(source)[0], hooks.start_run(1 << 16), source=source)["stdout"]


def _use_room(room: recursion.Room) -> None:
    global _ROOM
    _ROOM = room


def script_loads() -> tuple:
    """The modules a script's first `import copy` or `import weakref` loads (measured)."""
    return measured_start().script_loads


def script_search_path() -> tuple:
    """A script's sys.path under `python -I` (measured): where its imports look."""
    return measured_start().script_path


_START_PROBES = {"@collection": _COLLECTION_PROBE, "@count": _IMPORT_GC_PROBE}


def _import_probe(name: str) -> str:
    module, setup = _IMPORT_FIGURES[name]
    return _IMPORT_PROBE.format(module=module, setup=setup)


def import_probes() -> dict:
    """{name: source} of the probes the grader server runs in real children
    (Server.calibrate_imports): what a first import allocates (net, gc disabled), and the two
    start probes, whose figures differ a little between this process and a forked child."""
    start = measured_start()
    probes = {name: _import_probe(name) for name, _ in start.import_probes}
    return probes | (_START_PROBES if start.script_count else {})


def calibrate_imports(printed_here: dict) -> None:
    """Make the children's start and each first import what a script's are. Called once in the
    grader server before it forks the children that serve runs; `printed_here` is {name: the
    probe's output as a snippet}, from probes run with the start measured in this process.

    Each first import allocates the script's figure less what its probe printed here (with the
    real import of fresh copies of `gc`, `copy` and `weakref`). The count before the compiler
    moves by as many allocations as the children's first automatic collection in the collection
    probe comes later than the script's (both in its loop: the count before it moves one for
    one); the first `import gc` then allocates what still separates the count probe's figures."""
    global _START
    start = measured_start()
    found = {}
    for module, script in start.import_probes:
        try:
            printed = int(printed_here.get(module, ""))
            found[module] = start.imports.get(module, 0) + script - printed
        except ValueError:
            continue
    start = start._replace(imports=start.imports | found)
    try:
        later = int(printed_here["@collection"]) - start.script_collected_at
        count, collections = (int(n) for n in printed_here["@count"].split())
    except (KeyError, ValueError):
        _START = start
        return
    if collections == start.collections + 1 and abs(later) < _START_PROBE_ROOM:
        before_compiler = start.before_compiler + later
        gc_import = start.imports.get("gc", 0) + start.script_count - count
        start = start._replace(
            before_compiler=before_compiler, imports=start.imports | {"gc": gc_import}
        )
    _START = start


def import_corrections() -> dict:
    """{figure: allocations each first import makes beyond the real import of fresh copies
    (negative: frees)} in force: all 0 once the children's imports are a script's count for
    count, so that no correction has a place inside the import to be right or wrong about."""
    return dict(_START.imports)


def calibration_residuals(printed_here: dict) -> dict:
    """{probe: what the script printed less what a child printed} for the probes run again once
    calibrate_imports has been applied: all zero when the children start and import as a script
    does (the collector check then needs to allow only for the compiler's own small error)."""
    start = measured_start()
    expected = {module: str(script) for module, script in start.import_probes}
    expected["@collection"] = str(start.script_collected_at)
    residuals: dict[str, int | None] = {}
    for name, script in expected.items():
        try:
            residuals[name] = int(script) - int(printed_here[name].split()[0])
        except (KeyError, ValueError, IndexError):
            residuals[name] = None
    try:
        residuals["@count"] = start.script_count - int(printed_here["@count"].split()[0])
    except (KeyError, ValueError, IndexError):
        residuals["@count"] = None
    return residuals


# How far the children's start may be from this process's estimate for the probes to be read
# as above (no automatic collection moved into or out of them; on 3.13 the estimate is some 65
# allocations short). calibration_residuals then shows whether the children match.
_START_PROBE_ROOM = 300


def _free_lists_to_fill(in_script: dict) -> dict:
    """How many entries to put on each free list before compiling so that, once the compiler
    has taken and left its own, they hold what a script's hold at its first line: found by
    running the free-list probe's compilation here until they do (the compiler reuses entries,
    so what it leaves moves by steps: up to 8 tries)."""
    fill: dict = {}
    # The probe as a script compiles it: the policy would wrap its private attribute.
    tree = ast.parse(_FREE_LIST_PROBE, SNIPPET_FILENAME, "exec")
    for _attempt in range(8):
        found = _free_lists_after_compiling(tree, fill)
        if all(found.get(kind, 0) == n for kind, n in in_script.items()):
            break
        fill = {
            kind: max(fill.get(kind, 0) + n - found.get(kind, 0), 0)
            for kind, n in in_script.items()
        }
    return fill


def _free_lists_after_compiling(tree, fill: dict) -> dict:
    stats = _MallocStats()
    start = Start(0, 0, fill, {})
    _run(tree, hooks.start_run(1 << 16), start=start, around=stats, source=_FREE_LIST_PROBE)
    return _parse_free_lists(stats.report)


class _MallocStats:
    """Around the probe's exec(): the free lists as the snippet's first line finds them."""

    report = ""

    def __enter__(self):
        self.report = _malloc_stats()

    def __exit__(self, *exc_info):
        return None


def _malloc_stats() -> str:
    """sys._debugmallocstats(), which writes to the C stderr, captured."""
    capture, saved = os.memfd_create("grader-stats", 0), os.dup(2)
    try:
        os.dup2(capture, 2)
        sys._debugmallocstats()
        os.dup2(saved, 2)
        os.lseek(capture, 0, os.SEEK_SET)
        return os.read(capture, 1 << 20).decode()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(capture)


def _parse_free_lists(stats: str) -> dict:
    """{"dict": n, "list": n, size: n (tuples)} from sys._debugmallocstats()'s report."""
    found: dict = {}
    for line in stats.splitlines():
        words = line.split()
        if len(words) > 3 and words[1] == "free" and words[0].isdigit():
            if words[2] == "PyDictObjects":
                found["dict"] = int(words[0])
            elif words[2] == "PyListObjects":
                found["list"] = int(words[0])
            elif words[3] == "PyTupleObjects" and words[2].endswith("-sized"):
                size = int(words[2].removesuffix("-sized"))
                if size in range(1, 20):
                    found[size] = int(words[0])
    return found


def _script_output(source: str, stream: int = 1) -> str:
    """What `python -I` writes to `stream` (1 or 2) running `source` from a file (an anonymous
    one, in memory). Without subprocess or tempfile: they import threading and random, whose
    at-fork hooks every child the grader server forks would then run, at the cost of a
    hundred-odd page copies each."""
    script = os.memfd_create("grader-probe", 0)  # inherited: the interpreter opens it by path
    output, output_end = os.pipe()
    try:
        os.write(script, source.encode())
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-I", f"/dev/fd/{script}"],
            {"HOME": os.environ.get("HOME") or "/"},  # site.py reads HOME at start-up
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 3 - stream, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_DUP2, output_end, stream),
            ],
        )
    finally:
        os.close(script)
        os.close(output_end)
    try:
        printed = _read_to_end(output, time.monotonic() + _PROBE_SECONDS)
    finally:
        os.close(output)
        if printed is None:
            os.kill(pid, signal.SIGKILL)
        exit_code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if printed is None:
        raise TimeoutError(f"a start-up probe did not finish within {_PROBE_SECONDS} s")
    if exit_code:
        raise ChildProcessError(f"a start-up probe exited with status {exit_code}")
    return printed.decode()


def script_output(source: str) -> str:
    """What `python -I` of this interpreter prints running `source` (a start-up probe)."""
    return _script_output(source)


def _read_to_end(fd: int, deadline: float) -> bytes | None:
    """Everything written to the pipe until it closes, or None if the deadline comes first."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def output_bytes_of(run: hooks.Run) -> int:
    return sum(len(chunk.encode("utf-8")) for chunk in run.chunks)


def _classify(error: BaseException):
    """(status, exception line, snippet line, the exit's reason) of an uncaught exception."""
    line = _snippet_line(error.__traceback__)
    if isinstance(error, SystemExit):  # no traceback: the message, if any, and the exit status
        status, printed, reason = exits.system_exit(error)
        return status, printed, line if status != Status.OK else None, reason
    if isinstance(error, MemoryError):
        return Status.MEMORY, _last_line(error), line, None
    if isinstance(error, (hooks.PolicyRefusal, hooks.OutputLimitReached)):
        return Status.OK, None, None, None  # recorded on the run, which decides the status
    if isinstance(error, BaseExceptionGroup):
        return Status.RAISED, exits.group_last_line(error), line, None
    return Status.RAISED, _last_line(error), line, None


def _finalize_at_exit(
    main: list, builtins_namespace, imported, failure, finalizers_before, breadth_first=False
):
    """CPython's Py_FinalizeEx, as far as a program's own objects can tell.

    `main` holds the only reference to the snippet's globals. Dropping it is what removing
    `__main__` from sys.modules does: the globals die at once, or, when functions and classes
    tie them into cycles (the usual case), in the collection that follows, in its order.
    """
    _run_exit_finalizers(finalizers_before)
    if gc.isenabled():  # PyGC_Collect, before the modules go (skipped when gc is disabled)
        if breadth_first:  # 3.13's order, or a collector check's other order
            collector.requeue_breadth_first(main[0])
        _collect_with_main_alive(main[0])
    failure.clear()  # sys.last_exc goes: the failed frames' locals are released
    kept_sys = [module for module in imported if module.__name__ == "sys"]
    imported.clear()
    main.clear()
    gc.collect()
    for module in kept_sys:  # sys and builtins are wiped last, name by name
        _clear_module_dict(module.__dict__)
    _clear_module_dict(builtins_namespace)
    gc.collect()


# CPython 3.13 finalises the globals' objects at exit breadth-first from the globals dict, as if
# every object were younger than it (3.12 keeps older ones in allocation order): measured with
# `python -m grader.fidelity_probe` against python -I.
_BREADTH_FIRST_AT_EXIT = sys.version_info >= (3, 13)

# Thresholds no count reaches: from the end of the snippet's code, CPython runs no Python code
# that could start an automatic collection (a scheduled one runs at the next eval-breaker check,
# and the grader's own code after exec() has many), only the explicit collections of finalisation.
_NO_AUTOMATIC_COLLECTION = (1 << 30, 1 << 30, 1 << 30)


def _collect_if_due(thresholds: tuple) -> None:
    """The automatic collection CPython starts, if one is due, when it prints the traceback or
    flushes stdout at exit: one more allocation, then a check (our empty call's first line)."""
    gc.set_threshold(*thresholds)
    _check_for_due_collection(_Allocation())  # not a list: those come from a free list uncounted
    gc.set_threshold(*_NO_AUTOMATIC_COLLECTION)


class _Allocation:
    pass


def _check_for_due_collection(_allocated: _Allocation) -> None:
    pass


def _collect_with_main_alive(namespace: dict) -> None:
    """The full collection Py_FinalizeEx runs while `__main__` still exists.

    It decides the order in which the globals' objects are finalised later: the survivors end up
    in the oldest generation in the order its scan leaves them. CPython's globals dict is reached
    from sys.modules in place, so objects after it in the collector's list stay in place and
    younger ones before it are queued again in dict order. Our argument is a reference from
    outside the collector, which makes the dict such a root in place too.
    """
    gc.collect()


def _run_exit_finalizers(before: set) -> None:
    """weakref.finalize's atexit hook, limited to this run's finalizers (newest first)."""
    registry = weakref.finalize._registry  # type: ignore[attr-defined]
    pending = [f for f, info in registry.items() if info.atexit and f not in before]
    if not pending:
        weakref.finalize._shutdown = True  # type: ignore[attr-defined]
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        while pending:
            pending.sort(key=lambda f: registry[f].index)
            while pending:
                finalizer = pending.pop()
                try:
                    finalizer()
                except BaseException:  # noqa: BLE001, S110 - CPython prints it to stderr
                    pass
            pending = [f for f, info in registry.items() if info.atexit and f not in before]
    finally:
        weakref.finalize._shutdown = True  # type: ignore[attr-defined]
        if enabled:
            gc.enable()


def _clear_module_dict(namespace: dict) -> None:
    """_PyModule_ClearDict: names with one leading underscore first, then all but __builtins__."""
    names = list(namespace)  # keys only: holding the values would delay their finalisation
    for name in names:
        if name[:1] == "_" and name[1:2] != "_" and namespace.get(name) is not None:
            namespace[name] = None
    for name in names:
        if name != "__builtins__" and namespace.get(name) is not None:
            namespace[name] = None


_START = Start(0, 0, {}, {})  # until measured_start() runs: no adjustment
_ROOM = recursion.Room(None, None)
_measured = False


def measured_start() -> Start:
    """The collector's state at a script's first line, measured on first use and kept: the
    probes start `python -I` several times, which no import may do. The grader server asks
    right after importing this module, before it forks any child."""
    global _START, _ROOM, _measured
    if not _measured:
        _START, _measured = _measure_start(), True
        # The recursion room's probe runs the executor, with the start just measured.
        _ROOM = recursion.measure(_script_output, _probe_output, _use_room)
    return _START
