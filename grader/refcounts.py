"""`sys.getrefcount` of the sandbox: CPython's count, or a refusal where it cannot be a script's.

An object the snippet made has the references a script's would have. An object the sandbox
hands out does not: a stand-in module (`sys` has some 60 references in a script, 5 here), the
sink that is `sys.stdout`, the sandbox's `type` (immortal in a script), `len`, `print`,
`copy.deepcopy` or `sys.version`, which the grader's own code and tables refer to as well. So
`getrefcount` refuses those, with the reason, and counts everything else as CPython does;
immortal objects (None, small ints, interned strings, builtin types) show CPython's fixed count.

What the sandbox hands out is known when the grader starts: the sandbox's builtins, the
stand-ins' members, and everything they reach (their defaults, docs, classes and those
classes' members), short of module namespaces, found once here (`host_objects`). A run's own
stand-in modules and sinks, and look-alikes, are told by their class.

The check runs in Python, behind a `functools.partial` (grader/lookalikes.py), so its frame adds
two references on every path to the count it passes on, which are taken off again.
"""

import gc
import sys
from types import ModuleType

from grader import hooks, interned
from grader.lookalikes import LOOK_ALIKE_CLASSES, partial_look_alike

_real_getrefcount = sys.getrefcount
IMMORTAL = 1 << 30  # no mortal object in a memory-limited sandbox gets near 2**30 references
_WRAPPER_REFERENCES = 2  # the check's parameter and its call's argument
WHY = (
    "the grader holds the sandbox's own objects (stand-in modules, sys.stdout, type, builtins, "
    "the stand-ins' members) in other places than a script does, so their counts are not a "
    "script's"
)

WHY_INTERNED = (
    "the grader's interpreter interned this string for its own code (immortal there, or held "
    "by its own objects), where a script's holds it otherwise, and importing `copy`, `gc` or "
    "`weakref` may change it in a script; written as a constant in the snippet, before any "
    "such import, it is counted as in a script"
)


def host_objects(roots) -> frozenset:
    """The ids of every object reachable from `roots`, short of module namespaces."""
    module_dicts = {id(module.__dict__) for module in list(sys.modules.values())}
    found: set = set()
    pending = list(roots)
    while pending:
        obj = pending.pop()
        if id(obj) in found or id(obj) in module_dicts:
            continue
        found.add(id(obj))
        pending.extend(gc.get_referents(obj))
    return frozenset(found)


_HOST_CLASSES = (ModuleType, hooks.TextSink, *LOOK_ALIKE_CLASSES)
_host_ids: frozenset = frozenset()


def set_host_roots(roots) -> None:
    """What the sandbox hands out (called once, when the stand-ins' members exist)."""
    global _host_ids
    _host_ids = host_objects([*roots, hooks.SafeType, *_HOST_CLASSES])


def _getrefcount(obj, /):
    if isinstance(obj, _HOST_CLASSES):  # before the count: the grader may make them immortal
        raise hooks.current_run().refuse(f"`sys.getrefcount()` of {_kind(obj)}", WHY)
    count = _real_getrefcount(obj)
    if interned.count_differs(obj):
        raise hooks.current_run().refuse(f"`sys.getrefcount()` of {obj!r}", WHY_INTERNED)
    if count >= IMMORTAL:
        return count
    as_in_script = interned.script_count(obj, count)
    if as_in_script is not None:  # a snippet's constant, as a script's (grader/interned.py)
        return as_in_script - _WRAPPER_REFERENCES
    if id(obj) in _host_ids:
        raise hooks.current_run().refuse(f"`sys.getrefcount()` of {_kind(obj)}", WHY)
    return count - _WRAPPER_REFERENCES


def _kind(obj) -> str:
    if isinstance(obj, ModuleType):
        return f"the stand-in module `{obj.__name__}`"
    if obj is hooks.SafeType:
        return "`type`"
    if isinstance(obj, hooks.TextSink):
        return f"`sys.{obj.name.strip('<>')}`"
    name = getattr(obj, "__qualname__", None)
    if isinstance(name, str):
        return f"the sandbox's `{name}`"
    return f"a {type(obj).__name__} the sandbox provides"


GETREFCOUNT = partial_look_alike(_getrefcount, sys.getrefcount)
