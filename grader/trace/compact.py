"""The compact trace (version 2): each step says only what changed since the step before it.

A full step (what the recorder sees, and what `full_steps` gives back) is
{"line", "event", "stdout", "frames": [{"id", "name", "line", "locals"}], "heap": {label: entry},
"gone": [labels], "freed": [labels], "hidden_frames"?, "collect"?}. Its compact form keeps
"line", "event", "hidden_frames", "collect" and "freed" as they are, and replaces the rest:

- "printed": the output printed since the step before (absent when nothing was); "stdout" is the
  tail of everything printed so far (STDOUT_CHARS), as a version 1 step has it;
- "frame_ids": the frames' ids, outermost first, only when the stack changed;
- "frames": only the frames that are new (whole) or changed ({"id"} and the changed fields:
  "line", "locals" when the names themselves changed, or "rebind", the bindings that did);
- "heap": the objects that are new, whole; "update": for an object drawn at the step before whose
  fields changed (a count, an item), only those fields ({label: {field: value}}; an object that
  lost a field comes whole in "heap"); "gone": the labels drawn at the step before and not at
  this one ("freed": those the tracer saw freed).

A 2,000-step trace of a loop is about 1/10 of its full form. Version 1 traces (full steps, from
before) are read as they are. `DeltaError` says where a compact trace does not add up.
"""

from grader.constants import STDOUT_CHARS

_KEPT = ("line", "event", "hidden_frames", "collect", "freed")


class DeltaError(ValueError):
    """A compact step that cannot be applied to the step before it; the message says why."""


def tail(text: str) -> str:
    """The end of the output a step shows: at most STDOUT_CHARS characters."""
    return text if len(text) <= STDOUT_CHARS else "…" + text[-(STDOUT_CHARS - 1) :]


def printed_part(text: str) -> str:
    """What a compact step keeps of the output printed since the step before: enough for the
    tail (the start of a longer piece could never show)."""
    return text if len(text) <= STDOUT_CHARS else text[-STDOUT_CHARS:]


def compact_step(previous: dict | None, step: dict, printed: str) -> dict:
    """The compact form of full `step`, given the full step before it (None for the first) and
    the output printed between them."""
    delta = {key: step[key] for key in _KEPT if key in step}
    if printed:
        delta["printed"] = printed_part(printed)
    old_frames = {frame["id"]: frame for frame in previous["frames"]} if previous else {}
    ids = [frame["id"] for frame in step["frames"]]
    if ids != list(old_frames):
        delta["frame_ids"] = ids
    changes = [
        change
        for change in (_frame_change(old_frames.get(f["id"]), f) for f in step["frames"])
        if change
    ]
    if changes:
        delta["frames"] = changes
    old_heap = previous["heap"] if previous else {}
    whole, update = {}, {}
    for label, entry in step["heap"].items():
        old = old_heap.get(label)
        if old == entry:
            continue
        if old is None or not set(old) <= set(entry):
            whole[label] = entry
        else:
            update[label] = {key: value for key, value in entry.items() if old.get(key) != value}
    if whole:
        delta["heap"] = whole
    if update:
        delta["update"] = update
    gone = [label for label in old_heap if label not in step["heap"]]
    if gone:
        delta["gone"] = gone
    return delta


def _frame_change(old: dict | None, frame: dict) -> dict | None:
    if old is None:
        return frame
    change: dict = {"id": frame["id"]}
    for key in ("name", "line"):
        if frame[key] != old[key]:
            change[key] = frame[key]
    if frame["locals"] != old["locals"]:
        names = [binding["name"] for binding in frame["locals"]]
        if names == [binding["name"] for binding in old["locals"]]:
            change["rebind"] = [
                new for new, was in zip(frame["locals"], old["locals"], strict=True) if new != was
            ]
        else:
            change["locals"] = frame["locals"]
    return change if len(change) > 1 else None


def applied(previous: dict | None, delta: dict) -> dict:
    """The full step `delta` describes, after full step `previous` (None for the first)."""
    if not isinstance(delta, dict):
        raise DeltaError("a step is not an object")
    step = {key: delta[key] for key in _KEPT if key in delta}
    printed = delta.get("printed", "")
    if not isinstance(printed, str):
        raise DeltaError("'printed' is not text")
    step["stdout"] = tail((previous["stdout"] if previous else "") + printed)
    old_frames = {frame["id"]: frame for frame in previous["frames"]} if previous else {}
    ids = delta.get("frame_ids", list(old_frames))
    if not isinstance(ids, list) or not all(isinstance(each, str) for each in ids):
        raise DeltaError("'frame_ids' is not a list of frame ids")
    frames = {key: value for key, value in old_frames.items() if key in ids}
    changes = delta.get("frames", [])
    if not isinstance(changes, list):
        raise DeltaError("'frames' is not a list")
    for change in changes:
        if not isinstance(change, dict) or change.get("id") not in ids:
            raise DeltaError("a changed frame is not one of the step's frames")
        frames[change["id"]] = _frame_applied(frames.get(change["id"]), change)
    missing = [each for each in ids if each not in frames]
    if missing:
        raise DeltaError(f"frame {missing[0]} is new but not given whole")
    step["frames"] = [frames[each] for each in ids]
    gone = delta.get("gone", [])
    old_heap = previous["heap"] if previous else {}
    if not isinstance(gone, list) or not all(label in old_heap for label in gone):
        raise DeltaError("'gone' names an object the step before did not draw")
    changed = delta.get("heap", {})
    if not isinstance(changed, dict):
        raise DeltaError("'heap' is not an object")
    heap = {label: entry for label, entry in old_heap.items() if label not in gone}
    heap.update(changed)
    update = delta.get("update", {})
    if not isinstance(update, dict):
        raise DeltaError("'update' is not an object")
    for label, fields in update.items():
        if label not in heap or not isinstance(fields, dict):
            raise DeltaError(f"'update' changes {label}, which the step before did not draw")
        heap[label] = {**heap[label], **fields}
    step["heap"] = heap
    step["gone"] = list(gone)
    return step


def _frame_applied(old: dict | None, change: dict) -> dict:
    if old is None:
        if not {"name", "line", "locals"} <= set(change) or "rebind" in change:
            raise DeltaError(f"frame {change['id']} is new but not given whole")
        return {key: change[key] for key in ("id", "name", "line", "locals")}
    frame = dict(old)
    for key in ("name", "line", "locals"):
        if key in change:
            frame[key] = change[key]
    rebind = change.get("rebind", [])
    if not isinstance(rebind, list) or not isinstance(frame["locals"], list):
        raise DeltaError(f"frame {change['id']}: 'rebind' is not a list")
    positions = {
        binding.get("name"): i for i, binding in enumerate(frame["locals"]) if type(binding) is dict
    }
    bindings = list(frame["locals"])
    for binding in rebind:
        name = binding.get("name") if isinstance(binding, dict) else None
        if name not in positions:
            raise DeltaError(f"frame {change['id']} rebinds a name it does not have")
        bindings[positions[name]] = binding
    frame["locals"] = bindings
    return frame


def full_steps(trace: dict) -> list[dict]:
    """The trace's steps, each whole (as version 1 stores them), whichever version it is; an
    object unchanged from one step to the next is one dict shared by both."""
    steps = trace.get("steps") or []
    if trace.get("version", 1) < 2:
        return steps
    full: list[dict] = []
    previous = None
    for delta in steps:
        previous = applied(previous, delta)
        full.append(previous)
    return full
