"""The grader server: a warm process that forks one fresh, confined child per snippet.

The caller (`grader.pool`) starts it with an empty environment, in isolated mode, in an empty
directory. It imports the executor once, freezes its heap for the garbage collector (so the
children's collections never touch, and copy, the inherited pages), checks at start-up that the
sandbox really holds, and then serves requests from the caller's connections. Children are forked
ahead of demand: an idle child is already confined and blocked reading its request, so a run costs
two pipe writes and the snippet itself. Only JSON made of strings and numbers leaves a child.
"""

import functools
import gc
import importlib
import json
import math
import os
import pkgutil
import platform
import select
import selectors
import signal
import socket
import sys
import time
import warnings
from collections import deque

from grader import immortal, sandbox, wire
from grader.outcome import MAX_SOURCE_BYTES, Limits
from grader.trace import MAX_TRACE_CHARS

# A request's JSON escapes at worst 6 characters per source byte.
MAX_REQUEST_BYTES = 6 * MAX_SOURCE_BYTES + 4096
_EXIT_POLL_SECONDS = 1.0
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
_SELF_CHECK_SNIPPET = "print(6 * 7)"
_SELF_CHECK_CPU_SECONDS = 0.05


def result_cap(output_bytes: int) -> int:
    """Largest result a child may send: escaped output and source (for messages), a trace,
    and room."""
    return 6 * (output_bytes + MAX_SOURCE_BYTES) + 2 * MAX_TRACE_CHARS + 65536


class Child:
    __slots__ = ("pid", "request_fd", "result_fd")

    def __init__(self, pid: int, request_fd: int, result_fd: int):
        self.pid, self.request_fd, self.result_fd = pid, request_fd, result_fd


class Job:
    """A request being run by a child, and what the server has seen of it so far."""

    def __init__(self, child: Child, connection: socket.socket, limits: Limits):
        self.child, self.connection, self.limits = child, connection, limits
        self.started = time.monotonic()
        self.deadline = self.started + limits.wall_seconds
        self.received = bytearray()
        self.killed_at_deadline = False


class Server:
    def __init__(self, connections, pool_size: int, workdir: str, execute, compile_snippet):
        self.connections = connections
        self.pool_size = pool_size
        self.cpus = os.cpu_count() or 1
        self.workdir = workdir
        self.execute = execute
        self.compile_snippet = compile_snippet
        self.devnull = os.open(os.devnull, os.O_WRONLY)
        self.idle: deque[Child] = deque()
        self.jobs: dict[int, Job] = {}  # by the child's result fd
        self.exiting: set[int] = set()  # pids of children that sent their result
        self.selector = selectors.DefaultSelector()

    # --- children ---------------------------------------------------------------------------

    def spawn(self, *, warm: bool = False) -> Child:
        request_read, request_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                self._child_main(request_read, result_write, warm)
            finally:
                os._exit(0)
        os.close(request_read)
        os.close(result_write)
        return Child(pid, request_write, result_read)

    def _child_main(self, request_read: int, result_write: int, warm: bool) -> None:
        os.dup2(request_read, 0)
        os.dup2(result_write, 1)
        os.dup2(self.devnull, 2)
        sandbox.confine(self.workdir)
        if warm:
            self._warm_up()
        request = wire.read_frame(0, MAX_REQUEST_BYTES)
        if request is None:
            return
        job = json.loads(request)
        sandbox.apply_run_limits(job["cpu_seconds"], job["memory_mb"])
        try:
            if job.get("probe"):
                result = sandbox.probe(job["memory_mb"])
            else:
                result = self.execute(
                    job["source"], output_bytes=job["output_bytes"], trace=job["trace"]
                )
            payload = json.dumps(result).encode()
        except Exception as error:  # a bug in the executor: report it rather than vanish
            failure = f"the executor failed: {type(error).__name__}: {error}"
            payload = json.dumps(_crashed(failure)).encode()
        wire.write_frame(1, payload)

    def _warm_up(self) -> None:
        """Compile a typical snippet (never run it) and decode and encode a request and a result
        like a run's while idle, so that the pages the compiler and the json module touch are
        copied now rather than while the caller waits: after a fork, each first write to an
        inherited page (a reference count, say) costs a page fault and a copy."""
        self.compile_snippet(_WARM_UP_SOURCE)
        request = {"source": _WARM_UP_SOURCE, "trace": False, **_limits_fields(Limits())}
        json.loads(json.dumps(request))
        json.dumps(_crashed(_WARM_UP_SOURCE)).encode()
        gc.collect()  # the compiler leaves cyclic garbage; a snippet's first gc.collect() sees none

    def _take_idle_child(self) -> Child:
        while self.idle:
            child = self.idle.popleft()
            if _is_running(child.pid):
                return child
            self._discard(child)
        return self.spawn()

    def _discard(self, child: Child) -> None:
        for fd in (child.request_fd, child.result_fd):
            _close_quietly(fd)
        _kill_quietly(child.pid)
        self.exiting.add(child.pid)

    def _replenish(self) -> None:
        while len(self.idle) < self.pool_size:
            self.idle.append(self.spawn(warm=self._cpu_to_spare()))

    def _cpu_to_spare(self) -> bool:
        """Whether a new idle child may warm up without taking a CPU from a run: it may while
        fewer snippets run than there are CPUs (latency), not when every CPU is busy
        (throughput, where the warm-up's CPU time would only slow the runs down)."""
        return len(self.jobs) < self.cpus

    def _reap(self) -> None:
        for pid in list(self.exiting):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.exiting.discard(pid)

    # --- requests ---------------------------------------------------------------------------

    def dispatch(self, connection: socket.socket, request: bytes) -> None:
        job_spec = json.loads(request)
        limits = Limits(
            cpu_seconds=job_spec["cpu_seconds"],
            wall_seconds=job_spec["wall_seconds"],
            memory_mb=job_spec["memory_mb"],
            output_bytes=job_spec["output_bytes"],
        )
        while True:
            child = self._take_idle_child()
            try:
                wire.write_frame(child.request_fd, request)
                break
            except BrokenPipeError:  # the idle child was killed from outside: use another
                self._discard(child)
        os.close(child.request_fd)
        job = Job(child, connection, limits)
        self.jobs[child.result_fd] = job
        self.selector.register(child.result_fd, selectors.EVENT_READ, ("result", job))

    def on_result_readable(self, job: Job) -> None:
        chunk = os.read(job.child.result_fd, 1 << 16)
        if not chunk:
            self._finish_dead(job)
            return
        job.received += chunk
        if len(job.received) < wire.HEADER.size:
            return
        (size,) = wire.HEADER.unpack_from(job.received)
        if size > result_cap(job.limits.output_bytes):
            _kill_quietly(job.child.pid)
            self._finish(job, b"", "output_limit", _output_reason(job.limits))
        elif len(job.received) >= wire.HEADER.size + size:
            payload = bytes(job.received[wire.HEADER.size : wire.HEADER.size + size])
            _kill_quietly(job.child.pid)  # it exits by itself; this only makes sure
            self._finish(job, payload, None, [])

    def _finish_dead(self, job: Job) -> None:
        status, reasons = self._death_verdict(job)
        self._finish(job, b"", status, reasons)

    def _death_verdict(self, job: Job) -> tuple[str, list[str]]:
        wait_status = _wait_for_exit(job.child.pid)
        self.exiting.discard(job.child.pid)
        limits = job.limits
        if job.killed_at_deadline:
            return "timeout", [f"wall-clock limit of {limits.wall_seconds} s exceeded"]
        if os.WIFSIGNALED(wait_status):
            number = os.WTERMSIG(wait_status)
            if number in (signal.SIGXCPU, signal.SIGPROF):
                return "timeout", [f"CPU time limit of {limits.cpu_seconds} s exceeded"]
            name = signal.Signals(number).name
            return "crashed", [f"the snippet's process was killed by {name}"]
        code = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else wait_status
        return "crashed", [f"the snippet's process exited (status {code}) without a result"]

    def _finish(self, job: Job, payload: bytes, status: str | None, reasons: list[str]) -> None:
        self.selector.unregister(job.child.result_fd)
        del self.jobs[job.child.result_fd]
        os.close(job.child.result_fd)
        self.exiting.add(job.child.pid)
        verdict = {
            "status": status,
            "reasons": reasons,
            "duration_ms": round((time.monotonic() - job.started) * 1000, 3),
        }
        reply = json.dumps(verdict).encode() + b"\n" + payload
        try:
            job.connection.sendall(wire.frame(reply))
        except OSError:
            self._drop_connection(job.connection)

    def _kill_overdue(self) -> None:
        now = time.monotonic()
        for job in list(self.jobs.values()):
            if now >= job.deadline and not job.killed_at_deadline:
                job.killed_at_deadline = True
                _kill_quietly(job.child.pid)

    def _next_timeout(self) -> float | None:
        pending = [job.deadline for job in self.jobs.values() if not job.killed_at_deadline]
        return max(0.0, min(pending) - time.monotonic()) if pending else None

    # --- connections ------------------------------------------------------------------------

    def on_connection_readable(self, connection: socket.socket) -> None:
        request = wire.receive_frame(connection, MAX_REQUEST_BYTES)
        if request is None:
            self._drop_connection(connection)
        else:
            self.dispatch(connection, request)

    def _drop_connection(self, connection: socket.socket) -> None:
        try:
            self.selector.unregister(connection)
        except (KeyError, ValueError):
            pass
        connection.close()

    def serve_forever(self) -> None:
        for connection in self.connections:
            connection.settimeout(10)
            self.selector.register(connection, selectors.EVENT_READ, ("request", connection))
        self.selector.register(0, selectors.EVENT_READ, ("caller", None))
        while True:
            self._replenish()
            for key, _ in self.selector.select(self._next_timeout()):
                kind, target = key.data
                if kind == "caller":
                    if not os.read(0, 4096):  # the caller has gone: so does the grader
                        self.shut_down()
                        return
                elif kind == "request":
                    self.on_connection_readable(target)
                elif self.jobs.get(target.child.result_fd) is target:
                    self.on_result_readable(target)
            self._kill_overdue()
            self._reap()

    def shut_down(self) -> None:
        for child in list(self.idle) + [job.child for job in self.jobs.values()]:
            _kill_quietly(child.pid)

    # --- start-up self-check ----------------------------------------------------------------

    def self_check(self) -> tuple[dict, list[str]]:
        """Run the sandbox's probe and two snippets in real children; list what does not hold."""
        limits = Limits()
        report = self._run_synchronously({"probe": True, **_limits_fields(limits)})
        problems = []
        if not isinstance(report, dict) or "limits" not in report:
            return {}, [f"the probe child did not report: {report}"]
        expected_limits = {
            **sandbox.FIXED_LIMITS,
            "RLIMIT_CPU": math.ceil(limits.cpu_seconds),
            "RLIMIT_AS": limits.memory_mb * 1024 * 1024,
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
        trivial = self._run_synchronously(
            {"source": _SELF_CHECK_SNIPPET, "trace": False, **_limits_fields(limits)}
        )
        if not (isinstance(trivial, dict) and trivial.get("stdout") == "42\n"):
            problems.append(f"{_SELF_CHECK_SNIPPET!r} did not print 42: {trivial}")
        busy = self._run_synchronously(
            {
                "source": "while True:\n    pass\n",
                "trace": False,
                **_limits_fields(limits),
                "cpu_seconds": _SELF_CHECK_CPU_SECONDS,
            }
        )
        if busy != f"killed by {signal.SIGPROF.name}":
            problems.append(f"a busy loop was not stopped by the CPU limit: {busy}")
        return report, problems

    def _run_synchronously(self, job: dict):
        """Run one job in a new child and wait at most 2 s; its result dict, or what happened."""
        child = self.spawn()
        wire.write_frame(child.request_fd, json.dumps(job).encode())
        os.close(child.request_fd)
        ready, _, _ = select.select([child.result_fd], [], [], 2.0)
        if not ready:
            _kill_quietly(child.pid)
        payload = wire.read_frame(child.result_fd, result_cap(Limits().output_bytes))
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


def _limits_fields(limits: Limits) -> dict:
    return {
        "cpu_seconds": limits.cpu_seconds,
        "wall_seconds": limits.wall_seconds,
        "memory_mb": limits.memory_mb,
        "output_bytes": limits.output_bytes,
    }


def _output_reason(limits: Limits) -> list[str]:
    return [f"output limit of {limits.output_bytes} bytes exceeded"]


def _crashed(reason: str) -> dict:
    return {
        "status": "crashed",
        "stdout": "",
        "exception": None,
        "exception_line": None,
        "reasons": [reason],
    }


def _wait_for_exit(pid: int) -> int:
    """The child's wait status; it has closed its result pipe, so it is exiting now."""
    give_up = time.monotonic() + _EXIT_POLL_SECONDS
    while time.monotonic() < give_up:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if done:
            return wait_status
        time.sleep(0.0005)
    _kill_quietly(pid)
    return os.waitpid(pid, 0)[1]


def _is_running(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def main(argv: list[str]) -> None:
    """Entry point: argv is the pool size and the fds of the caller's connections."""
    pool_size, *connection_fds = (int(arg) for arg in argv)
    for fd in connection_fds:  # no process the server starts (the executor's probes) gets them
        os.set_inheritable(fd, False)
    os.environ.clear()  # started empty; this drops the LC_CTYPE that locale coercion (PEP 538) adds
    # Warnings go to stderr, which no outcome reports; formatting them would only cost time.
    warnings.simplefilter("ignore")
    network = sandbox.cut_network()
    hello = {
        "pid": os.getpid(),
        "python_version": platform.python_version(),
        "environment": sorted(os.environ),
        "in_force": {"network": network},
    }
    try:
        from grader.execute import execute
        from grader.policy import compile_snippet
    except Exception as error:
        problem = f"cannot import the executor: {error}"
        _say_hello({**hello, "ready": False, "problems": [problem]})
        return
    _preload_lazy_imports()
    connections = [socket.socket(fileno=fd) for fd in connection_fds]
    server = Server(connections, pool_size, os.getcwd(), execute, compile_snippet)
    gc.collect()
    if immortal.supported():
        hello["in_force"]["immortal_objects"] = immortal.immortalize_heap(_snippet_visible_roots())
    gc.freeze()
    report, problems = server.self_check()
    hello["in_force"].update(report)
    hello["django_modules"] = sorted(name for name in sys.modules if name.startswith("django"))
    if hello["django_modules"]:
        problems.append("Django is imported in the grader server")
    _say_hello({**hello, "ready": not problems, "problems": problems})
    if not problems:
        server.serve_forever()


def _snippet_visible_roots() -> list:
    """What the sandbox hands a snippet, whose reference counts it can see: the builtins, the
    stand-ins' members and specs, and the classes of the objects it gives out at run time."""
    from grader import hooks, standins

    roots = [*hooks._BASE_BUILTINS.values(), *standins._SPECS.values()]
    for members in standins._SHARED_MEMBERS.values():
        roots.extend(members.values())
    roots += [hooks.TextSink, hooks.PolicyRefusal, hooks.OutputLimitReached, functools.partial]
    return roots


def _preload_lazy_imports() -> None:
    """Import now what the interpreter may import lazily while running a snippet.

    Children run unprivileged, and the standard library may not be readable to them (a pyenv
    under /root is not), so `"\\N{...}"` escapes (unicodedata) or `str.encode("utf-16")` (a
    codec module) would fail in the child though they work under `python -I`.
    """
    import encodings
    import unicodedata  # noqa: F401

    for module in pkgutil.iter_modules(encodings.__path__):
        try:
            importlib.import_module(f"encodings.{module.name}")
        except ImportError:
            pass  # codecs of another platform (mbcs, oem)


def _say_hello(hello: dict) -> None:
    os.write(1, json.dumps(hello).encode() + b"\n")
