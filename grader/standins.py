"""Curated stand-ins for `import sys, gc, copy, weakref`, built fresh for every run.

A stand-in is a new module object holding only the members listed in policy.STAND_IN_MEMBERS
(the real functions and classes, or sandbox versions of them). A member the real module has but
the stand-in leaves out is refused with a reason; any other missing name raises CPython's
AttributeError.
"""

import _abc
import abc
import builtins
import copy
import gc
import importlib.machinery
import os
import sys
import weakref
from importlib.machinery import ModuleSpec
from types import (
    BuiltinFunctionType,
    CellType,
    CodeType,
    FrameType,
    FunctionType,
    GeneratorType,
    MappingProxyType,
    MethodType,
    ModuleType,
    TracebackType,
)

from grader import hooks, library, refcounts
from grader.hooks import Allocation, Run, TextSink
from grader.lookalikes import look_alike
from grader.policy import REFUSED_MEMBER_REASONS, STAND_IN_MEMBERS


def _spec(module: ModuleType) -> ModuleSpec:
    """A loader-less spec, so that repr(module) reads as CPython's."""
    origin = getattr(module, "__file__", None)
    spec = ModuleSpec(module.__name__, None, origin=origin or "built-in")
    spec.has_location = origin is not None
    return spec


_REAL = {"sys": sys, "gc": gc, "copy": copy, "weakref": weakref}
_SPECS = {name: _spec(module) for name, module in _REAL.items()}
_SHARED_MEMBERS = {
    name: {
        member: getattr(module, member)
        for member in STAND_IN_MEMBERS[name]
        if member not in ("stdout", "stderr", "get_referents")
    }
    for name, module in _REAL.items()
}
# The sandbox's getrefcount: CPython's count, refused for the sandbox's own objects.
_SHARED_MEMBERS["sys"]["getrefcount"] = refcounts.GETREFCOUNT
refcounts.set_host_roots(
    [
        *hooks.sandbox_builtins(None).values(),
        *(member for members in _SHARED_MEMBERS.values() for member in members.values()),
        *_SPECS.values(),
    ]
)
_DIRS = {name: (lambda names=tuple(dir(module)): list(names)) for name, module in _REAL.items()}
# What gc.get_referents may neither inspect nor hand out: these reach code, frames, namespaces.
_OPAQUE_INPUTS = (
    type,
    ModuleType,
    FunctionType,
    MethodType,
    BuiltinFunctionType,
    CodeType,
    FrameType,
    TracebackType,
    GeneratorType,
    CellType,
    property,
    staticmethod,
    classmethod,
    super,
    MappingProxyType,  # vars(own_class): its referent is the class's real, writable dict
    TextSink,  # sys.stdout: its referents are the run's writer and the sink's gate
)
_OPAQUE_OUTPUTS = (CodeType, FrameType, TracebackType, ModuleType, CellType)


def _missing_member(run: Run, module: ModuleType, real: ModuleType):
    name_of_module = module.__name__

    def __getattr__(name):
        reason = REFUSED_MEMBER_REASONS.get(name)
        if reason or hasattr(real, name):
            why = reason or f"it is not part of the sandbox's curated `{name_of_module}`"
            raise run.refuse(f"`{name_of_module}.{name}`", why)
        message = f"module '{name_of_module}' has no attribute '{name}'"
        raise AttributeError(message, name=name, obj=module)

    return __getattr__


def _guarded_get_referents(run: Run):
    def get_referents(*objs):
        for obj in objs:
            if isinstance(obj, _OPAQUE_INPUTS):
                kind = type(obj).__name__
                raise run.refuse(
                    f"gc.get_referents() of a {kind}", "its referents include code or namespaces"
                )
        found = gc.get_referents(*objs)
        for referent in found:
            if isinstance(referent, _OPAQUE_OUTPUTS) or (
                type(referent) is dict and "__builtins__" in referent
            ):
                raise run.refuse("gc.get_referents()", "it would hand out code or a namespace")
        return found

    return get_referents


def build(name: str, run: Run, stdout: TextSink, stderr: TextSink) -> ModuleType:
    module = ModuleType(name, _REAL[name].__doc__)
    namespace = module.__dict__
    namespace["__spec__"] = _SPECS[name]
    if hasattr(_REAL[name], "__file__"):  # `from copy import x`'s ImportError names the file
        namespace["__file__"] = _REAL[name].__file__
    namespace.update(_SHARED_MEMBERS[name])
    if name == "sys":
        namespace["stdout"], namespace["stderr"] = stdout, stderr
    elif name == "gc":
        namespace["get_referents"] = look_alike(_guarded_get_referents(run), gc.get_referents)
    namespace["__getattr__"] = _missing_member(run, module, _REAL[name])
    namespace["__dir__"] = _DIRS[name]  # the real module's names, as a script's dir() shows
    return module


def importer(
    run: Run,
    stdout: TextSink,
    stderr: TextSink,
    imported: list,
    allocations: dict,
    *,
    script_loads: tuple = (),
    import_shift: int = 0,
    late_correction: bool = False,
):
    """The sandbox's `__import__`: this run's stand-ins, built before the snippet starts.

    A first import does what the script's would do to the collector. For `copy` and `weakref`,
    which a script has not loaded at start-up, it really imports fresh copies of the modules
    the script's import loads (`script_loads`, measured under `python -I`; see ScriptImports),
    and keeps them out of the snippet's reach. Then it allocates (and keeps) or frees as many
    objects as `allocations` says for that module: what the real import leaves allocated, less
    what the stand-in's import allocates (measured, see execute._measure_start).
    `import_shift` (a collector check's variant) adds to every first import's figure. What may
    be freed is allocated now, before the collector's start is set. A negative figure (the real
    import allocates a few more here than in a script, somewhere inside it) is freed as the import
    starts, or, with `late_correction` (another variant: the other end of where the difference
    may lie), once it has ended."""
    built = {name: build(name, run, stdout, stderr) for name in STAND_IN_MEMBERS}
    names = ScriptImports.figures_used(tuple(built))
    figures = {name: allocations.get(name, 0) + import_shift for name in names}
    reserve = sum(max(-figure, 0) for figure in figures.values())
    kept_alive: list = [Allocation() for _ in range(reserve)]
    script_imports = ScriptImports(script_loads)

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        module = built.get(name)
        if module is None and name in library.LIBRARY_MEMBERS and not level:
            module = built[name] = library.build(name, run.refuse)  # built when first imported
            figures[name] = 0  # imports of these are refused with gc or weakref (policy.py)
        if module is None or level:
            raise run.refuse(f"importing `{name}`", "only curated stand-ins exist")
        if module not in imported:
            imported.append(module)
            figure = figures[script_imports.figure_for(name)]
            if figure < 0 and not late_correction:
                del kept_alive[figure:]
            script_imports.load(name)
            if figure < 0 and late_correction:
                del kept_alive[figure:]
            _allocate(kept_alive, figure)
        return module

    return __import__


def _allocate(into: list, count: int) -> None:
    """`count` allocations appended to `into`, in a Python loop: the checks for a due automatic
    collection at each turn stand for the script's import's own (measured: without them the
    count after an import that an automatic collection interrupts is off by a few)."""
    for _ in range(count):
        into.append(Allocation())


_real_import = builtins.__import__


# A script's sys.path as this process names its entries (the library's directories are opened
# in the grader server, see sandbox.open_library_dirs); None until prepare_script_imports.
_search_path: list | None = None


def prepare_script_imports(loads: tuple, script_path: tuple) -> None:
    """Find (not import) the modules ScriptImports may import, once in the grader server: as in
    a script, whose start-up has met the library's directory, a run's import then finds the
    path's finder and its listing cached, rather than allocating them.

    The imports search a script's sys.path (`script_path`, measured under `python -I`), not
    the grader's, which also holds the project's directory first: its finder's state in a child
    depended on where the project was checked out (behind a directory an unprivileged child may
    not enter, like `mktemp -d`'s, the child's first import refilled the finder's listing, whose
    set, immortal in the server, was not freed: one allocation more than a script's)."""
    global _search_path
    named_here = {os.path.realpath(entry): entry for entry in sys.path}
    _search_path = [named_here.get(os.path.realpath(entry), entry) for entry in script_path]
    grader_path, sys.path = sys.path, _search_path
    try:
        for name in loads:
            if name not in sys.builtin_module_names:  # `gc`: no file to find
                importlib.machinery.PathFinder.find_spec(name)
    finally:
        sys.path = grader_path


class ScriptImports:
    """Fresh copies of the modules a script's `import copy` or `import weakref` loads.

    A script has not loaded them at start-up, so its import runs their code: some thousand
    allocations, a few objects left as cyclic garbage (the first `gc.collect()` after it counts
    them) and the automatic collections those allocations start. Here they were loaded when the
    grader started; this takes them out of `sys.modules` (putting back those this run has loaded
    already), imports the module for real, keeps the fresh modules and puts the grader's back.
    """

    __slots__ = ("_loads", "_loaded", "_saved")

    def __init__(self, loads: tuple):
        self._loads = tuple(loads)
        self._loaded: dict = {}
        self._saved: dict = {}  # made now: the import itself should allocate what a script's does

    def figure_for(self, name: str) -> str:
        """Which measured figure a first import of `name` takes now (see execute._IMPORT_FIGURES):
        its own if the script's import would load it, "copy after weakref" for copy once weakref
        is loaded, or that of an import of a loaded module ("sys"), which a script's is then."""
        if name not in self._loads:
            return name
        if name in self._loaded:
            return "sys"
        if name == "copy" and "weakref" in self._loaded:
            return "copy after weakref"
        return name

    @staticmethod
    def figures_used(names: tuple) -> tuple:
        """The figures a run's first imports may take, one each: the worst case for freeing."""
        return (*names, "copy after weakref")

    def load(self, name: str) -> None:
        if name not in self._loads or name in self._loaded:
            return
        # No iterator (a `for` loop makes one, which the collector counts) until the real import
        # has run: a first import in a script reaches importlib's first check for a due
        # collection after one allocation (made in C); a loop's iterator here, made and freed
        # before it, made a collection due at the start of the import one allocation too early.
        modules, saved, loads = sys.modules, self._saved, self._loads
        index = 0
        while index < len(loads):
            saved[loads[index]] = modules.pop(loads[index], None)
            index += 1
        modules.update(self._loaded)
        search_path = _search_path
        if search_path is not None:
            grader_path, sys.path = sys.path, search_path
        try:
            _real_import(name)
        except Exception:  # noqa: BLE001, S110 - the stand-in serves; only the count is off
            pass
        finally:
            if search_path is not None:
                sys.path = grader_path
            index = 0  # nor after it: the script's next check comes after its next allocation
            while index < len(loads):
                other = loads[index]
                fresh = modules.pop(other, None)
                if fresh is not None:
                    self._loaded[other] = fresh
                if saved[other] is not None:
                    modules[other] = saved[other]
                index += 1
            saved.clear()


def shared_objects() -> list:
    """What every run's stand-in modules share (their specs and members): objects a snippet
    can reach, so the grader server makes them immortal before it forks."""
    shared = list(_SPECS.values())
    for members in _SHARED_MEMBERS.values():
        shared.extend(members.values())
    return shared


def freed_by_first_imports() -> list:
    """The weak references in the ABCs' negative caches, which the grader server keeps mortal.

    A script's first `import weakref` (also through `import copy`) registers WeakSet with
    MutableSet, which makes every ABC's negative cache stale; the subclass checks that follow
    clear the stale ones, freeing each entry (a weak reference, its callback and the callback's
    reference to the set: objects the collector's count loses). Made immortal in the server,
    they would not be freed in the children: the import would count 2 more than a script's."""
    # Every class (the heap may be frozen), each held while walked: a set of ids could skip a
    # class given the id of one an automatic collection freed meanwhile.
    found, seen, pending = [], {}, [object]
    while pending:
        cls = pending.pop()
        if id(cls) not in seen:
            seen[id(cls)] = cls
            pending.extend(type.__subclasses__(cls))
            if isinstance(cls, abc.ABCMeta):  # (registry, cache, negative cache, version)
                found.extend(_abc._get_dump(cls)[2])
    return found


def stands_for(module: ModuleType) -> ModuleType | None:
    """The real module a stand-in stands for (a script's error messages list its names)."""
    spec = module.__dict__.get("__spec__")
    found = next((_REAL[name] for name, own in _SPECS.items() if spec is own), None)
    return found or library.stands_for(module)
