"""The child's side of the collector check (grader/collector_check.py): run a snippet under
another schedule of automatic collections, or record the collections of a run.

The grader reproduces where a script's automatic collections fall only to within a few
allocations. A snippet whose output does not change when they come a little earlier or later
shows what the script shows; any other is refused. Nothing here runs in an ordinary (answer key)
run.

A variant is a plain dict from the caller (a JSON request):
- "shift": allocations added to (or, negative, removed from) the collector's count before the
  compiler runs, so that every automatic collection comes that many allocations earlier (later);
- "import_shift": allocations added to (negative: freed at) every first import of a stand-in,
  for a grader whose imports are not calibrated (see execute.calibration_residuals);
- "late_import_correction": free the few allocations by which a calibrated first import
  exceeds a script's once it has ended rather than as it starts (where inside it they lie is
  not known; it matters when an automatic collection falls inside the import);
- "record": install a `gc.callbacks` hook for the snippet's code that records every collection;
- "other_exit_order": finalise at exit in the other of the two orders the grader knows: with
  the objects reachable from the globals requeued at the young end of the collector's list,
  breadth-first from the globals, as if none were older than the globals dict (3.13's), or not
  (3.12's); see requeue_breadth_first.
"""

import ctypes
import gc

# One int per recorded collection, so that recording allocates nothing the collector counts:
# bit 0-1 generation, EXPLICIT (gc.collect(), not automatic), PRINTED (the run's output grew
# during it: a finalizer or a weakref callback printed), and the number of objects it found
# unreachable (collected + uncollectable) from bit FREED_SHIFT up.
EXPLICIT = 4
PRINTED = 8
FREED_SHIFT = 4


def checked(variant) -> dict | None:
    """The variant as the executor uses it, or None for an ordinary run."""
    if variant is None:
        return None
    if not isinstance(variant, dict):
        raise ValueError("a collector variant must be an object")
    shift, import_shift, late, record, other_exit_order = (
        variant.get("shift", 0),
        variant.get("import_shift", 0),
        variant.get("late_import_correction", False),
        variant.get("record", False),
        variant.get("other_exit_order", False),
    )
    for value in (shift, import_shift):
        if type(value) is not int or abs(value) > 10_000:
            raise ValueError("a collector variant's shifts must be small integers")
    if any(type(flag) is not bool for flag in (late, record, other_exit_order)):
        raise ValueError("a collector variant's flags must be booleans")
    return {
        "shift": shift,
        "import_shift": import_shift,
        "late_import_correction": late,
        "record": record,
        "other_exit_order": other_exit_order,
    }


# By address: a py_object argument is checked first, which a dead weakref.proxy refuses. Own
# function objects (indexing makes new ones; attributes are shared with grader/immortal.py).
_untrack = ctypes.pythonapi["PyObject_GC_UnTrack"]
_untrack.argtypes, _untrack.restype = (ctypes.c_void_p,), None
_track = ctypes.pythonapi["PyObject_GC_Track"]
_track.argtypes, _track.restype = (ctypes.c_void_p,), None


def requeue_breadth_first(namespace: dict) -> None:
    """Move the run's objects reachable from `namespace` to the young end of the collector's
    list, breadth-first from it (never a frozen host object: only those gc.get_objects() lists)."""
    movable = {id(obj) for obj in gc.get_objects()}
    seen, order, level = {id(namespace)}, [], [namespace]
    while level:
        following = []
        for obj in level:
            for referent in gc.get_referents(obj):
                key = id(referent)
                if key in movable and key not in seen:
                    seen.add(key)
                    order.append(referent)
                    following.append(referent)
        level = following
    for obj in order:  # alive: `order` holds each
        _untrack(id(obj))
        _track(id(obj))


class Recorder:
    """A `gc.callbacks` hook recording each collection while the snippet's code runs.

    Automatic and explicit collections are told apart by the count: an automatic one starts only
    once generation 0's count exceeds its threshold (with gc enabled); a `gc.collect()` made
    while a due collection is still pending is taken for an automatic one, which only errs
    towards refusing. The hook reads the run's remaining output room, an int, so it allocates
    nothing but the ints of its record.
    """

    __slots__ = (
        "events",
        "exit_room",
        "enabled_at_exit",
        "_run",
        "_threshold",
        "_explicit",
        "_room",
    )

    def __init__(self, run, threshold: int):
        self.events: list[int] = []
        self.exit_room = None  # the output room left when the snippet's code ended
        self.enabled_at_exit = True  # with gc disabled, objects die at exit in allocation order
        self._run, self._threshold = run, threshold
        self._explicit, self._room = 0, 0

    def __call__(self, phase, info):
        if phase == "start":
            automatic = gc.isenabled() and gc.get_count()[0] > self._threshold
            self._explicit = 0 if automatic else EXPLICIT
            self._room = self._run.room
            return
        freed = info["collected"] + info["uncollectable"]
        printed = PRINTED if self._run.room != self._room else 0
        self.events.append(info["generation"] | self._explicit | printed | freed << FREED_SHIFT)

    def lines_at_exit(self, run) -> int:
        """How many lines the run printed once the snippet's code had ended: finalizers and
        callbacks run at exit, in an order the grader reproduces for CPython 3.12 only."""
        if self.exit_room is None:
            return 0
        printed = run.stdout().encode()
        return printed[len(printed) - (self.exit_room - run.room) :].count(b"\n")


def observable_effects(events: list[int]) -> list[str]:
    """What the recorded automatic collections did that the output can show: found garbage that
    a finalizer printed about during the collection, or that a later `gc.collect()` would have
    counted. (They explain a difference; a run is refused only if its output changes with the
    collections' timing, see grader/collector_check.py.)"""
    reasons = []
    for position, event in enumerate(events):
        if event & EXPLICIT or not event >> FREED_SHIFT:
            continue
        if event & PRINTED:
            reasons.append("a finalizer or weakref callback printed during an automatic collection")
        if any(later & EXPLICIT for later in events[position + 1 :]):
            reasons.append(
                "an automatic collection freed objects that a later gc.collect() would count"
            )
    return list(dict.fromkeys(reasons))
