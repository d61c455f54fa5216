"""Sandbox versions of builtin functions that show as the builtins do.

The sandbox checks some calls (`getattr` and its kin, `str.format`, `gc.get_referents`) in
Python. A plain Python function would show itself: `print(getattr)` gives `<function getattr at
0x...>` where a script shows `<built-in function getattr>`, `getattr(1)` complains about a
missing argument named `name`, `type(getattr)` is `function`. A `LookAlike` calls the check but
shows the real builtin: its repr, `__name__`, `__qualname__`, `__module__`, `__doc__`, and, for
the wrong number of arguments or keywords the builtin does not take, the builtin's own error
(raised by the builtin itself, which raises it before doing anything). The sandbox's `type`
reports its class as the builtin's (`hooks._class_of`).
"""

import functools
from collections.abc import Callable, Collection
from types import BuiltinFunctionType
from typing import TYPE_CHECKING, Any


class LookAlike:
    __slots__ = ("_check", "_real", "_arities", "_keywords")
    if TYPE_CHECKING:  # not at run time: class annotations would show as `__annotations__`
        _check: Callable[..., Any]
        _real: Callable[..., Any]
        _arities: Collection[int]
        _keywords: bool

    def __call__(self, *args, **keywords):
        arities = self._arities
        if (keywords and not self._keywords) or (arities and len(args) not in arities):
            return self._real(*args, **keywords)  # raises the builtin's own TypeError
        return self._check(*args, **keywords)

    def __repr__(self):
        return repr(self._real)

    __name__ = property(lambda self: self._real.__name__)
    __doc__ = property(lambda self: self._real.__doc__)
    __module__ = property(lambda self: self._real.__module__)
    __text_signature__ = property(lambda self: self._real.__text_signature__)

    def __getattr__(self, name):
        if name == "__qualname__":  # not in the class's namespace: type keeps it apart
            return self._real.__qualname__
        message = f"'builtin_function_or_method' object has no attribute '{name}'"
        raise AttributeError(message, name=name, obj=self)


def look_alike(check, real, arities=(), keywords=False) -> LookAlike:
    """`check` shown as `real`; `arities` lists the numbers of positional arguments `real`
    accepts (any, when empty), `keywords` whether it takes keyword arguments."""
    alike = object.__new__(LookAlike)
    alike._check, alike._real = check, real
    alike._arities, alike._keywords = arities, keywords
    return alike


# What the sandbox's `type` shows as the class of a look-alike.
SHOWN_CLASS = BuiltinFunctionType


class PartialLookAlike(functools.partial):
    """A look-alike called through C, for a check that must know the references its caller
    holds: a `functools.partial` reaches the function by vectorcall on every path (a direct
    call, map(), sorted(key=), `f(*args)`), so the function's frame always adds the same two
    (its parameter and the argument it passes on), where a Python `__call__` adds one more on
    some paths than on others."""

    def __repr__(self):
        return _PARTIAL_REPRS.get(id(self), "")

    func = property(lambda self: _no_attribute(self, "func"))
    args = property(lambda self: _no_attribute(self, "args"))
    keywords = property(lambda self: _no_attribute(self, "keywords"))


def _no_attribute(obj, name):
    message = f"'builtin_function_or_method' object has no attribute '{name}'"
    raise AttributeError(message, name=name, obj=obj)


def partial_look_alike(check, real) -> PartialLookAlike:
    alike = PartialLookAlike(check)
    _PARTIAL_REPRS[id(alike)] = repr(real)  # kept alive by its module: the id stays its own
    alike.__dict__.update(
        __name__=real.__name__,
        __qualname__=real.__qualname__,
        __module__=real.__module__,
        __doc__=real.__doc__,
    )
    return alike


_PARTIAL_REPRS: dict = {}
LOOK_ALIKE_CLASSES = (LookAlike, PartialLookAlike)
