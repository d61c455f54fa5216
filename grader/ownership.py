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
# namespaces, and none defines a private attribute (checked by tests/grader/test_deny.py).
PLAIN_BUILTIN_CLASSES = frozenset(
    {object, int, float, complex, bool, str, bytes, bytearray, list, tuple, dict, set, frozenset}
) | {
    value
    for value in vars(builtins).values()
    if isinstance(value, type) and issubclass(value, BaseException)
}
_SNIPPET_MODULE = "__main__"


def _snippet_class(cls) -> bool:
    return type(cls) is type and cls.__dict__.get("__module__") == _SNIPPET_MODULE


def own_class(cls) -> bool:
    """A class of the snippet whose bases are all the snippet's or plain builtin classes."""
    if type(cls) is not type:
        return False
    return all(base in PLAIN_BUILTIN_CLASSES or _snippet_class(base) for base in cls.__mro__)


def own(obj) -> bool:
    """Whether `obj`'s private attributes are the snippet's own."""
    kind = type(obj)
    if kind is type:
        return own_class(obj) and _snippet_class(obj)
    if kind is FunctionType:
        return obj.__code__.co_filename == SNIPPET_FILENAME
    if kind is super:  # super()._helper() inside the snippet's own class
        return obj.__self_class__ is not None and own_class(obj.__self_class__)
    return own_class(kind)
