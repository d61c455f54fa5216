"""What one step of a trace draws: the objects reachable from the snippet's frames, read
without calling snippet code and kept only as ids, names and text between steps."""

import gc
import itertools
import sys
import types
from collections.abc import Sequence
from typing import Any

from grader import interned
from grader.constants import MAX_HEAP_OBJECTS, MAX_ITEMS, REPR_CHARS
from grader.trace.attributes import class_attributes, instance_attributes, names_in_classes
from grader.trace.reprs import is_module_or_none, set_order, short_repr

# CPython 3.12 stores UINT_MAX in an immortal object's count and never changes it (PEP 683);
# a mortal object in a memory-limited sandbox cannot come anywhere near 2**30 references.
_IMMORTAL_THRESHOLD = 1 << 30
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: the class was created by a class statement

_VALUE_TYPES = (bool, int, float, complex, str, bytes)
_IS_INTERNED = getattr(sys, "_is_interned", None)  # CPython 3.13+
# Descriptions of immortal values (None, small ints, interned strings): never freed, so their
# ids are never reused, and they never change.
_IMMORTAL_VALUES: dict[int, "_Node"] = {}


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
    oid: int
    type: Any
    type_name: str
    kind: str
    repr: str
    flags: list[str]
    immortal: bool
    opaque: bool
    items: Sequence[int]  # indices into Heap.objects
    entries: Sequence[tuple[int, int]]
    attrs: Sequence[tuple[str, int]]
    defaults: Sequence[tuple[str, int]]
    kwdefaults: Sequence[tuple[str, int]]
    cells: Sequence[tuple[str, int]]
    contents: int | None
    code_id: int | None
    length: int
    fingerprint: tuple

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


class Heap:
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
            names = self._names_by_class[cls] = names_in_classes(cls)
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
        counts: list[int | None] = []
        for position in range(len(objects)):
            # 3.13: a string whose count here is the grader's (grader/interned.py): not drawn.
            # Even a constant counted as a script's for sys.getrefcount(): the tracer's own
            # references to it come and go as it records steps.
            if interned.count_differs(objects[position]) or interned.handled(objects[position]):
                counts.append(None)
                continue
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
        node.repr = short_repr(obj, REPR_CHARS)
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
                members.sort(key=set_order)
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
                class_attributes(obj)
                if node.kind == "class"
                else instance_attributes(obj, self.stored_names, self._class_names(node.type))
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
        cls is types.BuiltinMethodType and not is_module_or_none(obj.__self__)
    ):
        return "method"
    if cls.__flags__ & _HEAPTYPE and not issubclass(cls, types.ModuleType):
        return "instance"
    return "other"


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
    # sys.intern would intern the string and change what the snippet sees. CPython 3.13 has
    # mortal interned strings, and sys._is_interned to ask without interning.
    if cls is str and (immortal if _IS_INTERNED is None else _IS_INTERNED(obj)):
        flags.append("interned")
    if immortal:
        flags.append("immortal")
    return flags


def _members(obj, kind):
    base: Any = {"list": list, "tuple": tuple}.get(kind) or (
        frozenset if isinstance(obj, frozenset) else set
    )
    return list(itertools.islice(base.__iter__(obj), 10 * MAX_ITEMS)), base.__len__(obj)
