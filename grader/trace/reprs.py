"""Short reprs of the objects a trace draws, computed without calling snippet code."""

import itertools
import types
from collections.abc import Iterable
from typing import Any

from grader.constants import MAX_ITEMS

# Exact builtin value types whose own repr never calls snippet code.
_SAFE_REPR = {bool, float, complex, type(None)}


def short_repr(obj, budget, depth=0):
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
        what = "function" if is_module_or_none(obj.__self__) else "method"
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
                f"{short_repr(key, budget, depth + 1)}: {short_repr(value, budget, depth + 1)}"
            )
            used += len(parts[-1]) + 2
            if used > budget:
                break
        total = dict.__len__(obj)
    else:
        base: Any
        members: Iterable
        if issubclass(cls, list):
            opening, closing, base = "[", "]", list
        elif issubclass(cls, tuple):
            opening, closing, base = "(", ")", tuple
        else:
            opening, closing = "{", "}"
            base = frozenset if issubclass(cls, frozenset) else set
        members = itertools.islice(base.__iter__(obj), 10 * MAX_ITEMS)
        if base in (set, frozenset):  # iteration order depends on hashing; the drawing must not
            members = sorted(members, key=set_order)
        for member in itertools.islice(members, 12):
            parts.append("[...]" if member is obj else short_repr(member, budget, depth + 1))
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


def set_order(member):
    return type(member).__name__, short_repr(member, 20)


def is_module_or_none(obj):
    return obj is None or isinstance(obj, types.ModuleType)
