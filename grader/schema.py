"""The result a sandboxed run sends back, defined once.

The executor builds it (`result`), the grader server builds one when the executor itself fails
(`crashed`), and the caller checks every result it receives, trace included, before it becomes
an `Outcome` (`checked_result`): a child is confined but runs a stranger's code, so nothing it
sends is trusted to have the right shape. Plain data only: the grader server imports this module.
"""

from grader.constants import STATUSES, Status
from grader.trace.compact import DeltaError, applied

# The fields every result has, and the JSON types each may take (bool is never an int here).
FIELDS = {
    "status": (str,),
    "stdout": (str,),
    "exception": (str, type(None)),
    "exception_line": (int, type(None)),
    "reasons": (list,),
}

# The trace's shape (format: grader/trace/recorder.py, which writes it).
TRACE_EVENTS = frozenset({"line", "return", "exception", "end", "exit", "collect"})
OBJECT_KINDS = frozenset(
    {"value", "list", "tuple", "set", "dict", "class", "instance", "function", "method", "cell"}
    | {"other"}
)
_NAMED_REF_LISTS = ("attrs", "defaults", "kwdefaults", "cells")
_MISSING = object()


class MalformedResult(ValueError):
    """What a child sent is not a result of the expected shape; the message says where."""


def result(
    status: str,
    stdout: str = "",
    exception: str | None = None,
    exception_line: int | None = None,
    reasons=(),
) -> dict:
    """A run's result as the child sends it."""
    return {
        "status": status,
        "stdout": stdout,
        "exception": exception,
        "exception_line": exception_line,
        "reasons": list(reasons),
    }


def crashed(reason: str) -> dict:
    """The result of a run the grader itself could not carry out."""
    return result(Status.CRASHED, reasons=[reason])


def checked_result(data: object) -> dict:
    """`data` (parsed JSON), checked to be exactly a result: the fields, a known status, the
    trace if any, and a collector variant's extras; MalformedResult otherwise."""
    if not isinstance(data, dict):
        raise MalformedResult("not a JSON object")
    for name, types in FIELDS.items():
        value = data.get(name, _MISSING)
        if isinstance(value, bool) or not isinstance(value, types):
            raise MalformedResult(f"field {name!r} is missing or of the wrong type")
    if data["status"] not in STATUSES:
        raise MalformedResult(f"unknown status {data['status']!r}")
    if not all(isinstance(reason, str) for reason in data["reasons"]):
        raise MalformedResult("a reason is not a string")
    trace = data.get("trace")
    if trace is not None:
        check_trace(trace)
    collections = data.get("collections", [])
    if not isinstance(collections, list) or not all(
        type(event) is int and event >= 0 for event in collections
    ):
        raise MalformedResult("field 'collections' is not a list of counts")
    if type(data.get("exit_lines", 0)) is not int:
        raise MalformedResult("field 'exit_lines' is not a count")
    for flag in ("exact_compilation", "sandbox_calls"):
        if type(data.get(flag, False)) is not bool:
            raise MalformedResult(f"field {flag!r} is not true or false")
    return data


def check_trace(trace: object) -> None:
    """MalformedResult unless `trace` has the tracer's shape, and every arrow in a step points
    at an object drawn in that step (the page draws the trace as it is)."""
    if not isinstance(trace, dict):
        raise MalformedResult("field 'trace' is not an object")
    _require(trace, "version", int, "the trace")
    _require(trace, "refcount_definition", str, "the trace")
    _require(trace, "max_steps", int, "the trace")
    if type(trace.get("truncated")) is not bool:
        raise MalformedResult("the trace's 'truncated' is not true or false")
    if not isinstance(trace.get("notice", _MISSING), str | None):
        raise MalformedResult("the trace's 'notice' is missing or not text")
    steps = trace.get("steps")
    if not isinstance(steps, list):
        raise MalformedResult("the trace's 'steps' is not a list")
    if trace["version"] < 2:  # full steps, as stored before the compact form
        for number, step in enumerate(steps, 1):
            _check_step(step, f"trace step {number}")
        return
    _check_cut(trace.get("cut", _MISSING))
    previous = None
    for number, delta in enumerate(steps, 1):
        where = f"trace step {number}"
        try:
            step = applied(previous, delta)
        except DeltaError as error:
            raise MalformedResult(f"{where}: {error}") from None
        _check_step(step, where)
        _check_lifetimes(step, where)
        previous = step


def _check_cut(cut: object) -> None:
    if cut is None:
        return
    if not isinstance(cut, dict) or type(cut.get("step")) is not int:
        raise MalformedResult("the trace's 'cut' is not a step and a line")
    _require_line(cut, "the trace's 'cut'")


def _check_lifetimes(step: dict, where: str) -> None:
    """Version 2's additions: each object's id and generation, the weak references to it, the
    objects freed since the step before, and a collection's summary."""
    labels = set(step["heap"])
    for label, entry in step["heap"].items():
        here = f"{where}, object {label}"
        _require(entry, "id", int, here)
        generation = entry.get("gc", _MISSING)
        if generation is not None and generation not in (0, 1, 2):
            raise MalformedResult(f"{here}: 'gc' is not a generation")
        weakrefs = entry.get("weakrefs", [])
        if not isinstance(weakrefs, list):
            raise MalformedResult(f"{here}: 'weakrefs' is not a list")
        for ref in weakrefs:
            if not isinstance(ref, dict) or not isinstance(ref.get("type"), str):
                raise MalformedResult(f"{here}: a weak reference has no type")
            if "ref" in ref:
                _check_ref(ref["ref"], labels, here)
            if not isinstance(ref.get("callback", ""), str):
                raise MalformedResult(f"{here}: a weak reference's callback is not text")
    freed = step.get("freed", [])
    if not isinstance(freed, list) or not set(freed) <= set(step["gone"]):
        raise MalformedResult(f"{where}: 'freed' names an object that is still drawn")
    if step["event"] == "collect":
        _check_collection(step.get("collect"), where)
    elif "collect" in step:
        raise MalformedResult(f"{where}: a collection's summary on a step of another event")


def _check_collection(summary: object, where: str) -> None:
    if not isinstance(summary, dict) or summary.get("reason") not in ("gc.collect()", "automatic"):
        raise MalformedResult(f"{where}: 'collect' is not a collection's summary")
    for name in ("generation", "collected", "uncollectable"):
        _require(summary, name, int, f"{where}, the collection")
    finalizers = summary.get("finalizers")
    if not isinstance(finalizers, list) or not all(isinstance(f, str) for f in finalizers):
        raise MalformedResult(f"{where}: the collection's 'finalizers' is not a list of names")
    cycles = summary.get("cycles")
    if not isinstance(cycles, list) or not all(
        isinstance(cycle, list) and all(isinstance(label, str) for label in cycle)
        for cycle in cycles
    ):
        raise MalformedResult(f"{where}: the collection's 'cycles' is not a list of cycles")


def _check_step(step: object, where: str) -> None:
    if not isinstance(step, dict):
        raise MalformedResult(f"{where} is not an object")
    _require_line(step, where)
    if step.get("event") not in TRACE_EVENTS:
        raise MalformedResult(f"{where} has an unknown event")
    _require(step, "stdout", str, where)
    if "hidden_frames" in step:
        _require(step, "hidden_frames", int, where)
    heap = step.get("heap")
    if not isinstance(heap, dict):
        raise MalformedResult(f"{where}: 'heap' is not an object")
    labels = set(heap)
    for label, entry in heap.items():
        _check_heap_entry(entry, labels, f"{where}, object {label}")
    frames = step.get("frames")
    if not isinstance(frames, list):
        raise MalformedResult(f"{where}: 'frames' is not a list")
    for frame in frames:
        _check_frame(frame, labels, where)


def _check_frame(frame: object, labels: set, where: str) -> None:
    if not isinstance(frame, dict):
        raise MalformedResult(f"{where}: a frame is not an object")
    _require(frame, "id", str, f"{where}, a frame")
    _require(frame, "name", str, f"{where}, a frame")
    _require_line(frame, f"{where}, frame {frame['id']}")
    names = frame.get("locals")
    if not isinstance(names, list):
        raise MalformedResult(f"{where}, frame {frame['id']}: 'locals' is not a list")
    for binding in names:
        _check_named_ref(binding, labels, f"{where}, frame {frame['id']}")
        if binding.get("cell", True) is not True:
            raise MalformedResult(f"{where}, frame {frame['id']}: 'cell' is not true")


def _check_heap_entry(entry: object, labels: set, where: str) -> None:
    if not isinstance(entry, dict):
        raise MalformedResult(f"{where} is not an object")
    for name in ("type", "repr"):
        _require(entry, name, str, where)
    if entry.get("kind") not in OBJECT_KINDS:
        raise MalformedResult(f"{where} has an unknown kind")
    refcount = entry.get("refcount", _MISSING)
    if refcount is not None and type(refcount) is not int:
        raise MalformedResult(f"{where}: 'refcount' is missing or not a count")
    flags = entry.get("flags")
    if not isinstance(flags, list) or not all(isinstance(flag, str) for flag in flags):
        raise MalformedResult(f"{where}: 'flags' is not a list of names")
    items = entry.get("items", [])
    if not isinstance(items, list):
        raise MalformedResult(f"{where}: 'items' is not a list")
    for ref in items:
        _check_ref(ref, labels, where)
    entries = entry.get("entries", [])
    if not isinstance(entries, list):
        raise MalformedResult(f"{where}: 'entries' is not a list")
    for pair in entries:
        if not isinstance(pair, list) or len(pair) != 2:
            raise MalformedResult(f"{where}: an entry is not a [key, value] pair")
        for ref in pair:
            _check_ref(ref, labels, where)
    for field in _NAMED_REF_LISTS:
        refs = entry.get(field, [])
        if not isinstance(refs, list):
            raise MalformedResult(f"{where}: {field!r} is not a list")
        for named in refs:
            _check_named_ref(named, labels, where)
    if "contents" in entry:
        _check_ref(entry["contents"], labels, where)
    if "more" in entry:
        _require(entry, "more", int, where)


def _check_named_ref(named: object, labels: set, where: str) -> None:
    if not isinstance(named, dict) or not isinstance(named.get("name"), str):
        raise MalformedResult(f"{where}: a reference has no name")
    _check_ref(named.get("ref"), labels, where)


def _check_ref(ref: object, labels: set, where: str) -> None:
    if not isinstance(ref, str) or ref not in labels:
        raise MalformedResult(f"{where}: a reference to an object the step does not draw")


def _require(record: dict, name: str, kind: type, where: str) -> None:
    value = record.get(name, _MISSING)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise MalformedResult(f"{where}: {name!r} is missing or of the wrong type")


def _require_line(record: dict, where: str) -> None:
    # A frame's line is None while CPython runs an instruction that has none.
    line = record.get("line", _MISSING)
    if line is not None and type(line) is not int:
        raise MalformedResult(f"{where}: 'line' is missing or not a line number")
