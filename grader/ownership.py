"""Which objects are the snippet's own, whose private attributes (`_x`, `self.__x` mangled to
`_A__x`) it may read and write, and whose `__dict__` it may read even when they are classes.

An object is the snippet's own when everything its attributes can come from was written by the
snippet or holds only data: its classes (the class itself, or its type for an instance, with
every class in their MRO) are classes of the snippet (made by its class statements, or by
`namedtuple()` and `dataclass` from its own statements) or plain builtin data classes (`object`,
`int`, `list`, `dict`, exceptions, ...); a function is the snippet's own when its code is the
snippet's. A module (a stand-in), a stand-in's class or function, a frame, a generator, code,
a descriptor, `type` itself: none is the snippet's own, so their private attributes stay
closed whatever the name (`sys._getframe`, `OrderedDict()._OrderedDict__root`, `f._x` of a
library function).
"""

import builtins
from types import FunctionType

from grader.policy import SNIPPET_FILENAME

# Builtin classes an own class may derive from: their instances hold data, no code or
# namespaces, and none defines a private attribute (checked by tests/grader/test_deny_allowed.py).
PLAIN_BUILTIN_CLASSES = frozenset(
    {object, int, float, complex, bool, str, bytes, bytearray, list, tuple, dict, set, frozenset}
) | {
    value
    for value in vars(builtins).values()
    if isinstance(value, type) and issubclass(value, BaseException)
}
_SNIPPET_MODULE = "__main__"


def own(obj) -> bool:
    """Whether `obj`'s private attributes are the snippet's own.

    One function, no generator and no call to another Python function: the `_own_` hook calls
    it for every private attribute access, and each Python frame counts towards the recursion
    limit (see hooks.own_object)."""
    kind = type(obj)
    if kind is FunctionType:
        return obj.__code__.co_filename == SNIPPET_FILENAME
    if kind is super:  # super()._helper() inside the snippet's own class
        kind = obj.__self_class__
        if kind is None:
            return False
    elif kind is type:  # a class: itself the snippet's, and all its bases
        if obj.__dict__.get("__module__") != _SNIPPET_MODULE:
            return False
        kind = obj
    if type(kind) is not type:
        return False
    for base in kind.__mro__:
        if base in PLAIN_BUILTIN_CLASSES:
            continue
        if type(base) is not type or base.__dict__.get("__module__") != _SNIPPET_MODULE:
            return False
    return True
