"""The grader server: a warm process that forks one fresh, confined child per snippet.

The caller (`grader.pool`) starts it with an empty environment, in isolated mode, in an empty
directory. It imports the executor once, freezes its heap for the garbage collector (so the
children's collections never touch, and copy, the inherited pages), checks at start-up that the
sandbox really holds, and then hands each of the caller's connections a child ahead of demand: an
idle child is already confined and blocked reading its request, and the caller holds its pipes, so
a run costs two pipe writes and the snippet itself, with no stop in the server. The server stays
the children's parent: it enforces the wall-clock limit and tells how a child died. Only JSON made
of strings and numbers leaves a child.
"""

import functools
import gc
import json
import math
import os
import platform
import resource
import select
import selectors
import signal
import socket
import sys
import time
import warnings
from collections import deque
from typing import Any

from grader import immortal, interned, sandbox, schema, wire
from grader.constants import DEFAULT_LIMITS, DEFAULT_OUTPUT_BYTES, Status

_WARM_UP_SOURCE = """\
def pair(x, y=2):
    return [x, y]
class Box:
    def __init__(self):
        self.items = pair(1)
box = Box()
for index, item in enumerate(box.items):
    print(index, item is box.items[index], sep="-")
"""
# How much nicer the server and idle children are than runs; a child that has sent its result
# exits at the lowest priority.
_BOOKKEEPING_NICENESS = 10
_EXIT_NICENESS = 19
# A child's exit status when its own code failed (sysexits' EX_SOFTWARE), told apart from 0.
_CHILD_FAILED = 70
# Idle children per connection: each then has a few runs' time to warm up before its own run.
_CHILDREN_AHEAD = 2
# An idle child that waited this long to run since its fork, a yield included, finds every CPU
# busy (a time slice of the task that took its CPU: a millisecond or more), not a free one (us).
_BUSY_WAIT_NS = 1_000_000
_SELF_CHECK_SNIPPET = "print(6 * 7)"
# grader.Limits()'s defaults, as plain data: the server does not import grader.outcome, whose
# dataclasses pull in inspect and a megabyte of heap that every fork would copy the page tables of.
_SELF_CHECK_LIMITS = DEFAULT_LIMITS
_SELF_CHECK_CPU_SECONDS = 0.05


class Child:
    """A forked child, from its fork until the caller no longer needs its exit status."""

    __slots__ = ("pid", "pidfd", "request_fd", "result_fd", "connection", "job", "wait_status")

    def __init__(self, pid: int, request_fd: int, result_fd: int):
        self.pid, self.request_fd, self.result_fd = pid, request_fd, result_fd
        self.pidfd = -1  # opened when it is handed to the caller
        self.connection: socket.socket | None = None  # the caller's connection it was handed to
        self.job: Job | None = None  # set when the caller starts a run on it
        self.wait_status: int | None = None  # set when it has exited


class Job:
    """A run the caller has started on a child: its time limits, and what the server did."""

    def __init__(self, cpu_seconds: float, wall_seconds: float):
        self.cpu_seconds, self.wall_seconds = cpu_seconds, wall_seconds
        self.deadline = time.monotonic() + wall_seconds
        self.killed_at_deadline = False
        self.verdict_wanted = False


class Server:
    """Hands each of the caller's connections a confined child ahead of demand, enforces the
    wall-clock limit of the runs the caller starts, and reports how a child died if asked.

    A run's request and result go straight between the caller and the child over the child's
    pipes: the caller writes the request, then tells the server the run has started (limits
    and all); the server hands the connection the next child at once. Only when the result
    pipe closes without a whole result does the caller ask the server for the child's fate.
    """

    def __init__(self, connections, workdir: str, execute, compile_snippet):
        self.connections = connections
        self.workdir = workdir
        self.execute = execute
        self.compile_snippet = compile_snippet
        self.devnull = os.open(os.devnull, os.O_WRONLY)
        self.children: dict[int, Child] = {}  # by pid
        self.owed: deque[socket.socket] = deque()  # children owed to connections
        self.selector = selectors.DefaultSelector()
        self.run_niceness: int | None = None  # set if the server runs nicer than its runs

    def yield_to_runs(self) -> str:
        """Run the server (forks, messages) and its idle children (warming up) at a lower
        priority than snippet runs, which get the caller's priority back, so that a run never
        waits for the CPU behind them. Only a process allowed to lower its niceness again (root,
        or RLIMIT_NICE) can give a child the caller's priority back; otherwise all stay equal."""
        niceness = os.getpriority(os.PRIO_PROCESS, 0)
        limit = resource.getrlimit(resource.RLIMIT_NICE)[0]
        lowest = -20 if limit == resource.RLIM_INFINITY else 20 - limit  # that it may set
        if os.geteuid() != 0 and niceness < lowest:
            return f"all at niceness {niceness} (unprivileged)"
        self.run_niceness = niceness
        os.setpriority(os.PRIO_PROCESS, 0, niceness + _BOOKKEEPING_NICENESS)
        lowered = niceness + _BOOKKEEPING_NICENESS
        return f"runs at niceness {niceness}, server and idle children at {lowered}"

    # --- children ---------------------------------------------------------------------------

    def spawn(self, *, warm: bool = False) -> Child:
        request_read, request_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = _CHILD_FAILED  # unless _child_main returns: an exit 0 is a normal end
            try:
                self._child_main(request_read, result_write, warm)
                status = 0
            finally:
                os._exit(status)
        os.close(request_read)
        os.close(result_write)
        return Child(pid, request_write, result_read)

    def _child_main(self, request_read: int, result_write: int, warm: bool) -> None:
        os.dup2(request_read, 0)
        os.dup2(result_write, 1)
        os.dup2(self.devnull, 2)
        # Warming up (our own fixed source, nothing of the caller's yet) comes before the
        # confinement because it runs at the server's lower priority, and only a process that
        # has not dropped its privileges yet may take the caller's priority back after it.
        if warm and _cpu_free():
            self._warm_up()
        if self.run_niceness is not None:  # the caller's priority back, for the run itself
            os.setpriority(os.PRIO_PROCESS, 0, self.run_niceness)
        sandbox.confine(self.workdir)
        request = wire.read_frame(0, wire.MAX_REQUEST_BYTES)
        if request is None:
            return
        job = json.loads(request)
        sandbox.apply_run_limits(job["cpu_seconds"], job["memory_mb"])
        try:
            if job.get("probe"):
                result = sandbox.probe(job["memory_mb"])
            else:
                result = self.execute(
                    job["source"],
                    output_bytes=job["output_bytes"],
                    trace=job["trace"],
                    heap_frozen=True,
                    collector_variant=job.get("collector"),
                    misconception=job.get("misconception"),
                )
            payload = json.dumps(result).encode()
        except Exception as error:  # a bug in the executor: report it rather than vanish
            failure = f"the executor failed: {type(error).__name__}: {error}"
            payload = json.dumps(schema.crashed(failure)).encode()
        try:
            wire.write_frame(1, payload)
        except BrokenPipeError:  # the caller refused it (over its output limit): a normal end
            return
        os.setpriority(os.PRIO_PROCESS, 0, _EXIT_NICENESS)  # tearing down its memory can wait

    def _warm_up(self) -> None:
        """Compile a typical snippet (never run it) and decode and encode a request and a result
        like a run's while idle, so that the pages the compiler and the json module touch are
        copied now rather than while the caller waits: after a fork, each first write to an
        inherited page (a reference count, say) costs a page fault and a copy. Skipped if the
        request has come already: the caller is waiting."""
        if select.select([0], [], [], 0)[0]:
            return
        self.compile_snippet(_WARM_UP_SOURCE)
        request = {"source": _WARM_UP_SOURCE, "trace": False, **_SELF_CHECK_LIMITS}
        json.loads(json.dumps(request))
        json.dumps(schema.crashed(_WARM_UP_SOURCE)).encode()
        gc.collect()  # the compiler leaves cyclic garbage; a snippet's first gc.collect() sees none

    def hand_child(self, connection: socket.socket) -> None:
        """Fork a child for `connection` and pass it its pipes; the server keeps only a pidfd.

        The child warms up while idle only if a CPU is free for it when it starts (see
        _cpu_free): a warm-up moves ~1 ms of a run's page copying off its path but costs ~1.5 ms
        of CPU, which only slows the runs down when every CPU is busy (throughput). Busy with
        anything on the machine: another grader worker's runs, a web process, not only this
        server's callers.
        """
        child = self.spawn(warm=True)
        pipes = (child.request_fd, child.result_fd)
        try:
            wire.send_message(connection, {"child": child.pid}, pipes)
        except OSError:  # the caller has gone
            _kill_quietly(child.pid)
            os.waitpid(child.pid, 0)
            self._drop_connection(connection)
            return
        finally:
            for fd in pipes:
                os.close(fd)
        child.pidfd = os.pidfd_open(child.pid)
        child.connection = connection
        self.children[child.pid] = child
        self.selector.register(child.pidfd, selectors.EVENT_READ, ("exit", child))

    def _hand_owed_children(self) -> None:
        """Every child is forked here, at one depth of the server's stack: the executor's
        frame walk sees the same frames in every child (see execute._run)."""
        while self.owed:
            connection = self.owed.popleft()
            if connection in self.connections:
                self.hand_child(connection)

    def on_child_exit(self, child: Child) -> None:
        self.selector.unregister(child.pidfd)
        os.close(child.pidfd)
        child.wait_status = os.waitpid(child.pid, 0)[1]
        connection = child.connection
        assert connection is not None  # set when it was handed over, before it was watched
        if child.job is None:  # ended before the server read that it started: another is owed
            del self.children[child.pid]
            self.owed.append(connection)
            # An exit with status 0 is a child's normal end: it ran its snippet and sent the
            # result before this server (at a lower priority) read the run's "start", or its
            # caller closed its pipes unused. A killed or failed child is the operator's clue,
            # which the caller logs.
            if connection in self.connections and child.wait_status != 0:
                how = _how_it_ended(child.wait_status)
                self._reply(connection, {"replaced": child.pid, "reason": how})
        elif child.job.verdict_wanted:
            self._send_verdict(child)

    # --- the caller's messages --------------------------------------------------------------

    def on_connection_readable(self, connection: socket.socket) -> None:
        try:
            message, fds = wire.receive_message(connection)
        except (OSError, ValueError):
            message, fds = None, []
        for fd in fds:  # the caller never sends any
            os.close(fd)
        if not isinstance(message, dict):
            self._drop_connection(connection)
        elif "start" in message:
            self.start(connection, message)
        elif "verdict" in message:
            self.want_verdict(connection, message["verdict"])

    def start(self, connection: socket.socket, message: dict) -> None:
        """The caller has sent a run's request to one of its children: arm the wall-clock
        limit, forget the connection's earlier runs, and hand it the next child."""
        for earlier in list(self.children.values()):
            if earlier.connection is connection and earlier.wait_status is not None:
                del self.children[earlier.pid]
        child = self.children.get(message["start"])
        if child is None or child.connection is not connection or child.job is not None:
            return  # it died idle and has been replaced already
        child.job = Job(message["cpu_seconds"], message["wall_seconds"])
        self.owed.append(connection)

    def want_verdict(self, connection: socket.socket, pid: int) -> None:
        child = self.children.get(pid)
        if child is None or child.connection is not connection or child.job is None:
            unknown = ["the grader server has no record of this run"]
            self._reply(connection, {"verdict": pid, "status": Status.CRASHED, "reasons": unknown})
        elif child.wait_status is None:
            child.job.verdict_wanted = True  # answered when it exits
        else:
            self._send_verdict(child)

    def _send_verdict(self, child: Child) -> None:
        del self.children[child.pid]
        assert child.job and child.wait_status is not None and child.connection is not None
        status, reasons = _death_verdict(child.job, child.wait_status)
        verdict = {"verdict": child.pid, "status": status, "reasons": reasons}
        self._reply(child.connection, verdict)

    def _reply(self, connection: socket.socket, message: dict) -> None:
        try:
            wire.send_message(connection, message)
        except OSError:  # the caller has gone
            self._drop_connection(connection)

    def _drop_connection(self, connection: socket.socket) -> None:
        if connection not in self.connections:
            return
        self.connections.remove(connection)
        self.selector.unregister(connection)
        connection.close()
        for child in self.children.values():
            if child.connection is connection and child.wait_status is None:
                _kill_quietly(child.pid)

    # --- the loop ---------------------------------------------------------------------------

    def _enforce_deadlines(self) -> float | None:
        """Kill the children whose run is past its wall-clock limit; the seconds until the next
        deadline, or None if no run has one pending."""
        now, next_deadline = time.monotonic(), None
        for child in self.children.values():
            job = child.job
            if job is None or child.wait_status is not None or job.killed_at_deadline:
                continue
            if now >= job.deadline:
                job.killed_at_deadline = True
                _kill_quietly(child.pid)
            elif next_deadline is None or job.deadline < next_deadline:
                next_deadline = job.deadline
        return None if next_deadline is None else next_deadline - now

    def serve_forever(self) -> None:
        self.selector.register(0, selectors.EVENT_READ, ("caller", None))
        for connection in self.connections:
            self.selector.register(connection, selectors.EVENT_READ, ("message", connection))
        self.owed.extend(self.connections * _CHILDREN_AHEAD)
        while True:
            self._hand_owed_children()
            for key, _ in self.selector.select(self._enforce_deadlines()):
                kind, target = key.data
                if kind == "caller":
                    if not os.read(0, 4096):  # the caller has gone: so does the grader
                        self.shut_down()
                        return
                elif kind == "message":
                    if target in self.connections:
                        self.on_connection_readable(target)
                elif target.pid in self.children and target.wait_status is None:
                    self.on_child_exit(target)

    def shut_down(self) -> None:
        for child in self.children.values():
            if child.wait_status is None:
                _kill_quietly(child.pid)

    # --- start-up self-check ----------------------------------------------------------------

    def self_check(self) -> tuple[dict, list[str]]:
        """Run the sandbox's probe and two snippets in real children; list what does not hold."""
        limits = _SELF_CHECK_LIMITS
        report = self._run_synchronously({"probe": True, **limits})
        problems = []
        if not isinstance(report, dict) or "limits" not in report:
            return {}, [f"the probe child did not report: {report}"]
        expected_limits = {
            **sandbox.FIXED_LIMITS,
            "RLIMIT_CPU": math.ceil(limits["cpu_seconds"]),
            "RLIMIT_AS": limits["memory_mb"] * 1024 * 1024,
        }
        for name, value in expected_limits.items():
            if report["limits"].get(name) != value:
                problems.append(f"{name} is {report['limits'].get(name)}, not {value}")
        for capability in ("fork", "file_write", "allocate_memory_limit"):
            if not report[capability].startswith("denied"):
                problems.append(f"a confined process can still {capability}: {report[capability]}")
        if report["environment"]:
            problems.append(f"the environment is not empty: {report['environment']}")
        if (
            report["workdir_entries"] not in ("allowed: 0",)
            and "denied" not in (report["workdir_entries"])
        ):
            problems.append(f"the working directory is not empty: {report['workdir_entries']}")
        trivial = self._run_synchronously({"source": _SELF_CHECK_SNIPPET, "trace": False, **limits})
        if not (isinstance(trivial, dict) and trivial.get("stdout") == "42\n"):
            problems.append(f"{_SELF_CHECK_SNIPPET!r} did not print 42: {trivial}")
        busy = self._run_synchronously(
            {
                "source": "while True:\n    pass\n",
                "trace": False,
                **limits,
                "cpu_seconds": _SELF_CHECK_CPU_SECONDS,
            }
        )
        if busy != f"killed by {signal.SIGPROF.name}":
            problems.append(f"a busy loop was not stopped by the CPU limit: {busy}")
        return report, problems

    def calibrate_imports(self, probes: dict, calibrate):
        """Run the executor's import probes in real children, as snippets run, and hand their
        output to `calibrate` (execute.calibrate_imports, or calibration_residuals, whose
        report it returns) before any child serves a run."""
        limits = _SELF_CHECK_LIMITS
        printed = {}
        for module, source in probes.items():
            result = self._run_synchronously({"source": source, "trace": False, **limits})
            if isinstance(result, dict) and result.get("status") == Status.OK:
                printed[module] = result["stdout"]
        return calibrate(printed)

    def calibrate_string_counts(self, script_output) -> list[str]:
        """3.13: run the counts of the strings that may differ from a script's (interned.py)
        twice in real children, and refuse those printed otherwise than by `python -I` (listed
        in the hello). Both rounds run before any is refused (a refusal stops a run)."""
        job = {"trace": False, **_SELF_CHECK_LIMITS}
        printed = []
        for words, source in interned.calibration_snippets():
            by_script = script_output(source)
            for _round in range(2):
                result = self._run_synchronously({**job, "source": source})
                here = result.get("stdout") if isinstance(result, dict) else None
                printed.append((words, here, by_script))
        return interned.calibrate(printed)

    def _run_synchronously(self, job: dict):
        """Run one job in a new child and wait at most 2 s; its result dict, or what happened."""
        child = self.spawn()
        wire.write_frame(child.request_fd, json.dumps(job).encode())
        os.close(child.request_fd)
        ready, _, _ = select.select([child.result_fd], [], [], 2.0)
        if not ready:
            _kill_quietly(child.pid)
        try:
            payload = wire.read_frame(child.result_fd, wire.result_cap(DEFAULT_OUTPUT_BYTES))
        except wire.FrameTooLarge:
            payload = None
        os.close(child.result_fd)
        _kill_quietly(child.pid)
        wait_status = os.waitpid(child.pid, 0)[1]
        if not ready:
            return "no answer within 2 s"
        if payload is not None:
            return json.loads(payload)
        if os.WIFSIGNALED(wait_status):
            return f"killed by {signal.Signals(os.WTERMSIG(wait_status)).name}"
        return f"exited with status {wait_status} without a result"


def _cpu_free() -> bool:
    """Whether a CPU is free for this idle child, just forked: it yields its CPU once, and one is
    free if, all told since the fork, it waited less than _BUSY_WAIT_NS to run (the kernel's
    run_delay, the second field of /proc/self/schedstat, which starts at zero in a new process).
    Where every CPU is busy, the yield lets a task waiting for this one run first, for a time
    slice of a millisecond or more; where one is idle, it costs microseconds. The runs must have
    a higher priority than the idle child (yield_to_runs): at equal priorities the yield seldom
    hands the CPU over, and a child mostly warms up, as before. Without schedstat (a kernel built
    without it), it takes a CPU to be free, as before."""
    os.sched_yield()
    try:
        fd = os.open("/proc/self/schedstat", os.O_RDONLY)
    except OSError:
        return True
    try:
        waited_ns = int(os.read(fd, 128).split()[1])
    finally:
        os.close(fd)
    return waited_ns < _BUSY_WAIT_NS


def _death_verdict(job: Job, wait_status: int) -> tuple[str, list[str]]:
    """Why a child ended without sending a whole result, from its wait status."""
    if job.killed_at_deadline:
        return Status.TIMEOUT, [f"wall-clock limit of {job.wall_seconds} s exceeded"]
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        if number in (signal.SIGXCPU, signal.SIGPROF):
            return Status.TIMEOUT, [f"CPU time limit of {job.cpu_seconds} s exceeded"]
        name = signal.Signals(number).name
        return Status.CRASHED, [f"the snippet's process was killed by {name}"]
    code = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else wait_status
    return Status.CRASHED, [f"the snippet's process exited (status {code}) without a result"]


def _how_it_ended(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        return f"killed by {signal.Signals(os.WTERMSIG(wait_status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(wait_status)}"


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main(argv: list[str]) -> None:
    """Entry point: argv is the fds of the caller's connections, one per run at a time."""
    connection_fds = [int(arg) for arg in argv]
    for fd in connection_fds:  # no process the server starts (the executor's probes) gets them
        os.set_inheritable(fd, False)
    os.environ.clear()  # started empty; this drops the LC_CTYPE that locale coercion (PEP 538) adds
    # Warnings go to stderr, which no outcome reports; formatting them would only cost time.
    warnings.simplefilter("ignore")
    network = sandbox.cut_network()
    hello: dict[str, Any] = {
        "pid": os.getpid(),
        "python_version": platform.python_version(),
        "environment": sorted(os.environ),
        "in_force": {"network": network},
    }
    try:
        from grader.execute import (
            calibrate_imports,
            calibration_residuals,
            execute,
            import_corrections,
            import_probes,
            measured_start,
            script_loads,
            script_output,
            script_search_path,
        )
        from grader.policy import compile_snippet
        from grader.standins import prepare_script_imports
    except Exception as error:
        problem = f"cannot import the executor: {error}"
        _say_hello({**hello, "ready": False, "problems": [problem]})
        return
    measured_start()  # the probes, once, in the state every child is forked from
    _preload_lazy_imports()
    sandbox.open_library_dirs()
    prepare_script_imports(script_loads(), script_search_path())
    # Last of the imports: the strings they made immortal that a script's would not (3.13).
    hello["in_force"]["leaked_interned_strings"] = len(interned.find_leaked(script_output))
    connections = [socket.socket(fileno=fd) for fd in connection_fds]
    server = Server(connections, os.getcwd(), execute, compile_snippet)
    gc.collect()
    if immortal.supported():
        hello["in_force"]["immortal_objects"] = immortal.immortalize_heap(_snippet_visible_roots())
    gc.freeze()
    report, problems = server.self_check()
    # Last, in the state the children that serve runs are forked in (a frozen heap, immortal
    # objects): what a first import allocates there depends on it. Twice: the second round
    # corrects what the children's start still differs by once the first is applied.
    for _round in range(2):
        server.calibrate_imports(import_probes(), calibrate_imports)
    residuals = server.calibrate_imports(import_probes(), calibration_residuals)
    hello["in_force"]["strings_counted_otherwise"] = server.calibrate_string_counts(script_output)
    hello["in_force"]["collector_start_residuals"] = residuals
    hello["in_force"]["first_import_corrections"] = import_corrections()
    hello["in_force"]["priorities"] = server.yield_to_runs()
    hello["in_force"].update(report)
    hello["django_modules"] = sorted(name for name in sys.modules if name.startswith("django"))
    if hello["django_modules"]:
        problems.append("Django is imported in the grader server")
    _say_hello({**hello, "ready": not problems, "problems": problems})
    if not problems:
        server.serve_forever()


def _snippet_visible_roots() -> list:
    """What the sandbox hands a snippet, whose reference counts it can see: the builtins, the
    stand-ins' members and specs, and the classes of the objects it gives out at run time; and
    what a script's first imports free (standins.freed_by_first_imports)."""
    from grader import hooks, standins

    roots = [*hooks.base_builtins().values(), *standins.shared_objects()]
    roots += standins.freed_by_first_imports()
    roots += [hooks.TextSink, hooks.PolicyRefusal, hooks.OutputLimitReached, functools.partial]
    return roots


def _preload_lazy_imports() -> None:
    """unicodedata, which the compiler imports for `"\\N{...}"` escapes: every child would
    otherwise load it again from its file."""
    import unicodedata  # noqa: F401


def _say_hello(hello: dict) -> None:
    os.write(1, json.dumps(hello).encode() + b"\n")
