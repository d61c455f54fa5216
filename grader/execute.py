"""Run one snippet in the current process and report what CPython would have shown.

Called inside the grader's sandboxed child (see grader/server.py); it applies no OS limits itself.
Besides compiling under the policy and running, it reproduces what `python -I snippet.py` does
around a program: collect the garbage left before the program starts, print into one stdout,
report the last line of the traceback, and finalise at exit in CPython's order (atexit's
weakref.finalize callbacks, the failed program's traceback, a collection, `__main__`'s globals
cleared name by name, the builtins cleared, a last collection).
"""

import gc
import os
import select
import signal
import sys
import time
import traceback
import weakref
from contextlib import nullcontext
from functools import partial

from grader import hooks, standins
from grader.policy import SNIPPET_FILENAME, compile_counted
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
while len(kept) < 1500:
    kept.append([])
"""
_COUNT_PROBE = "import gc\nprint(*gc.get_count())\n"
_PROBE_SECONDS = 20


def execute(source: str, *, output_bytes: int, trace: bool = False) -> dict:
    """Compile and run `source`; never raises. With `trace`, also the run's "trace" (issue 5)."""
    try:
        return _execute(source, output_bytes, trace)
    except BaseException as error:  # noqa: BLE001 - a failure of the grader itself, reported
        failure = f"the executor failed: {type(error).__name__}: {error}"
        return _result("crashed", reasons=[failure])


def _result(status, stdout="", exception=None, exception_line=None, reasons=()):
    return {
        "status": status,
        "stdout": stdout,
        "exception": exception,
        "exception_line": exception_line,
        "reasons": list(reasons),
    }


def _compile(source: str):
    limit, enabled = sys.getrecursionlimit(), gc.isenabled()
    sys.setrecursionlimit(max(limit, COMPILE_RECURSION_LIMIT))
    gc.disable()  # so that the compiler's allocations can be counted
    try:
        return compile_counted(source)
    finally:
        sys.setrecursionlimit(limit)
        if enabled:
            gc.enable()


def _syntax_error(error: SyntaxError, source: str) -> dict:
    if "\0" in source:  # CPython's file reader words it so, at the line holding the NUL
        line = source.count("\n", 0, source.index("\0")) + 1
        return _result(
            "raised",
            exception="SyntaxError: source code cannot contain null bytes",
            exception_line=line,
        )
    return _result("raised", exception=_last_line(error), exception_line=error.lineno)


def _last_line(error: BaseException) -> str:
    """The last line CPython's traceback would print (message, suggestion or note)."""
    shown = traceback.TracebackException(
        type(error), error, error.__traceback__, lookup_lines=False, compact=True
    )
    return "".join(shown.format_exception_only()).rstrip("\n").rpartition("\n")[2]


def _snippet_line(tb) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _frame_depth() -> int:
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def _execute(source: str, output_bytes: int, trace: bool = False) -> dict:
    run = hooks.start_run(output_bytes)
    froze = gc.get_freeze_count() == 0  # the grader server freezes its heap before forking
    if froze:
        gc.freeze()  # host objects: never scanned by the snippet's collections
    try:
        try:
            # `tree` stays referenced until the run ends, as a script's does (see policy.py).
            code, reasons, allocations, tree = _compile(source)
        except SyntaxError as error:
            return _syntax_error(error, source)
        if code is None:
            return _result("rejected", reasons=reasons)
        return _run(code, run, allocations, trace=trace)
    finally:
        if froze:
            gc.unfreeze()


def _run(code, run: hooks.Run, allocations: int, start=None, trace=False) -> dict:
    # What exists now (the compiler's cyclic garbage, the code's constant tuples, still tracked
    # as in a fresh script) is not the snippet's: its collections must neither find nor untrack it.
    gc.freeze()
    gc.collect()
    stdout, stderr = hooks.stdout_sink(run), hooks.stderr_sink()
    imported: list = []
    start = start or _START
    importer = standins.importer(run, stdout, stderr, imported, start[2])
    builtins_namespace = hooks.sandbox_builtins(importer)
    main = [{"__name__": "__main__", "__doc__": None, "__builtins__": builtins_namespace}]
    printed = partial(printed_so_far, run)
    tracer = Tracer(code, main[0], stdout=printed) if trace else nullcontext()
    saved = sys.stdout, sys.stderr, sys.getrecursionlimit(), gc.isenabled()
    finalizers_before = set(weakref.finalize._registry)
    failure: list[BaseException] = []  # the only reference to an uncaught exception
    status, exception, line = "ok", None, None
    sys.stdout, sys.stderr = stdout, stderr
    # Same room for recursion as a script, whose module frame is the first frame.
    sys.setrecursionlimit(saved[2] + _frame_depth())
    thresholds = gc.get_threshold()
    try:
        start_objects = _start_collector(allocations, start)  # noqa: F841 - kept alive
        try:
            with tracer:
                try:
                    exec(code, main[0])
                finally:  # a script runs no automatic collection once its code has ended
                    gc.set_threshold(*_NO_AUTOMATIC_COLLECTION)
        except BaseException as error:  # noqa: BLE001 - the snippet's, reported as CPython does
            error = error.with_traceback(error.__traceback__.tb_next)  # not this frame
            failure.append(error)
            status, exception, line = _classify(error)
            del error
        if failure or run.pending is not None:  # CPython writes the traceback or the rest
            _collect_if_due(thresholds)  # of stdout, which can start a due collection
        _finalize_at_exit(main, builtins_namespace, imported, failure, finalizers_before)
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        sys.setrecursionlimit(saved[2])
        (gc.enable if saved[3] else gc.disable)()
        gc.set_threshold(*thresholds)
        weakref.finalize._shutdown = False
    traced = {"trace": tracer.result(final_stdout=run.stdout())} if trace else {}
    if run.refusals:
        return _result("rejected", run.stdout(), reasons=run.refusals) | traced
    if run.overflowed:
        reason = f"the output exceeded the limit of {output_bytes_of(run)} bytes"
        return _result("output_limit", run.stdout(), reasons=[reason]) | traced
    reasons = ["the snippet ran out of memory (MemoryError)"] if status == "memory" else []
    return _result(status, run.stdout(), exception, line, reasons) | traced


def _start_collector(compiler_allocations: int, start: tuple) -> list:
    """Put the collector where CPython's is at a script's first line: `start` is (generation-0
    allocations before the compiler ran, generation-1 count); returns the objects that make up
    the generation-0 count, which must stay alive for the run."""
    before_compiler, collections, _imports = start
    for _ in range(collections):
        gc.collect(0)
    pending = before_compiler + compiler_allocations - gc.get_count()[0]
    if pending > gc.get_threshold()[0]:  # CPython collects at the script's first instruction
        gc.collect(0)
        return []
    return [[] for _ in range(pending - 1)] if pending > 1 else []


def _measure_start() -> tuple[int, int, dict]:
    """(generation-0 allocations before a script's compilation, generation-1 count, objects a
    first `import gc` leaves allocated), measured by running the probes under `python -I` and
    here; no adjustment at all if the probes cannot run."""
    try:
        cpython = _run_probes_in_cpython()
        collected_at, (count_after_import, collections) = int(cpython[0]), cpython[1:3]
        code, _reasons, allocations, _tree = _compile(_COLLECTION_PROBE)
        ours = _run(code, hooks.start_run(1 << 16), 0, start=(0, collections, {}))
        before_compiler = int(ours["stdout"]) - collected_at - allocations
        code, _reasons, allocations, _tree = _compile(_COUNT_PROBE)
        start = (before_compiler, collections, {})
        ours = _run(code, hooks.start_run(1 << 16), allocations, start=start)
        ours_count, ours_collections = (int(n) for n in ours["stdout"].split()[:2])
    except (OSError, ValueError):
        return 0, 0, {}
    gc_import = count_after_import - ours_count if ours_collections == collections else 0
    return max(before_compiler, 0), collections, {"gc": max(gc_import, 0)}


def _run_probes_in_cpython() -> list[int]:
    """Run the probes as scripts (a file, not stdin: start-up differs) under `python -I`.

    Without subprocess or tempfile: they import threading and random, whose at-fork hooks every
    child the grader server forks would then run, at the cost of a hundred-odd page copies each.
    """
    numbers = []
    for probe in (_COLLECTION_PROBE, _COUNT_PROBE):
        numbers += [int(n) for n in _script_output(probe).split()[:2]]
    return numbers


def _script_output(source: str) -> str:
    """What `python -I` prints running `source` from a file (an anonymous one, in memory)."""
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
                (os.POSIX_SPAWN_DUP2, output_end, 1),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
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


def _read_to_end(fd: int, deadline: float) -> bytes | None:
    """Everything written to the pipe until it closes, or None if the deadline comes first."""
    chunks = []
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
    if isinstance(error, SystemExit):
        return "ok", None, None  # a script that exits prints no traceback
    line = _snippet_line(error.__traceback__)
    if isinstance(error, MemoryError):
        return "memory", _last_line(error), line
    if isinstance(error, (hooks.PolicyRefusal, hooks.OutputLimitReached)):
        return "ok", None, None  # recorded on the run, which decides the status
    return "raised", _last_line(error), line


def _finalize_at_exit(main: list, builtins_namespace, imported, failure, finalizers_before):
    """CPython's Py_FinalizeEx, as far as a program's own objects can tell.

    `main` holds the only reference to the snippet's globals. Dropping it is what removing
    `__main__` from sys.modules does: the globals die at once, or, when functions and classes
    tie them into cycles (the usual case), in the collection that follows, in its order.
    """
    _run_exit_finalizers(finalizers_before)
    if gc.isenabled():  # PyGC_Collect, before the modules go (skipped when gc is disabled)
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
    registry = weakref.finalize._registry
    pending = [f for f, info in registry.items() if info.atexit and f not in before]
    if not pending:
        weakref.finalize._shutdown = True
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
        weakref.finalize._shutdown = True
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


_START = (0, 0, {})
_START = _measure_start()
