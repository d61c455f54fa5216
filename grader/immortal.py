"""Make the grader server's own long-lived objects immortal (PEP 683) before it forks children.

After a fork, every first write to an inherited page costs the child a page fault and a page copy.
Most of those writes are reference-count changes on the grader's own objects (the policy's
functions and classes, the ast node types, the compiler's helpers), made while the child compiles
and runs one snippet. CPython 3.12 never changes the count of an object whose count's low 32 bits
are all ones, and never frees it; marking those objects so leaves their pages shared.

Objects a snippet can reach must keep the counts a script would show (`sys.getrefcount(len)`), so
everything reachable from what the sandbox hands out (its builtins, the stand-in modules' members,
the classes of objects it gives a snippet, and every static type's members) stays mortal.
"""

import ctypes
import gc
import sys
from types import CodeType, ModuleType

_IMMORTAL_REFCNT = 0xFFFFFFFF  # _Py_IMMORTAL_REFCNT on 64-bit builds of CPython 3.12
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE
_REFCOUNT = ctypes.c_ssize_t  # ob_refcnt is the first field of every object


def supported() -> bool:
    """Immortal objects exist in CPython from 3.12, with this refcount layout on 64-bit builds."""
    return (
        sys.implementation.name == "cpython"
        and sys.version_info[:2] == (3, 12)
        and ctypes.sizeof(ctypes.c_void_p) == 8
        and sys.getrefcount(None) == _IMMORTAL_REFCNT
    )


def immortalize_heap(visible_roots) -> int:
    """Make every object in the heap immortal except those reachable from `visible_roots` (and
    every static type's members); returns how many objects were made immortal."""
    roots = [*visible_roots, *_static_types()]
    module_dicts = {id(module.__dict__) for module in list(sys.modules.values())}
    visible = _closure(roots, stop=module_dicts, expand_types=True)
    # Streamed, not collected first: a set of every object's id would grow the heap by a few MB
    # that every child's fork would then copy the page tables of. An object made immortal (or
    # immortal already) is one not to visit again.
    skip = visible.keys() | {id(visible_roots), id(roots), id(module_dicts), id(visible)}
    pending = gc.get_objects()  # not `[*gc.get_objects()]`: that list would be among the objects
    pending += sys.modules.values()
    skip |= {id(skip), id(pending)}
    count = 0
    while pending:
        obj = pending.pop()
        if id(obj) in skip or sys.getrefcount(obj) >= _IMMORTAL_REFCNT:
            continue
        _REFCOUNT.from_address(id(obj)).value = _IMMORTAL_REFCNT
        if gc.is_tracked(obj):  # only then has it the collector's header at all
            _untrack(obj)
        count += 1
        pending.extend(gc.get_referents(obj))
        if isinstance(obj, CodeType):
            pending.extend(_code_parts(obj))
    return count


# An immortal object is never freed and, frozen, never scanned: tracking it serves nothing.
# Untracked, it is also not in the frozen generation, which the executor counts once per run by
# walking every object in it (each a memory access that a freshly forked child makes slowly).
_untrack = ctypes.pythonapi.PyObject_GC_UnTrack
_untrack.argtypes = (ctypes.py_object,)
_untrack.restype = None


def _static_types() -> list[type]:
    """Types defined in C without a heap allocation: a snippet can make instances of most."""
    found, pending = {}, [object]
    while pending:
        cls = pending.pop()
        if id(cls) in found:
            continue
        found[id(cls)] = cls
        pending.extend(type.__subclasses__(cls))
    return [cls for cls in found.values() if not cls.__flags__ & _HEAP_TYPE]


def _code_parts(code: CodeType) -> tuple:
    """Code objects are not tracked, so gc.get_referents() shows none of what they hold."""
    return (
        code.co_consts,
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_filename,
        code.co_name,
        code.co_qualname,
        code.co_linetable,
        code.co_exceptiontable,
    )


def _closure(roots, stop: set[int], expand_types: bool = False) -> dict[int, object]:
    """Every object reachable from `roots`, by id, except the objects in `stop`. With
    `expand_types` (the objects a snippet can reach), modules are not followed either (the policy
    refuses every way to a module), but each object's class is, and a class's namespace, bases
    and method resolution order (gc.get_referents shows none of a static type's)."""
    seen: dict[int, object] = {}
    pending = list(roots)
    while pending:
        obj = pending.pop()
        key = id(obj)
        if key in seen or key in stop or (expand_types and isinstance(obj, ModuleType)):
            continue
        seen[key] = obj
        pending.extend(gc.get_referents(obj))
        if isinstance(obj, CodeType):
            pending.extend(_code_parts(obj))
        if expand_types:
            pending.append(type(obj))
            if isinstance(obj, type):
                pending.extend(type.__dict__["__dict__"].__get__(obj).values())
                pending.extend((obj.__mro__, obj.__bases__))
    return seen
