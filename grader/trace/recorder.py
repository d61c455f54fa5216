"""The tracer: sys.monitoring events on the snippet's code, and one step recorded per event.

See the package's docstring (grader/trace/__init__.py) for what it records and what it must not
change; grader/trace/heap.py reads the objects a step draws.
"""

import gc
import json
import opcode
import sys
import time
import types

from grader.constants import (
    MAX_FRAMES,
    MAX_STEPS,
    MAX_TRACE_CHARS,
    STDOUT_CHARS,
    TRACE_SECONDS,
    TRACE_VERSION,
)
from grader.trace import lifetimes
from grader.trace.attributes import stored_attribute_names
from grader.trace.compact import compact_step, tail
from grader.trace.heap import Heap

# Kept free of steps: the trace's other fields, and the "exit" step, whose stdout escapes to at
# most 12 characters per character (a surrogate pair).
_ROOM_OUTSIDE_STEPS = 2_000 + 12 * STDOUT_CHARS

REFCOUNT_DEFINITION = (
    "the references CPython counts to the object at this step, as "
    "print(sys.getrefcount(x) - 1) would show for a name x bound to it (the diagram's own "
    "references are left out). Immortal objects (such as small ints and None) and objects that "
    "are not the program's (modules, builtin functions) are shown without a count."
)


_CO_OPTIMIZED = 0x1  # function frames keep their locals in fast slots, not in a dict
# A frame stopped at a call when the collector ran: gc.collect() rather than an allocation.
_CALL = opcode.opmap["CALL"]
_SUMMARY_FIELDS = (
    "reason",
    "generation",
    "collected",
    "uncollectable",
    "finalizers",
)


class Tracer:
    """Records a trace of one snippet run; see the module docstring."""

    def __init__(
        self,
        code,
        namespace,
        *,
        stdout,
        max_steps=MAX_STEPS,
        max_chars=MAX_TRACE_CHARS,
        max_seconds=TRACE_SECONDS,
    ):
        self._namespace = namespace  # the module's globals, read once more for the "end" step
        self._codes = list(_nested_code_objects(code))
        self._code_ids = {id(each) for each in self._codes}
        self._stored_names = stored_attribute_names(self._codes)
        # id(code) -> (parameter names, names in cells, free names), read once: CPython 3.12
        # builds those tuples on first access and caches them on the code object.
        self._code_names = {}
        self._module_code = code
        self._module_frame = None  # the label of the module's frame, kept for the "end" step
        self._stdout = stdout  # callable returning everything printed so far
        self._max_steps = max_steps
        self._max_chars = max_chars
        self._max_seconds = max_seconds
        self._deadlines = (0.0, 0.0)  # CPU and wall-clock times after which no step is recorded
        # The compact steps (grader/trace/compact.py), each kept as its JSON text: a str is not
        # tracked by the collector, so a long trace adds nothing to the young generations that
        # every step reads (and that the snippet's collections scan).
        self._steps = []
        self._previous_step: dict = {}  # the last step recorded, whole: the next one's baseline
        self._label_places = {}  # label -> (id, id of its type, generation) at the last step
        self._collection = None  # what a collection in progress started from (issue 17 §3)
        self._pending_collection = None  # a collection whose step the next event records
        self._collected_since_step = False
        self._marker = None  # the tracer's own tracked object, the last one a step made
        self._cut = None  # where the trace was cut: {"step", "line"}
        self._size = 0  # characters of JSON recorded so far
        self._printed = 0  # characters of output the last recorded step had seen
        self._last_line = 1
        self._excused = 0  # the tracer's part of the collector's count; see _collect_when_due
        self._threshold = self._applied = 0  # the snippet's threshold, and the one set for it
        self._truncated = False
        self._notice = None
        self._tool = None
        self._labels = {}  # id -> (label, fingerprint) for objects drawn at the previous step
        self._next_label = 1
        self._frame_labels = {}  # (id(frame), code) -> label for frames on the previous step
        self._next_frame = 1
        self._previous_graph = {}  # id -> child ids, as drawn at the previous step
        self._previous_kinds = {}  # id -> id of the type, for drawn containers
        self._cycle_only = set()  # ids drawn as cycle_only at the previous step

    # -- running ---------------------------------------------------------------------------

    def __enter__(self):
        """Record while the block runs `exec(code, namespace)`; the exec stays the caller's, so
        tracing adds no frame to the snippet's stack or traceback."""
        self._install()
        return self

    def __exit__(self, error_type, error, traceback):
        self._uninstall()
        namespace, self._namespace = self._namespace, None  # the caller decides when it dies
        if error_type is None and not self._truncated and self._notice is None:
            collecting = gc.isenabled()
            gc.disable()
            try:
                self._record_pending_collection(None, namespace)
                self._record("end", self._last_line, None, namespace)
            finally:
                if collecting:
                    gc.enable()
        return False

    def result(self, final_stdout=None):
        """The trace. `final_stdout` is everything the run printed, shutdown included: when it
        is more than the last step saw (objects finalised at exit print), an "exit" step shows
        it, with no frames and no objects left; not after a truncated or failed trace."""
        steps = json.loads("[" + ",".join(self._steps) + "]")
        if (
            final_stdout is not None
            and len(final_stdout) != self._printed
            and steps
            and not self._truncated
            and self._notice is None
        ):
            exit_step = {
                "line": self._previous_step["line"],
                "event": "exit",
                "stdout": tail(final_stdout),
                "frames": [],
                "heap": {},
            }
            printed = final_stdout[self._printed :]
            steps = [*steps, compact_step(self._previous_step, exit_step, printed)]
        return {
            "version": TRACE_VERSION,
            "refcount_definition": REFCOUNT_DEFINITION,
            "max_steps": self._max_steps,
            "truncated": self._truncated,
            "cut": self._cut,
            "notice": self._notice,
            "steps": steps,
        }

    def _install(self):
        monitoring = sys.monitoring
        free = [tool for tool in range(6) if monitoring.get_tool(tool) is None]
        if not free:
            self._notice = "No trace: the interpreter's monitoring slots are all in use."
            return
        self._tool = free[0]
        monitoring.use_tool_id(self._tool, "grader.trace")
        events = monitoring.events
        monitoring.register_callback(self._tool, events.LINE, self._on_line)
        monitoring.register_callback(self._tool, events.PY_RETURN, self._on_return)
        monitoring.register_callback(self._tool, events.RAISE, self._on_raise)
        for code in self._codes:
            local = events.LINE
            if code is not self._module_code:
                local |= events.PY_RETURN
            monitoring.set_local_events(self._tool, code, local)
        # RAISE cannot be a local event in 3.12; _on_raise ignores code that is not the snippet's.
        monitoring.set_events(self._tool, events.RAISE)
        self._hold_automatic_collection()
        self._deadlines = (
            time.process_time() + self._max_seconds,
            time.monotonic() + self._max_seconds,
        )

    def _uninstall(self):
        if self._tool is None:
            return
        monitoring = sys.monitoring
        monitoring.set_events(self._tool, 0)
        for code in self._codes:
            monitoring.set_local_events(self._tool, code, 0)
        for event in (monitoring.events.LINE, monitoring.events.PY_RETURN, monitoring.events.RAISE):
            monitoring.register_callback(self._tool, event, None)
        monitoring.free_tool_id(self._tool)
        self._tool = None
        self._release_automatic_collection()

    # -- events (called by the interpreter in the middle of the snippet) ---------------------

    def _on_line(self, code, line):
        self._step("line", line)

    def _on_return(self, code, offset, retval):
        del retval  # our argument would count as one more reference to the returned object
        self._step("return", sys._getframe(1).f_lineno)

    def _on_raise(self, code, offset, exception):
        del exception
        if id(code) in self._code_ids:
            self._step("exception", sys._getframe(1).f_lineno)

    def _step(self, event, line):
        if self._tool is None:
            return
        if len(self._steps) >= self._max_steps:
            self._stop_truncated(f"the most a diagram records is {self._max_steps} steps", line)
            return
        if time.process_time() > self._deadlines[0] or time.monotonic() > self._deadlines[1]:
            why = f"recording had taken {self._max_seconds:g} s, all a diagram may take"
            self._stop_truncated(why, line)
            return
        collecting = gc.isenabled()
        gc.disable()
        allocated = gc.get_count()[0]
        try:
            frame = sys._getframe(2)
            if self._collection is not None:  # snippet code run by a collection: a finalizer
                ran = f"{frame.f_code.co_qualname}()"
                if ran not in self._collection["ran"]:
                    self._collection["ran"].append(ran)
            self._record_pending_collection(frame, None)
            if len(self._steps) >= self._max_steps:
                self._stop_truncated(f"the most a diagram records is {self._max_steps} steps", line)
                return
            self._record(event, line, frame, None)
        except Exception as error:  # never let the tracer change what the snippet does
            self._notice = f"The trace stopped early: {type(error).__name__}: {error}"
            self._uninstall()
        finally:
            self._excused += gc.get_count()[0] - allocated
            self._apply_threshold()
            if collecting:
                gc.enable()

    def _stop_truncated(self, why, line):
        self._truncated = True
        self._cut = {"step": len(self._steps), "line": line}
        self._notice = (
            f"The diagram stops after step {len(self._steps)}, before line {line} ran again: "
            f"{why}. The program went on running to its end; its output is complete."
        )
        self._uninstall()

    # CPython collects once its count of new container objects passes a threshold. A step leaves
    # that count higher (CPython's free lists make it drift), so while tracing, the threshold is
    # raised by what the steps added since the last collection: automatic collection is never
    # earlier than without the tracer, and a garbage cycle stays until the snippet's
    # gc.collect(). (A snippet that reads gc.get_threshold() while traced sees the raised value.)

    def _hold_automatic_collection(self):
        self._threshold = self._applied = gc.get_threshold()[0]
        gc.callbacks.append(self._on_collection)

    def _release_automatic_collection(self):
        gc.callbacks.remove(self._on_collection)
        self._excused = 0
        self._apply_threshold()

    def _apply_threshold(self):
        current, *older = gc.get_threshold()
        if current != self._applied:  # the snippet set its own threshold
            self._threshold = current
        self._applied = self._threshold + self._excused if self._threshold else 0
        gc.set_threshold(self._applied, *older)

    def _on_collection(self, phase, info):
        if phase == "start":
            if self._tool is not None and self._previous_step:
                # Everything the collection's step needs is made now, before the collection sets
                # the count of new objects to zero: made after it, a kept object would show in a
                # gc.get_count() right after gc.collect().
                self._collection = {
                    "before": self._previous_step,
                    "finalizers": lifetimes.pending_finalizers(),
                    "ran": [],
                    "summary": dict.fromkeys(_SUMMARY_FIELDS),
                    "line": None,
                }
            return
        self._excused = 0  # the collection set the count back to zero
        self._collected_since_step = True
        collection, self._collection = self._collection, None
        if collection is not None and self._tool is not None:
            try:
                self._note_collection(info, collection)
            except Exception as error:  # never let the tracer change what the snippet does
                self._notice = f"The trace stopped early: {type(error).__name__}: {error}"
                self._uninstall()
        self._apply_threshold()

    def _note_collection(self, info, collection):
        """Keep a collection for a step of its own when the snippet asked for it (gc.collect())
        or it freed a garbage cycle drawn before or ran a finalizer. The step is recorded at the
        snippet's next event (recording allocates, which inside the collection's callback would
        show in the collector's counts), at the line of the call."""
        frame: types.FrameType | None = sys._getframe(1)
        while frame is not None and id(frame.f_code) not in self._code_ids:
            frame = frame.f_back
        if frame is None:
            return
        code = frame.f_code
        explicit = code.co_code[frame.f_lasti] == _CALL and "collect" in code.co_names
        pending = lifetimes.pending_finalizers()
        for key, text in collection["finalizers"].items():
            if key not in pending:
                collection["ran"].append(text)
        del pending
        if not (explicit or collection["ran"] or self._freed_garbage(collection["before"])):
            return
        summary = collection["summary"]
        summary["reason"] = "gc.collect()" if explicit else "automatic"
        summary["generation"] = info.get("generation", 2)
        summary["collected"] = info.get("collected", 0)
        summary["uncollectable"] = info.get("uncollectable", 0)
        summary["finalizers"] = collection["ran"]
        collection["line"] = frame.f_lineno
        self._pending_collection = collection

    def _record_pending_collection(self, frame, namespace):
        collection, self._pending_collection = self._pending_collection, None
        if collection is not None:
            self._record("collect", collection["line"], frame, namespace, collection)

    # -- one step -----------------------------------------------------------------------------

    def _record(self, event, line, frame, namespace, collection=None):
        # Tracked before anything else of this step (the collector keeps its youngest objects in
        # order), so that what this step makes can be told from what was there before it.
        step_start: list = []
        printed = self._stdout()
        heap = Heap(self._code_ids, self._stored_names, self._code_names)
        frames, hidden_frames = self._read_frames(frame, namespace, heap, line)
        heap.walk()
        self._add_cycle_only(heap, step_start)
        counts = heap.refcounts()
        _find_cells(frames, heap, counts)
        garbage = self._find_garbage(heap, counts)
        drawn = heap.drawn(garbage)
        labels = self._assign_labels(heap, drawn)
        young = lifetimes.Young(step_start, self._marker)
        del step_start
        labels_by_id = {heap.nodes[i].oid: labels[i] for i in drawn}
        step_heap = {}
        places = {}
        obj = None
        for index in drawn:
            node = heap.nodes[index]
            obj = heap.objects[index]
            entry = {
                "type": node.type_name,
                "kind": node.kind,
                "repr": node.repr,
                "refcount": None if node.opaque or node.immortal else counts[index],
                "flags": node.flags + (["cycle_only"] if index in garbage else []),
                "id": node.oid,  # id() as the program prints it
                "gc": None if node.opaque else self._generation(obj, labels[index], young),
            }
            if not (node.opaque or node.immortal):
                weakrefs = lifetimes.weak_references(obj, labels_by_id)
                if weakrefs:
                    entry["weakrefs"] = weakrefs
            self._add_refs(entry, node, labels)
            step_heap[labels[index]] = entry
            places[labels[index]] = (node.oid, id(node.type), entry["gc"])
        del obj
        previous = self._previous_step
        gone = [label for label in previous["heap"] if label not in step_heap] if previous else []
        freed = self._freed(gone, young, labels_by_id)
        young.release()
        self._collected_since_step = False
        self._label_places = places
        self._remember(heap, drawn, garbage, labels)
        for record in frames:
            record.pop("code", None)
            record["locals"] = [
                # A name in a cell: the frame holds the cell, the arrow shows the cell's content.
                {"name": name, "ref": labels[index]} | ({"cell": True} if in_cell else {})
                for name, index, in_cell in record["locals"]
                if index in labels
            ]
        step = {
            "line": line,
            "event": event,
            "stdout": tail(printed),
            "frames": frames,
            "heap": step_heap,
            "gone": gone,
        }
        if freed:
            step["freed"] = freed
        if hidden_frames:
            step["hidden_frames"] = hidden_frames
        if collection is not None:
            before = collection["before"]
            in_cycles = {
                label
                for label in before["heap"]
                if label not in step_heap and "cycle_only" in before["heap"][label]["flags"]
            }
            cycles = lifetimes.cycles_among(in_cycles, before["heap"])
            step["collect"] = {**collection["summary"], "cycles": cycles}
        delta = json.dumps(compact_step(self._previous_step, step, printed[self._printed :]))
        size = len(delta)
        if self._size + size > self._max_chars - _ROOM_OUTSIDE_STEPS:
            limit = f"{self._max_chars:,}"
            why = f"the next one would take the trace past {limit} characters"
            self._stop_truncated(why, line)
            return
        self._steps.append(delta)
        self._previous_step = step
        self._size += size
        self._marker = []  # last: what the snippet makes from now on comes after it (Young)
        self._printed = len(printed)
        if frames:
            self._last_line = frames[0]["line"]  # where the module is, for the "end" step

    def _read_frames(self, frame, namespace, heap, line):
        """The snippet's frames, outermost first, with their names registered in the heap."""
        snippet_frames = []
        while frame is not None:
            if id(frame.f_code) in self._code_ids:
                snippet_frames.append(frame)
            frame = frame.f_back
        snippet_frames.reverse()
        hidden = max(0, len(snippet_frames) - MAX_FRAMES)
        if hidden:  # deep recursion: the module's frame and the innermost calls are drawn
            snippet_frames = snippet_frames[:1] + snippet_frames[1 + hidden :]
        records = []
        labels = {}
        if namespace is not None:  # the run is over: only the module's names remain
            label = self._module_frame or self._new_frame_label()
            records.append(self._frame_record(label, "<module>", line, namespace, heap, False))
        for index, snippet_frame in enumerate(snippet_frames):
            code = snippet_frame.f_code
            key = (id(snippet_frame), id(code))
            label = self._frame_labels.get(key) or self._new_frame_label()
            labels[key] = label
            if code is self._module_code:
                self._module_frame = label
            current = index == len(snippet_frames) - 1
            is_function = bool(code.co_flags & _CO_OPTIMIZED)
            record = self._frame_record(
                label,
                code.co_name,
                line if current else snippet_frame.f_lineno,
                snippet_frame.f_locals,
                heap,
                is_function,
                # A module's cell variables belong to its inlined comprehensions, never to the
                # globals of the same names.
                heap.names_in_cells(code) if is_function else (),
            )
            record["code"] = code  # read by _find_cells, dropped before the step is kept
            records.append(record)
        self._frame_labels = labels
        return records, hidden

    def _new_frame_label(self):
        self._next_frame += 1
        return f"f{self._next_frame - 1}"

    def _frame_record(self, label, name, line, names, heap, is_snapshot, in_cells=()):
        bindings = [
            (local_name, heap.add(value), local_name in in_cells)
            for local_name, value in list(names.items())
            if self._shown(local_name)
        ]
        if is_snapshot and type(names) is dict:
            # The dict CPython 3.12 filled for f_locals holds a reference per name until the
            # frame ends; emptying it keeps counts (and __del__ timing) as without the tracer.
            # CPython 3.13's f_locals is a proxy of the frame itself (PEP 667): nothing to empty.
            names.clear()
        return {"id": label, "name": name, "line": line, "locals": bindings}

    def _shown(self, name):
        return (
            isinstance(name, str)
            and name.isidentifier()
            # The sandbox's hooks are named `_x_` (and dunders are the interpreter's); the
            # policy refuses such names in a snippet, whose `_i` or `__secret` are shown.
            and not (name.startswith("_") and name.endswith("_"))
        )

    def _add_cycle_only(self, heap, step_start):
        """Bring back objects drawn before that only a reference cycle may still keep alive.

        Matched by id and type, so an object this step made (after `step_start`) is left out: it
        may sit at the address of a drawn object freed since the last step.
        """
        reachable = set(heap.index)
        gone = [oid for oid in self._previous_graph if oid not in reachable]
        suspects = {
            oid: self._previous_kinds[oid]
            for oid in gone
            if oid in self._previous_kinds
            and (oid in self._cycle_only or _on_cycle(self._previous_graph, oid))
        }
        if not suspects:
            return
        made_by_this_step = _made_since(step_start)
        survivors = [
            obj
            for obj in gc.get_objects()
            if suspects.get(id(obj)) == id(type(obj)) and id(obj) not in made_by_this_step
        ]
        heap.walk_unreachable(survivors)
        del survivors

    def _find_garbage(self, heap, counts):
        """The unreachable objects whose every reference comes from other unreachable ones."""
        candidates = [i for i in heap.unreachable if not heap.nodes[i].immortal]
        if not candidates:
            return set()
        members = set(candidates)
        internal = dict.fromkeys(candidates, 0)
        for index in candidates:
            for child in heap.nodes[index].children():
                if child in members:
                    internal[child] += 1
        alive = [i for i in candidates if counts[i] > internal[i]]
        kept = set(alive)
        while alive:
            for child in heap.nodes[alive.pop()].children():
                if child in members and child not in kept:
                    kept.add(child)
                    alive.append(child)
        return members - kept

    def _freed_garbage(self, before):
        """Whether a garbage cycle drawn at step `before` is gone (a collection's count also
        takes in objects that are not the snippet's)."""
        places = {
            self._label_places[label][0]: self._label_places[label][1]
            for label, entry in before["heap"].items()
            if "cycle_only" in entry["flags"] and label in self._label_places
        }
        return bool(places) and len(lifetimes.alive_with_type(places)) < len(places)

    def _generation(self, obj, label, young):
        """The collector's generation of `obj` (None if untracked): 0 for what the snippet made
        since the step before, the same as then for an object drawn then (only a collection
        moves objects on), else looked up."""
        if not gc.is_tracked(obj):
            return None
        oid = id(obj)
        if oid in young.made_since:
            return 0
        known = self._label_places.get(label)
        if known and known[0] == oid and known[2] is not None and young.marker_found:
            return known[2]
        return young.generation(oid)

    def _freed(self, gone, young, labels_by_id):
        """The labels of `gone` whose objects the tracer can tell were freed: objects the
        collector tracked (a value it does not track may live on in a constant, unseen) and that
        are no longer where they were, or whose address now holds another drawn object."""
        freed = []
        suspects: dict[tuple[int, ...], dict[str, tuple[int, int]]] = {}
        for label in gone:
            oid, type_id, generation = self._label_places.get(label, (None, None, None))
            if generation is None:
                continue
            if oid in labels_by_id or oid in young.made_since:
                freed.append(label)  # its address holds another object now
                continue
            # After a collection, survivors moved on: look in every generation.
            generations: tuple[int, ...] = (0, 1, 2)
            if young.marker_found:
                if generation < 2 and oid not in young.ids()[generation]:
                    freed.append(label)
                    continue
                generations = (generation,)
            suspects.setdefault(generations, {})[label] = (oid, type_id)
        for generations, places in suspects.items():  # one look through each generation
            alive = young.alive_with_type(dict(places.values()), generations)
            freed += [label for label, (oid, _) in places.items() if oid not in alive]
        return [label for label in gone if label in freed]

    def _assign_labels(self, heap, drawn):
        labels = {}
        for index in drawn:
            node = heap.nodes[index]
            previous = self._labels.get(node.oid)
            if previous is not None and previous[1] == node.fingerprint:
                labels[index] = previous[0]
            else:
                labels[index] = f"o{self._next_label}"
                self._next_label += 1
        return labels

    def _add_refs(self, entry, node, labels):
        if node.kind in ("list", "tuple", "set"):
            entry["items"] = [labels[i] for i in node.items if i in labels]
        elif node.kind == "dict":
            entry["entries"] = [
                [labels[k], labels[v]] for k, v in node.entries if k in labels and v in labels
            ]
        elif node.kind in ("instance", "class", "method"):
            entry["attrs"] = _named_refs(node.attrs, labels)
        elif node.kind == "function":
            for field in ("defaults", "kwdefaults", "cells"):
                refs = _named_refs(getattr(node, field), labels)
                if refs:
                    entry[field] = refs
        elif node.kind == "cell" and node.contents in labels:
            entry["contents"] = labels[node.contents]
        left_out = node.length - _count_refs(entry)
        if left_out > 0:
            entry["more"] = left_out

    def _remember(self, heap, drawn, garbage, labels):
        self._labels = {}
        self._previous_graph = {}
        self._previous_kinds = {}
        for index in drawn:
            node = heap.nodes[index]
            self._labels[node.oid] = (labels[index], node.fingerprint)
            self._previous_graph[node.oid] = [heap.nodes[i].oid for i in node.children()]
            if node.kind != "value":
                self._previous_kinds[node.oid] = id(node.type)
        self._cycle_only = {heap.nodes[i].oid for i in garbage}


def _find_cells(frames, heap, counts):
    """Point a frame's name that lives in a cell at the cell itself, when the cell can be told.

    CPython 3.12 shows a frame's cells only through f_locals, which gives their contents. The
    cell is found among the drawn closures' cells: those of functions with the frame's code or
    with code nested in it, under the same name, holding the same object, and with a reference
    that no drawn object accounts for (the frame's own). Only a single such cell is taken; when
    none or several fit, the name keeps pointing at the value, through a cell (a dashed arrow).
    """
    unexplained: dict[int, int] = {}  # cell index -> references not drawn yet
    # (code id, variable name) -> cell indices of the drawn closures
    by_name: dict[tuple, set[int]] = {}
    for node in heap.nodes:
        for child in node.children():
            unexplained[child] = unexplained.get(child, 0) - 1
        if node.kind == "function" and node.cells:
            for name, cell in node.cells:
                by_name.setdefault((node.code_id, name), set()).add(cell)
    if not by_name:
        return
    for record in frames:
        code = record.get("code")
        if code is None:  # the module's names once the run is over: never in cells
            continue
        codes = [id(code)] + [id(c) for c in code.co_consts if isinstance(c, types.CodeType)]
        bindings = []
        for name, index, in_cell in record["locals"]:
            if in_cell and index is not None:
                fitting = {
                    cell
                    for code_id in codes
                    for cell in by_name.get((code_id, name), ())
                    if heap.nodes[cell].contents == index
                    and counts[cell] + unexplained.get(cell, 0) > 0
                }
                if len(fitting) == 1:
                    (cell,) = fitting
                    unexplained[cell] = unexplained.get(cell, 0) - 1
                    index, in_cell = cell, False
            bindings.append((name, index, in_cell))
        record["locals"] = bindings


def _named_refs(pairs, labels):
    return [{"name": name, "ref": labels[i]} for name, i in pairs if i in labels]


def _count_refs(entry):
    lists = ("items", "entries", "attrs", "defaults", "kwdefaults", "cells")
    return sum(len(entry.get(field, ())) for field in lists) + ("contents" in entry)


def _made_since(marker):
    """Ids of the objects the collector started tracking after `marker` (gc is off meanwhile)."""
    youngest = gc.get_objects(generation=0)
    position = next(i for i, obj in enumerate(youngest) if obj is marker)
    made = {id(obj) for obj in youngest[position:]}
    del youngest  # it refers to the snippet's young objects: their counts must not include it
    return made


def _on_cycle(graph, start):
    """Whether `start` can reach itself in the previous step's drawing."""
    seen = set()
    pending = list(graph.get(start, ()))
    while pending:
        oid = pending.pop()
        if oid == start:
            return True
        if oid not in seen:
            seen.add(oid)
            pending.extend(graph.get(oid, ()))
    return False


def _nested_code_objects(code):
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _nested_code_objects(constant)


def printed_so_far(run):
    """What a grader.hooks.Run has printed, read without flushing its emulated stdout buffer
    (a flush would change when CPython's buffer allocates, which the run reproduces)."""
    pending = run.pending
    if pending is None:
        pending = ""
    elif type(pending) is not str:
        pending = "".join(pending)
    return "".join(run.chunks) + pending
