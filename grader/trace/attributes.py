"""A class's and an instance's attributes, read with the builtin types' own accessors: no
snippet code runs (no __getattr__, no properties) and no instance __dict__ is built."""

import gc
import types

_MISSING = object()
_CLASS_NOISE = frozenset(
    {"__module__", "__qualname__", "__dict__", "__weakref__", "__doc__", "__firstlineno__"}
)


def class_attributes(cls):
    names = _class_dict(cls)
    return [
        (name, value)
        for name, value in names.items()
        if name not in _CLASS_NOISE and not isinstance(value, types.GetSetDescriptorType)
    ]


def instance_attributes(obj, stored_names, class_names):
    """(name, value) pairs of the instance's own attributes, in the order it holds them.

    Reading obj.__dict__ would make CPython 3.12 build a dict for an instance that keeps its
    values inline, one more object for gc.collect() to count; so the attribute names the snippet
    stores are looked up one by one with object.__getattribute__, which builds nothing and never
    calls snippet code (no __getattr__; data descriptors such as properties are skipped).
    """
    pairs = []
    for name in stored_names:
        in_class = class_names.get(name, _MISSING)
        if in_class is not _MISSING and _is_data_descriptor(in_class):
            continue
        try:
            value = object.__getattribute__(obj, name)
        except AttributeError:
            continue
        if in_class is not _MISSING and (
            value is in_class or (type(value) is types.MethodType and value.__func__ is in_class)
        ):
            continue  # found on the class, not on the instance
        pairs.append((name, value))
    positions: dict[int, list[int]] = {}
    for position, referent in enumerate(gc.get_referents(obj)):
        positions.setdefault(id(referent), []).append(position)
    pairs.sort(key=lambda pair: (positions.get(id(pair[1])) or [len(pairs)]).pop(0))
    for klass in type(obj).__mro__:
        for name in _class_dict(klass).get("__slots__", ()):
            slot = _class_dict(klass).get(name)
            if isinstance(slot, types.MemberDescriptorType):
                try:
                    pairs.append((name, slot.__get__(obj)))
                except AttributeError:  # an empty slot
                    pass
    return pairs


def names_in_classes(cls):
    names = {}
    for klass in reversed(cls.__mro__):
        names.update(_class_dict(klass))
    return names


def _class_dict(cls):
    return type.__dict__["__dict__"].__get__(cls)


def _is_data_descriptor(attribute):
    kind = type(attribute)
    return hasattr(kind, "__set__") or hasattr(kind, "__delete__")


def stored_attribute_names(codes):
    """Every name the snippet may give an instance attribute: the names its code uses (attribute
    names among them) and identifiers among its string constants (setattr, and attribute writes
    the policy turned into calls)."""
    names = []
    for code in codes:
        names.extend(code.co_names)
        names.extend(c for c in code.co_consts if type(c) is str and c.isidentifier())
    return tuple(dict.fromkeys(names))
