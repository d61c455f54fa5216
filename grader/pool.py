"""`grader.run`: the caller's side of the grader (it runs inside the web process, say).

Nothing here executes a snippet. The first run starts the grader server (`grader.server`) as a
separate process with an empty environment, in isolated mode and an empty directory, with
`pool_size` connections to it. Over each connection the server hands a confined child ahead of
demand, as the two ends of its pipes. A run writes the source to such a child, tells the server
that the run has started (so it enforces the wall-clock limit and hands over the next child), and
reads JSON made of strings and numbers, which is checked field by field before it becomes an
`Outcome`. If the child's pipe closes without a whole result, the server says how it died. If the
server dies or stops answering, the run in flight gets a "crashed" outcome and the next run starts
a new server.
"""

import atexit
import functools
import json
import logging
import os
import platform
import queue
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader import config, schema, wire
from grader.constants import MAX_SOURCE_BYTES, Status
from grader.outcome import Limits, Outcome
from grader.schema import MalformedResult

logger = logging.getLogger(__name__)

_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
# The project first; last, a folder holding only the grader's one dependency (RestrictedPython,
# pure Python) as this process finds it: any CPython path then serves as an interpreter, its own
# copy (a virtual environment's) found first.
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); sys.path.append(sys.argv[2]); "
    "from grader.server import main; main(sys.argv[3:])"
)
_STARTS_PER_RUN = 3  # children found dead before their run, before the run counts as crashed


class GraderUnavailable(RuntimeError):
    """The grader server could not start, or its self-check found the sandbox not in force."""


class _NotReadyInTime(GraderUnavailable):
    """The server had not said it is ready (self-checked, calibrated) when its time was up."""


class _ServerGone(Exception):
    """The server closed a connection, or did not answer in time."""


class _Child:
    __slots__ = ("pid", "request_fd", "result_fd")

    def __init__(self, pid: int, request_fd: int, result_fd: int):
        self.pid, self.request_fd, self.result_fd = pid, request_fd, result_fd

    def close(self) -> None:
        for fd in (self.request_fd, self.result_fd):
            if fd >= 0:
                os.close(fd)
        self.request_fd = self.result_fd = -1


class _RunResult:
    """What the caller saw of one run: the child's whole result, or how the child ended."""

    __slots__ = ("payload", "status", "reasons", "duration_ms")

    def __init__(self, payload=None, status=None, reasons=(), duration_ms=0.0):
        self.payload, self.status, self.reasons = payload, status, list(reasons)
        self.duration_ms = duration_ms


class _Connection:
    """One connection to the server, used by one run at a time, and the children it was handed."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.ready: deque[_Child] = deque()
        self.verdicts: dict[int, dict] = {}

    def run(self, request: bytes, limits: Limits) -> _RunResult:
        child = self._started_child(request, limits)
        if child is None:
            return _RunResult(
                status=Status.CRASHED, reasons=["no sandboxed process could be started"]
            )
        started = time.monotonic()
        deadline = started + limits.wall_seconds + _config.reply_grace_seconds
        try:
            payload = wire.read_frame(
                child.result_fd, wire.result_cap(limits.output_bytes), deadline
            )
        except wire.FrameTooLarge:  # closing the pipe fails the child's write, which ends it
            reason = f"output limit of {limits.output_bytes} bytes exceeded"
            return _RunResult(status=Status.OUTPUT_LIMIT, reasons=[reason])
        finally:
            child.close()
        duration_ms = round((time.monotonic() - started) * 1000, 3)
        if payload is not None:
            return _RunResult(payload=payload, duration_ms=duration_ms)
        if time.monotonic() >= deadline:  # the server should have killed it long ago
            raise _ServerGone
        verdict = self._verdict(child.pid)
        return _RunResult(
            status=verdict["status"], reasons=verdict["reasons"], duration_ms=duration_ms
        )

    def _started_child(self, request: bytes, limits: Limits) -> _Child | None:
        """A handed child with the request written to it, and the server told the run started
        (then, not before: the child starts at once, while the server arms the wall-clock kill
        and forks the next child). A child that died idle (killed from outside) is skipped; the
        server replaces it."""
        for _attempt in range(_STARTS_PER_RUN):
            child = self._next_child()
            try:
                wire.write_frame(child.request_fd, request)
            except BrokenPipeError:
                child.close()
                continue
            os.close(child.request_fd)
            child.request_fd = -1
            wire.send_message(
                self.sock,
                {
                    "start": child.pid,
                    "cpu_seconds": limits.cpu_seconds,
                    "wall_seconds": limits.wall_seconds,
                },
            )
            return child
        return None

    def _next_child(self) -> _Child:
        self._receive(block=False)
        while not self.ready:
            self._receive(block=True)
        return self.ready.popleft()

    def _verdict(self, pid: int) -> dict:
        wire.send_message(self.sock, {"verdict": pid})
        while pid not in self.verdicts:
            self._receive(block=True)
        return self.verdicts.pop(pid)

    def _receive(self, *, block: bool) -> None:
        """Take in the server's messages: handed children and verdicts."""
        self.sock.settimeout(_config.hand_over_seconds if block else 0.0)
        while True:
            try:
                message, fds = wire.receive_message(self.sock)
            except (BlockingIOError, InterruptedError):
                return
            except (OSError, ValueError):
                raise _ServerGone from None
            if message is None:
                raise _ServerGone
            if "child" in message and len(fds) == wire.FDS_PER_CHILD:
                self.ready.append(_Child(message["child"], *fds))
            else:
                for fd in fds:
                    os.close(fd)
                if "verdict" in message:
                    self.verdicts[message["verdict"]] = message
                elif "replaced" in message:
                    logger.warning(
                        "The grader server replaced sandboxed process %s, which died idle: %s",
                        message["replaced"],
                        message.get("reason"),
                    )
            if block:
                return

    def close(self) -> None:
        while self.ready:
            self.ready.popleft().close()
        self.sock.close()


@functools.cache
def _dependency_folder() -> str:
    """A folder holding a link to this process's RestrictedPython (none if it has none)."""
    folder = tempfile.mkdtemp(prefix="grader-dependencies-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    try:
        import RestrictedPython  # noqa: PLC0415 - found only to be linked
    except ImportError:
        return folder
    os.symlink(os.path.dirname(RestrictedPython.__file__), os.path.join(folder, "RestrictedPython"))
    return folder


class _ServerProcess:
    """One running grader server and the caller's connections to it."""

    def __init__(self, pool_size: int, python: str, start_seconds: float | None = None):
        self.workdir = tempfile.mkdtemp(prefix="grader-")
        os.chmod(self.workdir, 0o555)  # empty, and nobody may create anything in it
        pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(pool_size)]
        server_ends = [theirs.fileno() for _, theirs in pairs]
        self.process = subprocess.Popen(
            [python, "-I", "-c", _BOOTSTRAP, _PROJECT_ROOT, _dependency_folder()]
            + [str(fd) for fd in server_ends],
            env={},
            cwd=self.workdir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
            pass_fds=server_ends,
            start_new_session=True,
        )
        self.free: queue.SimpleQueue[_Connection] = queue.SimpleQueue()
        self.connections = []
        for ours, theirs in pairs:
            theirs.close()
            self.connections.append(_Connection(ours))
            self.free.put(self.connections[-1])
        self.hello = self._read_hello(
            _config.start_seconds if start_seconds is None else start_seconds
        )

    def _read_hello(self, start_seconds: float) -> dict:
        """The server's hello, which it sends once its self-check passed and its children's
        start was calibrated (grader.server.main): the server is ready when it arrives."""
        stdout = self.process.stdout
        assert stdout is not None  # Popen(stdout=PIPE)
        ready, _, _ = select.select([stdout], [], [], start_seconds)
        if not ready:
            self.stop()
            logger.error("The grader server was not ready within %s s; stopped", start_seconds)
            raise _NotReadyInTime(f"the grader server was not ready within {start_seconds} s")
        line = stdout.readline()
        try:
            hello = json.loads(line)
        except ValueError:
            self.stop()
            logger.error("The grader server did not start (see its error output above)")
            raise GraderUnavailable(
                "the grader server did not start (see its error output above)"
            ) from None
        if not hello.get("ready"):
            self.stop()
            problems = "; ".join(hello["problems"])
            logger.error("The grader server refuses to serve; its self-check found: %s", problems)
            raise GraderUnavailable(
                "the grader refuses to serve; its self-check found: " + problems
            )
        logger.info(
            "Grader server %s started: %d connection(s), Python %s, %s",
            hello.get("pid"),
            len(self.connections),
            hello.get("python_version"),
            hello.get("in_force", {}).get("priorities", ""),
        )
        return hello

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def call(self, request: bytes, limits: Limits) -> _RunResult | None:
        """Run one request on a child; None if the server died or hung meanwhile."""
        connection = self.free.get()
        try:
            return connection.run(request, limits)
        except (_ServerGone, OSError):
            return None
        finally:
            self.free.put(connection)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        for connection in self.connections:
            connection.close()
        os.rmdir(self.workdir)


_lock = threading.Lock()
# One grader server per interpreter (its path): the configured `python` and `interpreters`.
_servers: dict[str, _ServerProcess] = {}
_config = config.defaults()


def configure(**options) -> None:
    """Change the grader's configuration (grader/config.py: pool_size, limits, python,
    start_seconds, interpreters, ...); options not given keep their value. The running servers
    are replaced at the next run when the size changes; each interpreter has its own."""
    global _config
    with _lock:
        previous, _config = _config, config.configured(_config, options)
        if previous.pool_size != _config.pool_size:
            _stop_servers()  # another interpreter's server, kept, serves again when named
    if _config != previous:
        changed = {name: getattr(_config, name) for name in options}
        logger.info("Grader configuration changed: %s", changed)
    if previous.python != _config.python:
        _stop_witnesses()


def configuration() -> config.Config:
    """The configuration in force."""
    return _config


def pool_size() -> int:
    """How many snippets may run at once (GRADER_POOL_SIZE, else the number of CPUs)."""
    return _config.pool_size


def python_version(python: str | None = None) -> str:
    """The version of the interpreter that runs snippets (`python`, else the configured one)."""
    return _interpreter_version(python or _config.python)


def interpreters() -> tuple[str, ...]:
    """Every configured interpreter's path: the default (`python`) first, then `interpreters`."""
    return tuple(dict.fromkeys((_config.python, *_config.interpreters)))


def interpreter_lines() -> dict[str, str]:
    """{"3.12": path, "3.13": path, ...}: each configured interpreter by its version line (the
    first configured of a line wins)."""
    lines: dict[str, str] = {}
    for python in interpreters():
        lines.setdefault(version_line(python_version(python)), python)
    return lines


def python_for_line(line: str) -> str:
    """The configured interpreter of a version line ("3.13"); ValueError names the lines there
    are."""
    lines = interpreter_lines()
    if line not in lines:
        raise ValueError(f"no grader interpreter for Python {line}; configured: {sorted(lines)}")
    return lines[line]


def version_line(version: str) -> str:
    """ "3.13.0" -> "3.13"."""
    return ".".join(version.split(".")[:2])


@functools.cache
def _interpreter_version(python: str) -> str:
    if python == sys.executable:
        return platform.python_version()
    asked = subprocess.run(
        [python, "-I", "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        timeout=_config.start_seconds,
        check=True,
    )
    return asked.stdout.strip()


def server_hello(python: str | None = None) -> dict:
    """The running server's start-up report: its pid, environment and what is in force."""
    return _current_server(python).hello


def shutdown() -> None:
    """Stop the grader server and any witness servers (a later run starts a new one)."""
    with _lock:
        _stop_servers()
    _stop_witnesses()


def _stop_servers(keep: tuple[str, ...] = ()) -> None:
    for python in [python for python in _servers if python not in keep]:
        _servers.pop(python).stop()


def is_ready(python: str | None = None) -> bool:
    """Whether the interpreter's grader server runs and is ready (its hello came, after its
    self-check and calibration). Starts nothing."""
    with _lock:
        server = _servers.get(python or _config.python)
        return server is not None and server.is_alive()


def wait_ready(python: str | None = None, *, timeout: float | None = None) -> dict:
    """Start the interpreter's grader server unless it runs, wait until it is ready, at most
    `timeout` seconds (else start_seconds), and return its hello. A caller that times runs
    waits here first, so that it times runs, not a start. GraderUnavailable if it is not ready
    in time (the server is stopped: the next run starts another) or refuses to serve."""
    timeout = _config.start_seconds if timeout is None else timeout
    try:
        return _current_server(python, start_seconds=timeout).hello
    except _NotReadyInTime:  # said with the time the caller gave, not the time left of it
        raise GraderUnavailable(f"the grader server was not ready within {timeout} s") from None


def _current_server(
    python: str | None = None, start_seconds: float | None = None
) -> _ServerProcess:
    """The interpreter's running server, started if need be; with `start_seconds`, ready within
    that time (waiting for another caller's start included), else GraderUnavailable."""
    python = python or _config.python
    deadline = None if start_seconds is None else time.monotonic() + start_seconds
    if not _lock.acquire(timeout=-1 if start_seconds is None else start_seconds):
        raise _NotReadyInTime(f"the grader server was not ready within {start_seconds} s")
    try:
        server = _servers.get(python)
        if server is not None and not server.is_alive():
            _stop_servers(keep=tuple(other for other in _servers if other != python))
            server = None
        if server is None:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            server = _servers[python] = _ServerProcess(_config.pool_size, python, remaining)
        return server
    finally:
        _lock.release()


def _forget_server_after_fork() -> None:
    """A forked caller (a web worker, say) must start its own server, not share the parent's."""
    global _lock, _witness_lock
    _servers.clear()
    _lock = threading.Lock()
    _witnesses.clear()
    _witness_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_server_after_fork)
atexit.register(shutdown)


def run(
    source: str, *, limits: Limits | None = None, trace: bool = False, python: str | None = None
) -> Outcome:
    """Run a snippet as `python -I snippet.py` would, in a fresh sandboxed process: under the
    interpreter `python` (a path, see `interpreters()`), else the configured default."""
    return _run_checked(source, limits, trace=trace, python=python)


def run_simulated(
    source: str,
    misconception: str,
    *,
    limits: Limits | None = None,
    trace: bool = False,
    python: str | None = None,
) -> Outcome:
    """`run`, with the child transforming the snippet into `misconception`'s semantics
    (grader/misconceptions); `grader.simulate` is the public entry. With `trace`, the diagram
    of the run as the misconception has it (the transformed program keeps the snippet's lines)."""
    return _run_checked(source, limits, trace=trace, misconception=misconception, python=python)


def _run_checked(
    source: str,
    limits: Limits | None,
    *,
    trace: bool,
    misconception: str | None = None,
    python: str | None = None,
) -> Outcome:
    limits = _checked_arguments(source, limits)
    rejection = _source_rejection(source)
    if rejection:
        return Outcome(
            status=Status.REJECTED, reasons=(rejection,), python_version=python_version(python)
        )
    python = python or _config.python
    server = _current_server(python)
    outcome = _run_on(server, source, limits, trace, misconception, python=python)
    if outcome is None:
        with _lock:
            if _servers.get(python) is server:
                _servers.pop(python).stop()
        logger.warning("The grader server stopped during a run; a new one starts for the next")
        return _crashed(
            "the grader server stopped during this run; it is restarted for the next", python
        )
    if outcome.status == Status.REJECTED:
        logger.info("The grader refused a snippet: %s", "; ".join(outcome.reasons))
    elif outcome.status == Status.CRASHED:
        logger.warning("A grader run crashed: %s", "; ".join(outcome.reasons))
    return outcome


def output_varies(source: str, *, limits: Limits | None = None, python: str | None = None) -> bool:
    """Whether `source` prints or raises one thing in one run of Python and another in the next.

    What a set of strings shows (its order follows the hash seed), `hash()` of a str or an
    `id()` changes from one `python -I snippet.py` to the next, so no single run's output can be
    a prediction question's key. The snippet runs in the grader server and in a few witness
    servers, each an interpreter of its own (its own hash seed and memory layout), started on
    first use and kept. Four runs miss the order of a set of two strings with a chance of about
    one in eight, a set of four or more far more rarely.
    """
    limits = _checked_arguments(source, limits)
    shown = {_shown(run(source, limits=limits, python=python))}
    for witness in _witness_servers(python or _config.python):
        outcome = _run_on(witness, source, limits, trace=False)
        if outcome is None:  # a witness that dies is replaced at the next check
            logger.warning("A witness grader server stopped; it is replaced at the next check")
            witness.stop()
            continue
        shown.add(_shown(outcome))
    return len(shown) > 1


def _shown(outcome: Outcome) -> tuple:
    return outcome.status, outcome.stdout, outcome.exception


_witnesses: dict[str, list[_ServerProcess]] = {}  # per interpreter
_witness_lock = threading.Lock()


def _witness_servers(python: str) -> list[_ServerProcess]:
    """The interpreter's witness servers, alive; missing ones are started side by side."""
    with _witness_lock:
        alive = [witness for witness in _witnesses.get(python, ()) if witness.is_alive()]
        missing = _config.witnesses - len(alive)
        if missing > 0:
            with ThreadPoolExecutor(max_workers=missing) as starting:
                alive.extend(starting.map(lambda _: _ServerProcess(1, python), range(missing)))
        _witnesses[python] = alive
        return list(alive)


def _stop_witnesses() -> None:
    with _witness_lock:
        while _witnesses:
            for witness in _witnesses.popitem()[1]:
                if witness.is_alive():
                    witness.stop()


def _checked_arguments(source, limits) -> Limits:
    if not isinstance(source, str):
        raise TypeError(f"grader.run() needs the source as str, not {type(source).__name__}")
    if limits is None:
        return _config.limits
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a grader.Limits, not {type(limits).__name__}")
    return limits


def _run_on(
    server: _ServerProcess,
    source: str,
    limits: Limits,
    trace: bool,
    misconception: str | None = None,
    python: str | None = None,
) -> Outcome | None:
    """The outcome of one run on `server`; None if the server died or hung meanwhile."""
    result = server.call(_request(source, limits, trace, misconception=misconception), limits)
    if result is None:
        return None
    if result.payload is None:
        return Outcome(
            status=result.status,
            reasons=tuple(result.reasons),
            python_version=python_version(python),
            duration_ms=result.duration_ms,
        )
    return outcome_from_payload(result.payload, limits, result.duration_ms, python)


def outcome_from_payload(
    payload: bytes, limits: Limits, duration_ms: float, python: str | None = None
) -> Outcome:
    """The Outcome of a child's whole result, checked at this boundary: a result of the wrong
    shape (a bug, or a snippet that got hold of the result pipe) is a "crashed" outcome that
    says so, never an exception or a half-read outcome."""
    try:
        return _outcome_from_result(validated_result(payload), limits, duration_ms, python)
    except (MalformedResult, ValueError, KeyError, TypeError) as error:
        logger.error("A sandboxed process sent a malformed result: %s", error)
        return _crashed(f"the sandboxed process sent malformed data ({error})", python)


def call_with_variant(
    source: str, limits: Limits, variant: dict, python: str | None = None
) -> dict | None:
    """The child's plain result of a run under a collector variant (grader/collector.py); None
    if the run did not produce one."""
    result = _current_server(python).call(_request(source, limits, False, variant), limits)
    if result is None or result.payload is None:
        return None
    try:
        return validated_result(result.payload)
    except (MalformedResult, ValueError, KeyError, TypeError):
        return None


def _request(
    source: str,
    limits: Limits,
    trace: bool,
    variant: dict | None = None,
    misconception: str | None = None,
) -> bytes:
    request = {
        "source": source,
        "cpu_seconds": limits.cpu_seconds,
        "wall_seconds": limits.wall_seconds,
        "memory_mb": limits.memory_mb,
        "output_bytes": limits.output_bytes,
        "trace": bool(trace),
    }
    if variant is not None:
        request["collector"] = variant
    if misconception is not None:
        request["misconception"] = misconception
    return json.dumps(request).encode()


def _source_rejection(source: str) -> str | None:
    try:
        size = len(source.encode("utf-8"))
    except UnicodeEncodeError as error:
        return f"the source is not valid Unicode text (lone surrogate at index {error.start})"
    if size > MAX_SOURCE_BYTES:
        return (
            f"the source is {size} bytes long; the limit is {MAX_SOURCE_BYTES} bytes "
            f"({MAX_SOURCE_BYTES // 1024} KB)"
        )
    return None


def _crashed(reason: str, python: str | None = None) -> Outcome:
    return Outcome(status=Status.CRASHED, reasons=(reason,), python_version=python_version(python))


def _outcome_from_result(
    result: dict, limits: Limits, duration_ms: float, python: str | None = None
) -> Outcome:
    reasons = tuple(result["reasons"])
    if result["status"] == Status.MEMORY:
        reasons = (f"memory limit of {limits.memory_mb} MB exceeded",)
    elif result["status"] == Status.OUTPUT_LIMIT:
        reasons = (f"output limit of {limits.output_bytes} bytes exceeded",)
    return Outcome(
        status=result["status"],
        stdout=result["stdout"],
        exception=result["exception"],
        exception_line=result["exception_line"],
        reasons=reasons,
        python_version=python_version(python),
        duration_ms=duration_ms,
        trace=result.get("trace"),
    )


def validated_result(payload: bytes) -> dict:
    """The child's result, parsed as JSON and checked to be exactly the plain shape expected
    (grader.schema), trace included; MalformedResult (a ValueError) otherwise."""
    try:
        result = json.loads(payload)
    except ValueError as error:
        raise MalformedResult(f"not JSON: {error}") from None
    return schema.checked_result(result)
