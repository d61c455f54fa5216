"""Curated stand-ins for `import collections, dataclasses, functools, itertools`.

Each is a new module object, built at a run's first import of it, holding only the members of
policy.LIBRARY_MEMBERS: the real classes and functions, which hold nothing but what the snippet
gives them (its values, its functions, its classes). What they could open, and why it stays
closed (tests/grader/test_deny_allowed.py):

- Their own internals are private attributes (`OrderedDict()._OrderedDict__root`,
  `partial(f)._x`) or dunders (`f.__wrapped__.__globals__`): private attributes are open only
  on the snippet's own objects (ownership.py), and a stand-in's class or function is not one.
- `functools.wraps` and `lru_cache` copy the wrapped object's `__dict__` into the wrapper,
  where `vars()` reads it (`wraps(object)` would hand out `object.__getattribute__`): the
  sandbox's refuse a wrapped object that has a `__dict__` and is not the snippet's own, and
  `wraps` with other `assigned`/`updated` names (it copies any attribute by name).
  `dataclass` and `total_ordering` set attributes on the class they decorate: the sandbox's
  refuse a class that is not the snippet's own (`weakref.finalize`, the sandbox's `type`).
- `namedtuple` and `dataclass` build code with `exec`. namedtuple checks that every name is an
  identifier, and so does the sandbox's `dataclass` before the real one runs: a field name is
  otherwise taken from the class's `__annotations__`, a dict the snippet can reach through
  `vars(cls)`, and would be pasted into the generated source.
- `namedtuple`'s classes (module `__main__`, made from the snippet's call) are the snippet's
  own: `_asdict`, `_replace`, `_fields`, `_make` work; their generated functions' globals are
  behind `__globals__`, which stays refused.
- A member left out (`collections.abc`, `functools.singledispatch`, `dataclasses.fields`, ...)
  is refused with a reason; a name the real module lacks raises CPython's AttributeError.
"""

import gc
import importlib
import keyword
import os
import sys
from importlib.machinery import ModuleSpec
from types import MethodType, ModuleType

from grader import ownership
from grader.policy import LIBRARY_MEMBERS

# The real modules and their specs, imported at a run's first import (in the grader's child):
# the server never imports dataclasses (and inspect), whose heap every fork would copy.
_REAL: dict[str, ModuleType] = {}
_SPECS: dict[str, ModuleSpec] = {}


def _real(name: str) -> ModuleType:
    if name not in _REAL:
        _REAL[name] = importlib.import_module(name)
        _SPECS[name] = _spec(_REAL[name])
    return _REAL[name]


_FD_PATHS = "/proc/self/fd/"
_LIBRARY = os.path.dirname(os.__file__)  # imported at start-up, from the path a script has


def _script_file(module: ModuleType) -> str | None:
    """The module's file as a script names it: in a grader child, the library is imported
    through the directory fds the server opened (sandbox.open_library_dirs)."""
    path = getattr(module, "__file__", None)
    if path and path.startswith(_FD_PATHS):
        return os.path.join(_LIBRARY, path[len(_FD_PATHS) :].partition("/")[2])
    return path


def _spec(module: ModuleType) -> ModuleSpec:
    """A loader-less spec, so that repr(module) reads as CPython's."""
    origin = _script_file(module)
    spec = ModuleSpec(module.__name__, None, origin=origin or "built-in")
    spec.has_location = origin is not None
    return spec


def _own_class(refuse, function: str, cls) -> None:
    """Class decorators that set attributes on the class: only on the snippet's own classes
    (never on a stand-in's or the sandbox's, which the grader itself uses)."""
    if not (isinstance(cls, type) and ownership.own(cls)):
        raise refuse(f"`{function}` of {cls!r}", "it changes a class that is not the snippet's")


def _copiable(refuse, function: str, wrapped) -> None:
    """update_wrapper copies the wrapped object's `__dict__` into the wrapper, where `vars()`
    reads it: only from what has none (a builtin function) or from the snippet's own."""
    own = getattr(wrapped, "__func__", wrapped) if isinstance(wrapped, MethodType) else wrapped
    if hasattr(wrapped, "__dict__") and not ownership.own(own):
        raise refuse(
            f"`{function}` of {type(wrapped).__name__!r} object",
            "it would copy the namespace of an object that is not the snippet's",
        )


def _checked_total_ordering(refuse):
    real = _real("functools").total_ordering

    def total_ordering(cls):
        _own_class(refuse, "total_ordering", cls)
        return real(cls)

    return _named_as(total_ordering, real)


def _checked_wraps(refuse):
    functools = _real("functools")
    defaults = (functools.WRAPPER_ASSIGNMENTS, functools.WRAPPER_UPDATES)

    def wraps(wrapped, assigned=defaults[0], updated=defaults[1]):
        if (assigned, updated) != defaults:
            raise refuse("`wraps` with other attributes", "it copies any attribute by name")
        _copiable(refuse, "wraps", wrapped)
        return functools.wraps(wrapped)

    return _named_as(wraps, functools.wraps)


def _checked_lru_cache(refuse):
    real = _real("functools").lru_cache

    def lru_cache(maxsize=128, typed=False):
        if callable(maxsize) and isinstance(typed, bool):
            _copiable(refuse, "lru_cache", maxsize)
            return real(maxsize, typed)
        decorating = real(maxsize, typed)

        def decorate(user_function):
            _copiable(refuse, "lru_cache", user_function)
            return decorating(user_function)

        return decorate

    return _named_as(lru_cache, real)


def _named_as(checked, real):
    checked.__module__, checked.__doc__ = real.__module__, real.__doc__
    return checked


def _checked_dataclass(refuse):
    """dataclasses.dataclass, refusing a class whose field names are not identifiers."""
    real = _real("dataclasses").dataclass

    def check(cls):
        _own_class(refuse, "dataclass", cls)
        for name in cls.__dict__.get("__annotations__", {}):
            if type(name) is not str or not name.isidentifier() or keyword.iskeyword(name):
                raise refuse(
                    f"the dataclass field name {name!r}",
                    "dataclass pastes field names into the source it runs with exec",
                )

    def dataclass(cls=None, /, **options):
        def wrap(cls):
            check(cls)
            return real(**options)(cls)

        return wrap if cls is None else wrap(cls)

    return _named_as(dataclass, real)


_OVERRIDES = {
    "dataclasses": {"dataclass": _checked_dataclass},
    "functools": {
        "total_ordering": _checked_total_ordering,
        "wraps": _checked_wraps,
        "lru_cache": _checked_lru_cache,
    },
}


def _missing_member(refuse, module: ModuleType, real: ModuleType):
    name_of_module = module.__name__

    def __getattr__(name):
        if hasattr(real, name):
            raise refuse(
                f"`{name_of_module}.{name}`",
                f"it is not part of the sandbox's curated `{name_of_module}`",
            )
        message = f"module '{name_of_module}' has no attribute '{name}'"
        raise AttributeError(message, name=name, obj=module)

    return __getattr__


def build(name: str, refuse) -> ModuleType:
    """A fresh stand-in of library module `name`; `refuse(what, why)` makes a refusal."""
    real = _real(name)
    module = ModuleType(name)
    namespace = module.__dict__
    namespace["__spec__"] = _SPECS[name]
    if hasattr(real, "__file__"):  # `from dataclasses import x`'s ImportError names the file
        namespace["__file__"] = _script_file(real)
    overrides = _OVERRIDES.get(name, {})
    for member in LIBRARY_MEMBERS[name]:
        made = overrides.get(member)
        namespace[member] = made(refuse) if made else getattr(real, member)
    namespace["__getattr__"] = _missing_member(refuse, module, real)
    _HANDED_OUT.update(_reached([namespace[member] for member in LIBRARY_MEMBERS[name]]))
    return module


# What the library stand-ins hand out and everything it reaches (classes, their methods,
# defaults), short of module namespaces: the grader's tables refer to these too, so their
# reference counts are not a script's (`sys.getrefcount(defaultdict)`) and must be refused.
_HANDED_OUT: set[int] = set()


def _reached(roots) -> set[int]:
    module_dicts = {id(module.__dict__) for module in list(sys.modules.values())}
    found: set[int] = set()
    pending = list(roots)
    while pending:
        obj = pending.pop()
        if id(obj) in found or id(obj) in module_dicts:
            continue
        found.add(id(obj))
        pending.extend(gc.get_referents(obj))
    return found


def handed_out(obj) -> bool:
    """Whether `obj` is a library stand-in's member or reached from one (by identity)."""
    return id(obj) in _HANDED_OUT


def stands_for(module: ModuleType) -> ModuleType | None:
    """The real module a library stand-in stands for (a script's messages list its names)."""
    spec = module.__dict__.get("__spec__")
    return next((_REAL[name] for name, own in _SPECS.items() if spec is own), None)
