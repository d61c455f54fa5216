"""The helpers a transformed snippet calls, built for one run in the grader's child.

They are put into the run's builtins under names starting with `_mc_`, which the snippet cannot
name (see base.py). None hands the snippet anything it could not reach already: each returns the
snippet's own objects, copies of them, or a real callable the sandbox offers anyway
(`copy.deepcopy`); the wrappers they build are only ever called, never returned.
"""

import copy
import functools
import gc
import sys
from types import BuiltinMethodType, ModuleType

from grader import refcounts
from grader.misconceptions.in_place_methods_return_object import METHODS
from grader.policy import SNIPPET_FILENAME

_deepcopy = copy.deepcopy
_real_getrefcount = sys.getrefcount
_METHOD_DESCRIPTOR = type(list.append)
_OWNERS = {"list": list, "dict": dict, "set": set}


def chain(value, count: int, first_copied: bool) -> tuple:
    """The values of `a = b = ... = value`: the object, then deep copies."""
    first = _deepcopy(value) if first_copied else value
    return (first, *(_deepcopy(value) for _ in range(count - 1)))


_SAME_WHEN_EQUAL = (int, float, str, bytes, tuple)


def same_object(left, right) -> bool:
    kind = type(left)
    if kind is type(right) and kind in _SAME_WHEN_EQUAL:
        return left == right
    return left is right


def copy_function(function):
    """`copy.copy` (however reached) deep copies; any other callable is left as it is."""
    return _deepcopy if function is copy.copy else function


def copy_method(method):
    """`x.copy` with no argument: a deep copy of `x` when it is a method bound to `x`."""
    owner = getattr(method, "__self__", None)
    if owner is None or isinstance(owner, (ModuleType, type)):
        return method
    return functools.partial(_deepcopy, owner)


def repeat(left, right, list_on_left: bool):
    """`[e1, e2] * n` with a deep copy of the elements for every repetition."""
    result = left * right  # CPython's own errors and its handling of n (bool, index, <= 0)
    display = left if list_on_left else right
    if type(result) is not list or type(display) is not list or not display:
        return result
    repetitions = len(result) // len(display)
    return [_deepcopy(element) for _ in range(repetitions) for element in display]


def refcount(function, count):
    # The stand-in sys's getrefcount is grader.refcounts' check around the real one.
    getrefcounts = (_real_getrefcount, refcounts.GETREFCOUNT)
    return count - 1 if any(function is real for real in getrefcounts) else count


def in_place(method):
    """The method as called, or a wrapper returning the object it changes."""
    if type(method) is BuiltinMethodType:
        owner = method.__self__
        for kind, names in METHODS.items():
            if isinstance(owner, _OWNERS[kind]) and method.__name__ in names:
                return _returning(method, lambda args: owner)
    elif type(method) is _METHOD_DESCRIPTOR:
        for kind, names in METHODS.items():
            owner_class = getattr(method, "__objclass__", None)
            if owner_class is _OWNERS[kind] and method.__name__ in names:
                return _returning(method, lambda args: args[0] if args else None)
    return method


def _returning(method, changed):
    def call(*args, **kwargs):
        method(*args, **kwargs)
        return changed(args)

    return call


class _DelState:
    """`del NAME` at module level: the object held while the real `del` runs."""

    __slots__ = ("held",)

    def __init__(self):
        self.held: list = []

    def hold(self, value, name: str) -> None:
        """Before `del name`: keep its object, if `name` is a module-level name (if not, the
        `del` raises CPython's NameError and nothing is held)."""
        self.held.clear()
        if name in _module_globals():
            self.held.append(value)

    def rest(self) -> None:
        if not self.held:
            return
        namespace, target = _module_globals(), self.held[0]
        others = [
            name
            for name, value in namespace.items()
            if value is target and not (name.startswith("__") and name.endswith("__"))
        ]
        del target
        for name in others:
            del namespace[name]
        self.held.clear()  # the object dies here if nothing else holds it


def _module_globals() -> dict:
    """The snippet's module namespace: the globals of the frame that called the helper."""
    frame = sys._getframe(2)
    if frame.f_code.co_filename != SNIPPET_FILENAME:
        raise RuntimeError("a misconception helper was called from outside the snippet")
    return frame.f_globals


def _collect() -> None:
    gc.collect()


def helpers(used: frozenset[str]) -> dict:
    """The builtins to add for one run: exactly the helpers its transformation used."""
    deletions = _DelState()
    every = {
        "_mc_deepcopy_": _deepcopy,
        "_mc_chain_": chain,
        "_mc_is_": same_object,
        "_mc_default_": object(),  # a private sentinel, fresh for each run
        "_mc_copy_function_": copy_function,
        "_mc_copy_method_": copy_method,
        "_mc_repeat_": repeat,
        "_mc_refcount_": refcount,
        "_mc_del_hold_": deletions.hold,
        "_mc_del_rest_": deletions.rest,
        "_mc_collect_": _collect,
        "_mc_in_place_": in_place,
    }
    return {name: every[name] for name in used}
