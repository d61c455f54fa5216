"""Step-by-step pictures of memory while a snippet runs (issue 5; format: briefs/trace-contract.md).

`with Tracer(code, namespace, stdout=...) as tracer: exec(code, namespace)` records the run
with sys.monitoring events on the snippet's own code objects only, so the sandbox's hooks,
stand-ins and print collector never produce a step. At each step it records the snippet's frames
and the heap objects reachable from their names, labelled o1, o2, ... by first sight (ids never
leave this module); `tracer.result(final_stdout=...)` is the plain-JSON trace, ending with an
"exit" step when the interpreter's shutdown (run by the executor after the block) printed more.

An object is drawn while anything drawn refers to it: a frame's name, a container's item or
entry, an instance's or class's attribute, a bound method's object and function, and a
function's own references (issue 9): "defaults" and "kwdefaults" ({"name", "ref"} per
parameter, read from __defaults__ and __kwdefaults__) and "cells" (per free variable, each a
"cell" object whose "contents" is the value; closures made by one call share their cells). A
frame's name that lives in a cell refers to that cell when a drawn closure holds it, otherwise to
the value, with "cell": true.

The tracer must not change what it observes: between steps it holds no reference to any snippet
object (not even a class: only ids, names and text); it empties the locals snapshot CPython 3.12
caches on function frames when `f_locals` is read (that snapshot would otherwise add one
reference per name); it never calls snippet code
(no user __repr__, __iter__ or __getattribute__: only the builtin types' own C accessors) and
never builds an instance's __dict__; and it pauses the cyclic collector while it looks and keeps
its own allocations from making automatic collections come earlier.
"""

import gc
import itertools
import json
import sys
import types

TRACE_VERSION = 1
MAX_STEPS = 300
MAX_HEAP_OBJECTS = 150  # per step; further objects are left out and counted in "more"
MAX_ITEMS = 30  # elements drawn per container
MAX_FRAMES = 20  # frames drawn per step; "hidden_frames" counts the calls left out
REPR_CHARS = 48
STDOUT_CHARS = 2000  # each step keeps the tail of the output printed so far
# Of JSON as json.dumps writes it (non-ASCII escaped), i.e. bytes on the wire from the sandbox
# and in the page that draws the diagram; the steps that would not fit are left out.
MAX_TRACE_CHARS = 200_000
# Kept free of steps: the trace's other fields, and the "exit" step, whose stdout escapes to at
# most 12 characters per character (a surrogate pair).
_ROOM_OUTSIDE_STEPS = 2_000 + 12 * STDOUT_CHARS

REFCOUNT_DEFINITION = (
    "the references CPython counts to the object at this step, as "
    "print(sys.getrefcount(x) - 1) would show for a name x bound to it (the diagram's own "
    "references are left out). Immortal objects (such as small ints and None) and objects that "
    "are not the program's (modules, builtin functions) are shown without a count."
)

# CPython 3.12 stores UINT_MAX in an immortal object's count and never changes it (PEP 683);
# a mortal object in a memory-limited sandbox cannot come anywhere near 2**30 references.
_IMMORTAL_THRESHOLD = 1 << 30
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: the class was created by a class statement
_CO_OPTIMIZED = 0x1  # function frames keep their locals in fast slots, not in a dict

_VALUE_TYPES = (bool, int, float, complex, str, bytes)
# Exact builtin value types whose own repr never calls snippet code.
_SAFE_REPR = {bool, float, complex, type(None)}
_MISSING = object()
# Descriptions of immortal values (None, small ints, interned strings): never freed, so their
# ids are never reused, and they never change.
_IMMORTAL_VALUES = {}
_CLASS_NOISE = frozenset(
    {"__module__", "__qualname__", "__dict__", "__weakref__", "__doc__", "__firstlineno__"}
)


class Tracer:
    """Records a trace of one snippet run; see the module docstring."""

    def __init__(self, code, namespace, *, stdout, max_steps=MAX_STEPS, max_chars=MAX_TRACE_CHARS):
        self._namespace = namespace  # the module's globals, read once more for the "end" step
        self._codes = list(_nested_code_objects(code))
        self._code_ids = {id(each) for each in self._codes}
        self._stored_names = _stored_attribute_names(self._codes)
        # id(code) -> (parameter names, names in cells, free names), read once: CPython 3.12
        # builds those tuples on first access and caches them on the code object.
        self._code_names = {}
        self._module_code = code
        self._module_frame = None  # the label of the module's frame, kept for the "end" step
        self._stdout = stdout  # callable returning everything printed so far
        self._max_steps = max_steps
        self._max_chars = max_chars
        self._steps = []
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
                self._record("end", self._last_line, None, namespace)
            finally:
                if collecting:
                    gc.enable()
        return False

    def result(self, final_stdout=None):
        """The trace. `final_stdout` is everything the run printed, shutdown included: when it
        is more than the last step saw (objects finalised at exit print), an "exit" step shows
        it, with no frames and no objects left; not after a truncated or failed trace."""
        steps = self._steps
        if (
            final_stdout is not None
            and len(final_stdout) != self._printed
            and steps
            and not self._truncated
            and self._notice is None
        ):
            exit_step = {
                "line": steps[-1]["line"],
                "event": "exit",
                "stdout": _tail(final_stdout),
                "frames": [],
                "heap": {},
            }
            steps = [*steps, exit_step]
        return {
            "version": TRACE_VERSION,
            "refcount_definition": REFCOUNT_DEFINITION,
            "max_steps": self._max_steps,
            "truncated": self._truncated,
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
            self._stop_truncated(f"the most a diagram records is {self._max_steps} steps")
            return
        collecting = gc.isenabled()
        gc.disable()
        allocated = gc.get_count()[0]
        try:
            self._record(event, line, sys._getframe(2), None)
        except Exception as error:  # never let the tracer change what the snippet does
            self._notice = f"The trace stopped early: {type(error).__name__}: {error}"
            self._uninstall()
        finally:
            self._excused += gc.get_count()[0] - allocated
            self._apply_threshold()
            if collecting:
                gc.enable()

    def _stop_truncated(self, why):
        self._truncated = True
        self._notice = (
            f"The diagram stops after step {len(self._steps)}: {why}. The program went on "
            "running to its end; its output is complete."
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
        if phase == "stop":
            self._excused = 0  # the collection set the count back to zero
            self._apply_threshold()

    # -- one step -----------------------------------------------------------------------------

    def _record(self, event, line, frame, namespace):
        # Tracked before anything else of this step (the collector keeps its youngest objects in
        # order), so that what this step makes can be told from what was there before it.
        step_start = []
        printed = self._stdout()
        heap = _Heap(self._code_ids, self._stored_names, self._code_names)
        frames, hidden_frames = self._read_frames(frame, namespace, heap, line)
        heap.walk()
        self._add_cycle_only(heap, step_start)
        del step_start
        counts = heap.refcounts()
        _find_cells(frames, heap, counts)
        garbage = self._find_garbage(heap, counts)
        drawn = heap.drawn(garbage)
        labels = self._assign_labels(heap, drawn)
        step_heap = {}
        for index in drawn:
            node = heap.nodes[index]
            entry = {
                "type": node.type_name,
                "kind": node.kind,
                "repr": node.repr,
                "refcount": None if node.opaque or node.immortal else counts[index],
                "flags": node.flags + (["cycle_only"] if index in garbage else []),
            }
            self._add_refs(entry, node, labels)
            step_heap[labels[index]] = entry
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
            "stdout": _tail(printed),
            "frames": frames,
            "heap": step_heap,
        }
        if hidden_frames:
            step["hidden_frames"] = hidden_frames
        size = len(json.dumps(step))
        if self._size + size > self._max_chars - _ROOM_OUTSIDE_STEPS:
            limit = f"{self._max_chars:,}"
            self._stop_truncated(f"the next one would take the trace past {limit} characters")
            return
        self._steps.append(step)
        self._size += size
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
        if is_snapshot:
            # The dict CPython 3.12 filled for f_locals holds a reference per name until the
            # frame ends; emptying it keeps counts (and __del__ timing) as without the tracer.
            names.clear()
        return {"id": label, "name": name, "line": line, "locals": bindings}

    def _shown(self, name):
        return (
            isinstance(name, str)
            and name.isidentifier()
            and not name.startswith("_")  # the policy's own names; a snippet's cannot start so
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
    unexplained = {}  # cell index -> references not drawn yet
    by_name = {}  # (code id, variable name) -> cell indices of the drawn closures
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


class _Node:
    """What the tracer keeps of one heap object: everything but the object itself."""

    __slots__ = (
        "oid",
        "type",
        "type_name",
        "kind",
        "repr",
        "flags",
        "immortal",
        "opaque",
        "items",
        "entries",
        "attrs",
        "defaults",
        "kwdefaults",
        "cells",
        "contents",
        "code_id",
        "length",
        "fingerprint",
    )

    def children(self):
        for index in self.items:
            yield index
        for key, value in self.entries:
            yield key
            yield value
        for pairs in (self.attrs, self.defaults, self.kwdefaults, self.cells):
            for _, index in pairs:
                yield index
        if self.contents is not None:
            yield self.contents


class _Heap:
    """The objects reachable from one step's frames; only `objects` refers to them."""

    def __init__(self, code_ids, stored_names, code_names):
        self.code_ids = code_ids  # the snippet's code objects: its functions are not foreign
        self.stored_names = stored_names
        self._code_names = code_names
        self._names_by_class = {}
        self.objects = []  # index -> object: the tracer's single reference to each
        self.nodes = []
        self.index = {}  # id -> index
        self.unreachable = []  # indices found through suspects rather than through frames

    def add(self, obj):
        oid = id(obj)
        index = self.index.get(oid)
        if index is None:
            if len(self.objects) >= MAX_HEAP_OBJECTS:
                return None
            index = len(self.objects)
            self.index[oid] = index
            self.objects.append(obj)
        return index

    def _names_of(self, code):
        names = self._code_names.get(id(code))
        if names is None:
            parameters = code.co_varnames[: code.co_argcount]
            free = code.co_freevars
            names = self._code_names[id(code)] = (parameters, code.co_cellvars + free, free)
        return names

    def names_in_cells(self, code):
        """The frame's names that live in cells (shared with closures), not in its own slots."""
        return self._names_of(code)[1]

    def _named(self, pairs):
        """(name, index) for each (name, object), the first MAX_ITEMS, objects past the bound
        left out."""
        named = []
        for name, value in itertools.islice(pairs, MAX_ITEMS):
            index = self.add(value)
            if index is not None:
                named.append((name, index))
        return named

    def _describe_function(self, node, function):
        """A function's own references: its defaults (the __defaults__ tuple, the
        __kwdefaults__ dict) by parameter name, and the cells it closes over by variable name."""
        code = function.__code__
        node.code_id = id(code)
        defaults = function.__defaults__ or ()
        parameters, _, free = self._names_of(code)
        if len(defaults) <= len(parameters):
            names = parameters[len(parameters) - len(defaults) :]
        else:  # a __defaults__ longer than the parameters; CPython ignores the first ones
            names = [f"[{position}]" for position in range(len(defaults))]
        kwdefaults = function.__kwdefaults__ or {}
        closure = function.__closure__ or ()
        node.defaults = self._named(zip(names, defaults, strict=True))
        node.kwdefaults = self._named(dict.items(kwdefaults))
        node.cells = self._named(zip(free, closure, strict=True))
        node.length = len(defaults) + dict.__len__(kwdefaults) + len(closure)

    def _class_names(self, cls):
        names = self._names_by_class.get(cls)
        if names is None:
            names = self._names_by_class[cls] = _names_in_classes(cls)
        return names

    def walk(self):
        position = len(self.nodes)
        while position < len(self.objects):
            self.nodes.append(self._describe(self.objects[position]))
            position += 1

    def walk_unreachable(self, roots):
        first = len(self.objects)
        for obj in roots:
            self.add(obj)
        self.walk()
        self.unreachable = list(range(first, len(self.objects)))

    def refcounts(self):
        objects = self.objects
        counts = []
        for position in range(len(objects)):
            # getrefcount's argument and our list slot are the two references not to be shown.
            counts.append(sys.getrefcount(objects[position]) - 2)
        return counts

    def drawn(self, garbage):
        """Frames' objects, garbage cycles and what they reach, in first-seen order."""
        reachable_end = self.unreachable[0] if self.unreachable else len(self.nodes)
        shown = set(range(reachable_end))
        pending = list(garbage)
        shown.update(garbage)
        while pending:
            for child in self.nodes[pending.pop()].children():
                if child not in shown:
                    shown.add(child)
                    pending.append(child)
        return sorted(shown)

    def _describe(self, obj):
        immortal = sys.getrefcount(obj) > _IMMORTAL_THRESHOLD
        if immortal and id(obj) in _IMMORTAL_VALUES:
            return _IMMORTAL_VALUES[id(obj)]
        node = _Node()
        node.oid = id(obj)
        node.type = type(obj)
        node.type_name = getattr(node.type, "__name__", "object")
        node.kind = _kind(obj)
        node.immortal = immortal
        node.opaque = _is_foreign(obj, node.kind, self.code_ids)
        node.items, node.entries, node.attrs, node.length = (), (), (), 0
        node.defaults, node.kwdefaults, node.cells, node.contents = (), (), (), None
        node.code_id = None
        node.flags = _flags(obj, node.immortal)
        node.repr = _short_repr(obj, REPR_CHARS)
        if node.kind == "function" and not node.opaque:
            self._describe_function(node, obj)
        elif node.kind == "cell":
            # gc.get_referents reads the cell without raising for an empty one.
            contents = gc.get_referents(obj)
            node.length = len(contents)
            node.contents = self.add(contents[0]) if contents else None
            node.repr = "cell" if contents else "empty cell"
        elif node.kind == "method" and not node.opaque:
            node.attrs = self._named(_method_parts(obj))
            node.length = len(node.attrs)
        if node.kind in ("list", "tuple", "set"):
            members, node.length = _members(obj, node.kind)
            if node.kind == "set":
                members.sort(key=_set_order)
            node.items = [i for i in map(self.add, members[:MAX_ITEMS]) if i is not None]
        elif node.kind == "dict":
            node.length = dict.__len__(obj)
            entries = []
            for key, value in itertools.islice(dict.items(obj), MAX_ITEMS):
                key_index, value_index = self.add(key), self.add(value)
                if key_index is not None and value_index is not None:
                    entries.append((key_index, value_index))
            node.entries = entries
        elif node.kind in ("instance", "class"):
            pairs = (
                _class_attributes(obj)
                if node.kind == "class"
                else _instance_attributes(obj, self.stored_names, self._class_names(node.type))
            )
            node.length = len(pairs)
            attrs = []
            for name, value in pairs[:MAX_ITEMS]:
                value_index = self.add(value)
                if value_index is not None:
                    attrs.append((name, value_index))
            node.attrs = attrs
        # Values are told apart by value when an address is reused within one line.
        node.fingerprint = (node.type_name, node.repr if node.kind == "value" else None)
        if immortal and node.kind == "value":
            _IMMORTAL_VALUES[node.oid] = node
        return node


def _kind(obj):
    cls = type(obj)
    if obj is None or issubclass(cls, _VALUE_TYPES):
        return "value"
    for base, kind in ((list, "list"), (tuple, "tuple"), (dict, "dict"), (type, "class")):
        if issubclass(cls, base):
            return kind
    if issubclass(cls, (set, frozenset)):
        return "set"
    if cls is types.FunctionType:
        return "function"
    if cls is types.CellType:
        return "cell"
    if cls is types.MethodType or (
        cls is types.BuiltinMethodType and not _is_module_or_none(obj.__self__)
    ):
        return "method"
    if cls.__flags__ & _HEAPTYPE and not issubclass(cls, types.ModuleType):
        return "instance"
    return "other"


def _is_module_or_none(obj):
    return obj is None or isinstance(obj, types.ModuleType)


def _method_parts(method):
    """What a bound method holds: the object it is bound to and, for a method defined in
    Python, the function (a builtin one, such as list.append, holds only its object)."""
    if type(method) is types.MethodType:
        return [("__self__", method.__self__), ("__func__", method.__func__)]
    return [("__self__", method.__self__)]


def _is_foreign(obj, kind, code_ids):
    """Objects the snippet did not make, whose counts say nothing about the snippet."""
    if isinstance(obj, types.ModuleType):
        return True
    if kind == "function":
        return id(obj.__code__) not in code_ids
    if kind == "method":  # a method of a function the snippet did not write
        function = getattr(obj, "__func__", None)
        code = getattr(function, "__code__", None)
        return function is not None and id(code) not in code_ids
    return kind == "other" and type(obj) in (types.BuiltinFunctionType, types.MethodWrapperType)


def _flags(obj, immortal):
    flags = []
    cls = type(obj)
    if cls is int and -5 <= obj <= 256:
        flags.append("small_int_cache")
    # In 3.12 interning makes a string immortal, and only statically allocated strings (also
    # interned at startup) are immortal otherwise, so for str the two coincide; asking
    # sys.intern would intern the string and change what the snippet sees.
    if cls is str and immortal:
        flags.append("interned")
    if immortal:
        flags.append("immortal")
    return flags


def _members(obj, kind):
    base = {"list": list, "tuple": tuple}.get(kind) or (
        frozenset if isinstance(obj, frozenset) else set
    )
    return list(itertools.islice(base.__iter__(obj), 10 * MAX_ITEMS)), base.__len__(obj)


def _class_attributes(cls):
    names = _class_dict(cls)
    return [
        (name, value)
        for name, value in names.items()
        if name not in _CLASS_NOISE and not isinstance(value, types.GetSetDescriptorType)
    ]


def _instance_attributes(obj, stored_names, class_names):
    """(name, value) pairs of the instance's own attributes, in the order it holds them.

    Reading obj.__dict__ would make CPython 3.12 build a dict for an instance that keeps its
    values inline, one more object for gc.collect() to count; so the attribute names the snippet
    stores are looked up one by one with object.__getattribute__, which builds nothing and never
    calls snippet code (no __getattr__; data descriptors such as properties are skipped).
    """
    pairs = []
    for name in stored_names:
        in_class = class_names.get(name, _MISSING)
        if in_class is not _MISSING and _is_data_descriptor(in_class):
            continue
        try:
            value = object.__getattribute__(obj, name)
        except AttributeError:
            continue
        if in_class is not _MISSING and (
            value is in_class or (type(value) is types.MethodType and value.__func__ is in_class)
        ):
            continue  # found on the class, not on the instance
        pairs.append((name, value))
    positions = {}
    for position, referent in enumerate(gc.get_referents(obj)):
        positions.setdefault(id(referent), []).append(position)
    pairs.sort(key=lambda pair: (positions.get(id(pair[1])) or [len(pairs)]).pop(0))
    for klass in type(obj).__mro__:
        for name in _class_dict(klass).get("__slots__", ()):
            slot = _class_dict(klass).get(name)
            if isinstance(slot, types.MemberDescriptorType):
                try:
                    pairs.append((name, slot.__get__(obj)))
                except AttributeError:  # an empty slot
                    pass
    return pairs


def _names_in_classes(cls):
    names = {}
    for klass in reversed(cls.__mro__):
        names.update(_class_dict(klass))
    return names


def _class_dict(cls):
    return type.__dict__["__dict__"].__get__(cls)


def _is_data_descriptor(attribute):
    kind = type(attribute)
    return hasattr(kind, "__set__") or hasattr(kind, "__delete__")


def _stored_attribute_names(codes):
    """Every name the snippet may give an instance attribute: the names its code uses (attribute
    names among them) and identifiers among its string constants (setattr, and attribute writes
    the policy turned into calls)."""
    names = []
    for code in codes:
        names.extend(code.co_names)
        names.extend(c for c in code.co_consts if type(c) is str and c.isidentifier())
    return tuple(dict.fromkeys(names))


def _short_repr(obj, budget, depth=0):
    """A repr computed without calling snippet code, cut to about `budget` characters."""
    cls = type(obj)
    if cls in _SAFE_REPR:
        text = repr(obj)
    elif issubclass(cls, int):
        text = int.__repr__(obj) if obj.bit_length() < 160 else f"<int of {obj.bit_length()} bits>"
    elif issubclass(cls, str):
        text = str.__repr__(str.__getitem__(obj, slice(0, budget)))
    elif issubclass(cls, bytes):
        text = bytes.__repr__(bytes.__getitem__(obj, slice(0, budget)))
    elif issubclass(cls, (list, tuple, set, frozenset, dict)):
        text = _container_repr(obj, budget, depth)
    elif issubclass(cls, type):
        text = f"<class '{type.__dict__['__name__'].__get__(obj)}'>"
    elif cls is types.FunctionType:
        text = obj.__qualname__
    elif cls is types.MethodType:
        text = f"bound method {getattr(obj.__func__, '__qualname__', '?')}"
    elif isinstance(obj, types.ModuleType):
        text = f"<module '{obj.__name__}'>"
    elif cls is types.BuiltinFunctionType:
        what = "function" if _is_module_or_none(obj.__self__) else "method"
        text = f"<built-in {what} {obj.__name__}>"
    elif cls is range:
        text = repr(obj)
    else:
        text = f"<{getattr(cls, '__name__', 'object')} object>"
    return text if len(text) <= budget else text[: budget - 1] + "…"


def _container_repr(obj, budget, depth):
    cls = type(obj)
    if depth >= 2:
        return "[...]" if issubclass(cls, list) else "(...)" if issubclass(cls, tuple) else "{...}"
    parts = []
    used = 0
    if issubclass(cls, dict):
        opening, closing = "{", "}"
        for key, value in itertools.islice(dict.items(obj), 12):
            parts.append(
                f"{_short_repr(key, budget, depth + 1)}: {_short_repr(value, budget, depth + 1)}"
            )
            used += len(parts[-1]) + 2
            if used > budget:
                break
        total = dict.__len__(obj)
    else:
        if issubclass(cls, list):
            opening, closing, base = "[", "]", list
        elif issubclass(cls, tuple):
            opening, closing, base = "(", ")", tuple
        else:
            opening, closing = "{", "}"
            base = frozenset if issubclass(cls, frozenset) else set
        members = itertools.islice(base.__iter__(obj), 10 * MAX_ITEMS)
        if base in (set, frozenset):  # iteration order depends on hashing; the drawing must not
            members = sorted(members, key=_set_order)
        for member in itertools.islice(members, 12):
            parts.append("[...]" if member is obj else _short_repr(member, budget, depth + 1))
            used += len(parts[-1]) + 2
            if used > budget:
                break
        total = base.__len__(obj)
        if base in (set, frozenset) and total == 0:
            return "set()" if base is set else "frozenset()"
        if base is tuple and total == 1:
            closing = ",)"
    if len(parts) < total:
        parts.append("...")
    return opening + ", ".join(parts) + closing


def _set_order(member):
    return type(member).__name__, _short_repr(member, 20)


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


def _tail(text):
    return text if len(text) <= STDOUT_CHARS else "…" + text[-(STDOUT_CHARS - 1) :]


def printed_so_far(run):
    """What a grader.hooks.Run has printed, read without flushing its emulated stdout buffer
    (a flush would change when CPython's buffer allocates, which the run reproduces)."""
    pending = run.pending
    if pending is None:
        pending = ""
    elif type(pending) is not str:
        pending = "".join(pending)
    return "".join(run.chunks) + pending


# -- cost (issue 5, section 4) ---------------------------------------------------------------

TYPICAL_SNIPPET = """\
def pair(n):
    return [n, n + 1]

a = pair(1000)
b = a
c = {"key": b, "name": "memory"}
b.append(7)
del a
total = sum(c["key"])
print(total, c["name"], b is c["key"])
"""


def measure_cost(source=TYPICAL_SNIPPET, repetitions=200):
    """Median milliseconds of traced and untraced runs of `source`, interleaved in this process.

    "executor": grader.execute.execute(trace=True) against trace=False, i.e. what a grader run
    does inside its sandboxed child (compile under the policy, run, finalise), without the fork.
    "bare exec": the snippet's code alone, compiled once by plain compile(), exec'd with and
    without the tracer: the tracer's own cost against the snippet's own cost.
    """
    from grader.execute import execute

    code = compile(source, "<snippet>", "exec")
    runs = {
        "executor": lambda trace: execute(source, output_bytes=65536, trace=trace),
        "bare exec": lambda trace: _exec_bare(code, trace),
    }
    return {name: _time_pair(run, repetitions) for name, run in runs.items()}


def _time_pair(run, repetitions):
    import statistics
    import time

    timings = {False: [], True: []}
    for _ in range(repetitions):
        for trace in (False, True):
            started = time.perf_counter()
            run(trace)
            timings[trace].append(time.perf_counter() - started)
    untraced, traced = statistics.median(timings[False]), statistics.median(timings[True])
    return {
        "untraced_ms": round(untraced * 1000, 3),
        "traced_ms": round(traced * 1000, 3),
        "ratio": round(traced / untraced, 2),
    }


def _exec_bare(code, trace):
    output = []
    names = {"print": lambda *args: output.append(" ".join(map(str, args)) + "\n"), "sum": sum}
    namespace = {"__builtins__": names}
    if not trace:
        exec(code, namespace)
        return None
    with Tracer(code, namespace, stdout=lambda: "".join(output)) as tracer:
        exec(code, namespace)
    return tracer.result()


if __name__ == "__main__":  # python -m grader.trace: the cost figures of issue 5, section 4
    for name, figures in measure_cost().items():
        print(f"{name}: {figures}")
