"""Curated stand-ins for `import sys, gc, copy, weakref`, built fresh for every run.

A stand-in is a new module object holding only the members listed in policy.STAND_IN_MEMBERS
(the real functions and classes, or sandbox versions of them). A member the real module has but
the stand-in leaves out is refused with a reason; any other missing name raises CPython's
AttributeError.
"""

import copy
import gc
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

from grader.hooks import Allocation, Run, TextSink
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


def build(
    name: str, run: Run, stdout: TextSink, stderr: TextSink, get_threshold=None
) -> ModuleType:
    module = ModuleType(name)
    namespace = module.__dict__
    namespace["__spec__"] = _SPECS[name]
    namespace.update(_SHARED_MEMBERS[name])
    if name == "sys":
        namespace["stdout"], namespace["stderr"] = stdout, stderr
    elif name == "gc":
        namespace["get_referents"] = _guarded_get_referents(run)
        if get_threshold is not None:  # a collector check's run under other thresholds
            namespace["get_threshold"] = get_threshold
    namespace["__getattr__"] = _missing_member(run, module, _REAL[name])
    return module


def importer(
    run: Run,
    stdout: TextSink,
    stderr: TextSink,
    imported: list,
    allocations: dict,
    get_threshold=None,
):
    """The sandbox's `__import__`: this run's stand-ins, built before the snippet starts so that
    importing allocates nothing of the snippet's; instead, a first import allocates (and keeps)
    as many objects as the real import leaves allocated, per `allocations`."""
    built = {name: build(name, run, stdout, stderr, get_threshold) for name in STAND_IN_MEMBERS}
    kept_alive: list[Allocation] = []

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        module = built.get(name)
        if module is None or level:
            raise run.refuse(f"importing `{name}`", "only curated stand-ins exist")
        if module not in imported:
            imported.append(module)
            for _ in range(allocations.get(name, 0)):
                kept_alive.append(Allocation())
        return module

    return __import__
