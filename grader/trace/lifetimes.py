"""What a step says of each object's life (issue 17 §3): its collector generation, the weak
references to it, whether an object no longer drawn was freed, and what a collection did.

Read the way the recorder reads everything: with the collector paused, holding no snippet object
after the step (the lists gc.get_objects returns are dropped before the step ends), calling no
snippet code.
"""

import gc
import weakref

from grader.constants import REPR_CHARS
from grader.trace.reprs import short_repr

_GENERATIONS = 3


class Young:
    """The collector's young generations at one step, read as little as a step needs.

    The objects made since the step before are the last ones of generation 0, after the marker
    left by that step (unless a collection moved everything on); the rest of the generations is
    put in sets only when an object's generation is not known from the step before. `release()`
    drops the lists, which refer to snippet objects, before the step ends.
    """

    def __init__(self, step_marker, previous_marker):
        youngest = gc.get_objects(generation=0)
        end = len(youngest)
        if step_marker is not None:  # the step's own objects are the last ones
            end = next(i for i in range(end - 1, -1, -1) if youngest[i] is step_marker)
        self.made_since = set()  # ids of what the snippet made since the step before
        self.marker_found = False
        if previous_marker is not None:
            for position in range(end - 1, -1, -1):
                if youngest[position] is previous_marker:
                    self.marker_found = True
                    break
                self.made_since.add(id(youngest[position]))
        del youngest[end:]
        self._youngest = youngest
        self._ids: tuple[set[int], set[int]] | None = None

    def ids(self) -> tuple[set[int], set[int]]:
        """The ids in generations 0 and 1 (sets built by map, in C)."""
        if self._ids is None:
            self._ids = set(map(id, self._youngest)), set(map(id, gc.get_objects(generation=1)))
        return self._ids

    def generation(self, oid: int) -> int:
        young = self.ids()
        return 0 if oid in young[0] else 1 if oid in young[1] else _GENERATIONS - 1

    def alive_with_type(self, oids: dict[int, int], generations) -> set[int]:
        """alive_with_type, leaving out the step's own objects (one may sit at a freed object's
        address)."""
        alive = alive_with_type(oids, [g for g in generations if g != 0])
        if 0 in generations:
            alive |= {id(obj) for obj in self._youngest if oids.get(id(obj)) == id(type(obj))}
        return alive

    def release(self) -> None:
        self._youngest = []


def alive_with_type(oids: dict[int, int], generations=(0, 1, 2)) -> set[int]:
    """Those of `oids` (id -> id of its type) that a tracked object of that type still has, in
    these generations (looked through only for the ids asked about)."""
    alive: set[int] = set()
    for generation in generations:
        found = gc.get_objects(generation=generation)
        for obj in found:
            if oids.get(id(obj)) == id(type(obj)):
                alive.add(id(obj))
        del found
    return alive


def weak_references(obj, labels_by_id: dict[int, str]) -> list[dict]:
    """The weak references to `obj`: each one's type, its label when the step draws it, and what
    its callback is (a weakref.finalize's, a WeakValueDictionary's, the program's own)."""
    if not type(obj).__weakrefoffset__:
        return []
    found = []
    for ref in weakref.getweakrefs(obj):
        entry: dict = {"type": type(ref).__name__}
        label = labels_by_id.get(id(ref))
        if label:
            entry["ref"] = label
        callback = getattr(ref, "__callback__", None)
        if callback is not None:
            entry["callback"] = short_repr(callback, REPR_CHARS)
        found.append(entry)
    return found


def pending_finalizers() -> dict[int, str]:
    """id -> description of each weakref.finalize not yet run (CPython's own registry)."""
    registry = weakref.finalize._registry  # type: ignore[attr-defined]
    return {
        id(finalizer): f"weakref.finalize: {short_repr(info.func, REPR_CHARS)}"
        for finalizer, info in list(registry.items())
    }


def cycles_among(labels: set[str], heap: dict) -> list[list[str]]:
    """The groups of `labels` that refer to one another in `heap` (a step's drawing): the cycles
    a collection freed, each as the labels in drawing order."""
    neighbours: dict[str, set[str]] = {label: set() for label in labels}
    for label in labels:
        for ref in _refs(heap[label]):
            if ref in labels:
                neighbours[label].add(ref)
                neighbours[ref].add(label)
    order = [label for label in heap if label in labels]
    seen: set[str] = set()
    groups = []
    for start in order:
        if start in seen:
            continue
        group, pending = set(), [start]
        while pending:
            label = pending.pop()
            if label not in group:
                group.add(label)
                pending.extend(neighbours[label])
        seen |= group
        groups.append([label for label in order if label in group])
    return groups


def _refs(entry: dict):
    yield from entry.get("items", ())
    for key, value in entry.get("entries", ()):
        yield key
        yield value
    for field in ("attrs", "defaults", "kwdefaults", "cells"):
        for named in entry.get(field, ()):
            yield named["ref"]
    if "contents" in entry:
        yield entry["contents"]
