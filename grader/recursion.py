"""A script's room for recursion at the snippet's first line.

CPython counts two things per thread (PyThreadState): Python frames (`py_recursion_remaining`,
from `sys.getrecursionlimit()`) and re-entries of the C evaluation loop and C recursion
(`c_recursion_remaining`, from a fixed C limit: 1500 on 3.12, 10000 on 3.13). A script's module
frame is its first frame, so it starts with all but one of each. A snippet runs below the
grader's own frames, which have used some of both: recursion through `repr`, `str`, `==`,
`hash`, `sorted(key=)` or `__init__` (each level a C re-entry) would stop a level or two early,
with the C counter's message ("... while getting the str of an object") instead of the script's,
and raising the recursion limit instead would make `sys.getrecursionlimit()` show 1010.

So `Room` sets both counters, just before `exec`, to a script's, and puts the grader's own
back afterwards; the limit itself stays as it is. Which values those are is measured, not
assumed: PROBE (how deep plain recursion goes, how deeply nested a list's repr() survives) runs
under `python -I` and in the executor with a first guess (in a throwaway forked child, so
that the process measuring, the grader server, keeps the thread state a script starts with),
and the guess is corrected by the difference. The counters' places in PyThreadState are found
by watching them move (a Python call, a call through C, a changed limit); where they cannot be
found, `Room.supported` is False and the executor raises the limit by its own depth instead
(the old, approximate way).
"""

import ctypes
import os
import select
import signal
import sys
import time

# How deep plain recursion goes (Python frames) and how deeply nested a list repr() survives
# (C recursion only): the two rooms, measured in a script and in the grader alike.
PROBE = """\
depth = 0
def f():
    global depth
    depth += 1
    f()
try:
    f()
except RecursionError:
    pass
levels = [[]]
high = 256
while high < 40000:
    while len(levels) <= high:
        levels.append([levels[-1]])
    try:
        repr(levels[high])
    except RecursionError:
        low = high // 2
        break
    high *= 2
else:
    low = high = 40000
while low < high:
    middle = (low + high + 1) // 2
    try:
        repr(levels[middle])
        low = middle
    except RecursionError:
        high = middle - 1
print(depth, low)
"""
_PROBE_BOUND = 40000  # the probe's highest nesting

_WORDS = 32  # the 4-byte words of PyThreadState searched (its first 128 bytes)
_MARK_LIMIT = 54321  # a recursion limit no field holds by chance


def _thread_state() -> int:
    get = ctypes.pythonapi.PyThreadState_Get
    get.restype = ctypes.c_void_p
    return get()


def _words(address: int) -> list[int]:
    return [ctypes.c_int.from_address(address + 4 * i).value for i in range(_WORDS)]


def _read_in_python_call(address: int) -> list[int]:
    return _words(address)


def find_offsets() -> tuple[int, int, int] | None:
    """(py_recursion_remaining, py_recursion_limit, c_recursion_remaining) offsets, or None."""
    if sys.implementation.name != "cpython" or ctypes.sizeof(ctypes.c_void_p) != 8:
        return None
    address = _thread_state()
    here = _words(address)
    nested = _read_in_python_call(address)  # one more Python frame
    through_c = list(map(_read_in_python_call, [address]))[0]  # and a C re-entry
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_MARK_LIMIT)
    try:
        marked = _words(address)
    finally:
        sys.setrecursionlimit(limit)
    python = [i for i in range(_WORDS) if here[i] - nested[i] == 1 == here[i] - through_c[i]]
    c = [i for i in range(_WORDS) if here[i] == nested[i] and here[i] - through_c[i] >= 1]
    limits = [i for i in range(_WORDS) if marked[i] == _MARK_LIMIT and here[i] == limit]
    # The layout of 3.12 and 3.13: the three ints are adjacent, in this order.
    found = (python[0], limits[0], c[0]) if len(python) == len(limits) == 1 and c else None
    if found is None or found[1] != found[0] + 1 or found[0] + 2 not in c:
        return None
    return 4 * found[0], 4 * found[1], 4 * (found[0] + 2)


class Room:
    """Set the thread's recursion counters to a script's for the snippet, then restore them.

    The views are made once, before a run's collector start is set (they are objects the
    collector counts); `enter` and `leave` allocate nothing."""

    def __init__(self, offsets, values):
        self.supported = offsets is not None and values is not None
        if not self.supported:
            return
        address = _thread_state()
        self._address = address
        self._views = [ctypes.c_int.from_address(address + offset) for offset in offsets]
        self.values = tuple(values)  # (py remaining, py limit, C remaining) set before exec
        self._saved = [0, 0, 0]

    def enter(self) -> None:
        views, saved, values = self._views, self._saved, self.values
        for index in range(3):
            saved[index] = views[index].value
            views[index].value = values[index]

    def leave(self) -> None:
        views, saved = self._views, self._saved
        for index in range(3):
            views[index].value = saved[index]

    def current(self) -> bool:
        """Whether this is still the thread whose counters the views show."""
        return self.supported and _thread_state() == self._address

    def shifted(self, python: int, c: int) -> "Room":
        remaining, limit, c_remaining = self.values
        room = Room(None, None)
        room.__dict__.update(self.__dict__)
        room.values, room._saved = (remaining + python, limit, c_remaining + c), [0, 0, 0]
        return room


_CHILD_SECONDS = 20  # the probe takes well under a second


def output_in_child(run, source: str) -> str:
    """`run(source)` in a throwaway child of this process (forked: the same thread state, at the
    same address), its output sent back through a pipe. The probe's nested list repr makes the
    thread-state dict and its "Py_Repr" list (as a script's first container repr does): made in
    the grader server, every child forked from it would find both there and count two objects
    fewer than a script. So the server's own thread state is never touched."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, write, and leave without any of the parent's clean-up
        status = 1
        try:
            os.close(read_end)
            printed = run(source).encode()
            while printed:
                printed = printed[os.write(write_end, printed) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    printed = None
    try:
        printed = _read_until_closed(read_end, time.monotonic() + _CHILD_SECONDS)
    finally:
        os.close(read_end)
        if printed is None:
            os.kill(pid, signal.SIGKILL)
        exit_code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if printed is None or exit_code:
        raise ChildProcessError(f"the recursion probe's child failed (status {exit_code})")
    return printed.decode()


def _read_until_closed(fd: int, deadline: float) -> bytes | None:
    """All the pipe gives until it closes, or None if the deadline comes first."""
    chunks: list[bytes] = []
    while (remaining := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
    return None


def measure(script_output, grader_output, install) -> Room:
    """The Room that gives a snippet a script's rooms: `script_output(source)` is what
    `python -I` prints running `source`, `grader_output(source)` what the executor prints
    running it with the Room given to `install(room)`. A first Room (the values here, the
    limit's worth of frames) is corrected by what the probe shows in both; no adjustment at all
    (Room.supported False) if anything is missing."""
    offsets = find_offsets()
    if offsets is None:
        return Room(None, None)
    limit = sys.getrecursionlimit()
    c_here = _words(_thread_state())[offsets[2] // 4]
    first = Room(offsets, (limit, limit, c_here))

    def probe_with_first_room(source: str) -> str:
        install(first)
        return grader_output(source)

    try:
        script = [int(word) for word in script_output(PROBE).split()]
        ours = [int(word) for word in output_in_child(probe_with_first_room, PROBE).split()]
    except (OSError, ValueError):
        return Room(None, None)
    if len(script) != 2 or len(ours) != 2 or _PROBE_BOUND in (*script, *ours):
        return Room(None, None)
    return first.shifted(script[0] - ours[0], script[1] - ours[1])
