"""Operating-system confinement of the processes that run snippets.

The grader server calls `cut_network()` once at start-up (its children inherit the empty network
namespace); every child forked to run one snippet calls `confine()` right after the fork, before it
reads its source, and `apply_run_limits()` once it knows the run's limits. `probe()` reports what a
confined process can still do; the server's start-up self-check runs it in a real child.
"""

import _signal
import math
import os
import resource
import signal
import socket
import sys

OPEN_FILES = 16  # stdin/stdout/stderr plus headroom; a snippet has no way to open files anyway
UNPRIVILEGED_ID = 65534  # "nobody": a root-started grader runs snippets without privileges

FIXED_LIMITS = {
    "RLIMIT_NPROC": 0,  # no child processes (enforced once the process is not privileged)
    "RLIMIT_FSIZE": 0,  # no file may grow: writes fail with EFBIG
    "RLIMIT_NOFILE": OPEN_FILES,
    "RLIMIT_CORE": 0,  # a crashing snippet leaves no core dump behind
}
# Looked up once in the server: each child then runs less code (and copies fewer pages) to confine.
_FIXED_RLIMITS = tuple((getattr(resource, name), value) for name, value in FIXED_LIMITS.items())


def cut_network() -> str:
    """Move this process into a new network namespace with no usable interface; say what held."""
    flags = os.CLONE_NEWNET if os.geteuid() == 0 else os.CLONE_NEWUSER | os.CLONE_NEWNET
    try:
        os.unshare(flags)
    except OSError as error:
        return f"not isolated (unshare failed: {error.strerror})"
    return "empty network namespace"


def open_library_dirs() -> None:
    """Let unprivileged children import the standard library lazily, as a script can.

    The library may not be readable to them (a pyenv under /root is not), so `"\\N{...}"`
    escapes (unicodedata) or `str.encode("cp437")` (a codec module) would fail in a child though
    they work under `python -I`. Called once in the grader server: each directory of the
    interpreter's own library on sys.path (under sys.base_prefix: never the project, its
    packages or anything else) is opened O_PATH and named through /proc/self/fd from then on,
    so a child, which keeps these fds, reaches those files through them.
    """
    import encodings

    library = os.path.dirname(os.__file__)
    base = os.path.join(os.path.realpath(sys.base_prefix), "")
    renamed = {}
    for entry in sys.path:
        inside = os.path.realpath(entry).startswith(base)
        if inside and os.path.isdir(entry) and entry not in renamed:
            fd = os.open(entry, os.O_PATH | os.O_DIRECTORY)
            LIBRARY_FDS.append(fd)
            renamed[entry] = f"/proc/self/fd/{fd}"
    sys.path[:] = [renamed.get(entry, entry) for entry in sys.path]
    if library in renamed:
        encodings.__path__[:] = [os.path.join(renamed[library], "encodings")]
    sys.path_importer_cache.clear()


LIBRARY_FDS: list[int] = []  # kept open by confine()


def confine(workdir: str) -> None:
    """Confine a freshly forked child (fds 0-2 already set): limits, directory, privileges."""
    for limit, value in _FIXED_RLIMITS:
        resource.setrlimit(limit, (value, value))
    _close_all_but(LIBRARY_FDS)
    if os.environ:  # inherited empty already; this holds however the server was started
        os.environ.clear()
    os.chdir(workdir)
    # The C function itself: signal.signal's enum conversions cost a fresh child ~0.1 ms.
    _signal.signal(_signal.SIGPROF, _signal.SIG_DFL)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(UNPRIVILEGED_ID)
        os.setuid(UNPRIVILEGED_ID)


def _close_all_but(kept: list[int]) -> None:
    first = 3
    for fd in sorted(kept):
        os.closerange(first, fd)
        first = fd + 1
    os.closerange(first, 1 << 16)


def apply_run_limits(cpu_seconds: float, memory_mb: int) -> None:
    """CPU time and address space for this run, which no later code in the process can raise."""
    whole_seconds = math.ceil(cpu_seconds)
    # The rlimit only counts whole seconds and is the backstop; the profiling timer, which also
    # counts CPU time, ends the process at the exact limit (SIGPROF's default action kills).
    resource.setrlimit(resource.RLIMIT_CPU, (whole_seconds, whole_seconds + 1))
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    address_space = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


def probe(memory_mb: int) -> dict:
    """What this (confined) process can do; plain data for the server's self-check."""
    return {
        "uid": os.getuid(),
        "environment": sorted(os.environ),
        "workdir_entries": _attempt(lambda: len(os.listdir("."))),
        "limits": {name: resource.getrlimit(getattr(resource, name))[0] for name in _ALL_LIMITS},
        "fork": _attempt(_fork_and_reap),
        "file_write": _attempt(_write_file),
        "connect_out": _attempt(_connect_out),
        "allocate_memory_limit": _attempt(lambda: len(bytearray(memory_mb * 1024 * 1024))),
    }


_ALL_LIMITS = (*FIXED_LIMITS, "RLIMIT_CPU", "RLIMIT_AS")


def _attempt(action) -> str:
    try:
        return f"allowed: {action()}"
    except (OSError, MemoryError) as error:
        return f"denied: {type(error).__name__} {getattr(error, 'strerror', '') or ''}".strip()


def _fork_and_reap() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return os.waitpid(pid, 0)[1]


def _write_file() -> int:
    with open("grader-probe.txt", "w") as handle:
        written = handle.write("x")
        handle.flush()
    return written


def _connect_out() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
        connection.settimeout(0.5)
        connection.connect(("1.1.1.1", 53))  # an address, so no name lookup is needed
        return str(connection.getpeername())
