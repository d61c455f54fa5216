"""Curated stand-ins for `import sys, gc, copy, weakref`, built fresh for every run.

A stand-in is a new module object holding only the members listed in policy.STAND_IN_MEMBERS
(the real functions and classes, or sandbox versions of them). A member the real module has but
the stand-in leaves out is refused with a reason; any other missing name raises CPython's
AttributeError.
"""

import builtins
import copy
import gc
import importlib.machinery
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
    MethodType,
    ModuleType,
    TracebackType,
)

from grader import hooks, refcounts
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
):
    """The sandbox's `__import__`: this run's stand-ins, built before the snippet starts.

    A first import does what the script's would do to the collector. For `copy` and `weakref`,
    which a script has not loaded at start-up, it really imports fresh copies of the modules
    the script's import loads (`script_loads`, measured under `python -I`; see ScriptImports),
    and keeps them out of the snippet's reach. Then it allocates (and keeps) or frees as many
    objects as `allocations` says for that module: what the real import leaves allocated, less
    what the stand-in's import allocates (measured, see execute._measure_start).
    `import_shift` (a collector check's variant) adds to every first import's figure. What may
    be freed is allocated now, before the collector's start is set."""
    built = {name: build(name, run, stdout, stderr) for name in STAND_IN_MEMBERS}
    figures = {name: allocations.get(name, 0) + import_shift for name in built}
    reserve = sum(max(-figure, 0) for figure in figures.values())
    kept_alive: list = [Allocation() for _ in range(reserve)]
    script_imports = ScriptImports(script_loads)

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        module = built.get(name)
        if module is None or level:
            raise run.refuse(f"importing `{name}`", "only curated stand-ins exist")
        if module not in imported:
            imported.append(module)
            script_imports.load(name)
            figure = figures[name]
            for _ in range(figure):
                kept_alive.append(Allocation())
            if figure < 0:
                del kept_alive[figure:]
        return module

    return __import__


_real_import = builtins.__import__


def prepare_script_imports(loads: tuple) -> None:
    """Find (not import) the modules ScriptImports may import, once in the grader server: as in
    a script, whose start-up has met the library's directory, a run's import then finds the
    path's finder and its listing cached, rather than allocating them."""
    for name in loads:
        importlib.machinery.PathFinder.find_spec(name)


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

    def load(self, name: str) -> None:
        if name not in self._loads or name in self._loaded:
            return
        modules, saved = sys.modules, self._saved
        for other in self._loads:
            saved[other] = modules.pop(other, None)
        modules.update(self._loaded)
        try:
            _real_import(name)
        except Exception:  # noqa: BLE001, S110 - the stand-in serves; only the count is off
            pass
        finally:
            for other in self._loads:
                fresh = modules.pop(other, None)
                if fresh is not None:
                    self._loaded[other] = fresh
                if saved[other] is not None:
                    modules[other] = saved[other]
            saved.clear()
