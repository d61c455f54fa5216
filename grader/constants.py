"""The grader's fixed numbers and names, in one place: run statuses, default and hard limits,
and the trace's bounds.

Plain values only: the grader server imports this module, and every page it loads is copied by
each child it forks, so nothing here may pull in dataclasses, inspect or threads.
"""

from typing import Final


class Status:
    """What a run ended with (`Outcome.status`); plain strings, stored and compared as such."""

    OK: Final = "ok"  # ran to its end (a SystemExit included)
    RAISED: Final = "raised"  # an uncaught exception (its last traceback line is reported)
    REJECTED: Final = "rejected"  # refused by the policy, before or while running
    TIMEOUT: Final = "timeout"  # CPU or wall-clock limit
    MEMORY: Final = "memory"  # memory limit (MemoryError)
    OUTPUT_LIMIT: Final = "output_limit"
    CRASHED: Final = "crashed"  # the grader itself failed; never the snippet's doing


STATUSES: Final = (
    Status.OK,
    Status.RAISED,
    Status.REJECTED,
    Status.TIMEOUT,
    Status.MEMORY,
    Status.OUTPUT_LIMIT,
    Status.CRASHED,
)
# The statuses whose output is what CPython itself would show: only those can be a key.
COMPLETED_STATUSES: Final = (Status.OK, Status.RAISED)

# Sources larger than this are refused before anything runs: teaching snippets are a few hundred
# bytes, and a huge source would only cost the grader time and memory while it is parsed.
MAX_SOURCE_BYTES: Final = 256 * 1024

# The sandboxed process starts as a copy of the grader server, whose interpreter already maps a few
# tens of MB; an address-space limit below this would fail before the snippet's first line.
MIN_MEMORY_MB: Final = 64

# grader.Limits()'s defaults; as plain data for the grader server's self-check.
DEFAULT_CPU_SECONDS: Final = 2.0
DEFAULT_WALL_SECONDS: Final = 3.0
DEFAULT_MEMORY_MB: Final = 256
DEFAULT_OUTPUT_BYTES: Final = 65536
DEFAULT_LIMITS: Final = {
    "cpu_seconds": DEFAULT_CPU_SECONDS,
    "wall_seconds": DEFAULT_WALL_SECONDS,
    "memory_mb": DEFAULT_MEMORY_MB,
    "output_bytes": DEFAULT_OUTPUT_BYTES,
}

# -- the trace (issue 5; format: briefs/trace-contract.md) ----------------------------------------

# 2: steps are deltas from the step before (grader/trace/compact.py), objects carry their id(),
# collector generation and weak references, gc.collect() is a step. Version 1 traces (full steps)
# are still read and drawn, and a key refresh replaces them.
TRACE_VERSION: Final = 2
MAX_STEPS: Final = 2000
MAX_HEAP_OBJECTS: Final = 150  # per step; further objects are left out and counted in "more"
MAX_ITEMS: Final = 30  # elements drawn per container
MAX_FRAMES: Final = 20  # frames drawn per step; "hidden_frames" counts the calls left out
REPR_CHARS: Final = 48
STDOUT_CHARS: Final = 2000  # each step keeps the tail of the output printed so far
# Of JSON as json.dumps writes it (non-ASCII escaped), i.e. bytes on the wire from the sandbox
# and in the page that draws the diagram; the steps that would not fit are left out. Under 1 MB,
# which a 2,000-step trace of compact steps fits (scripts/trace_size.py measures it).
MAX_TRACE_CHARS: Final = 1_000_000
# Recording stops once the traced run has taken this long, in CPU or in wall-clock time (a third
# of the default wall limit, half the CPU limit): a long trace on a busy machine must not make a
# program that runs in time untraced time out. The page says where the diagram stops.
TRACE_SECONDS: Final = 1.0
