"""CPython's "Did you mean" for the running version, over the names a script would offer.

A script's NameError, AttributeError and ImportError end with a suggestion computed from the
names around the failure. The grader reports them from `traceback.TracebackException`, which is
not what prints a script's traceback on 3.12 (the C printer, Python/suggestions.c) and which, in
the sandbox, would look at the sandbox's builtins (a dict built from a frozenset, so its order
follows the hash seed, without the builtins the policy refuses) and at the stand-in modules
(fewer members than the real ones). Here the suggestion is computed as the running version
computes it, over what a script has instead:

- 3.12 (`_Py_Offer_Suggestions`): exact types only (not UnboundLocalError, not
  ModuleNotFoundError); a NameError looks at the code's local variable names, then, one list at
  a time, the globals and the builtins (the first list with a match wins); an AttributeError at
  `dir(obj)` with nothing hidden.
- 3.13 (traceback.py, which prints a script's traceback there): subclasses too; a NameError
  looks at one list, locals + globals + builtins; an AttributeError and an ImportError hide
  names starting with '_' unless the wrong name starts with one (or, for an AttributeError,
  the object is the frame's `self`). The distance is the C one (`_suggestions`).

The globals of the snippet's module are put in a script's order (its dunders first, see
SCRIPT_GLOBALS); the builtins are the interpreter's, in their dict's order; a stand-in module
offers the real module's names. Nothing here reaches the snippet: only a message is built.
"""

import builtins
import sys
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from grader import standins
from grader.hooks import OutputLimitReached, PolicyRefusal
from grader.policy import SNIPPET_FILENAME

# A script's `__main__` globals before its first line (the same on 3.12 and 3.13; checked
# against `python -I` by tests/grader/test_suggestions.py).
SCRIPT_GLOBALS = (
    "__name__ __doc__ __package__ __loader__ __spec__ __annotations__ __builtins__ __file__"
    " __cached__"
).split()
# The builtins a script sees, in their dict's order: the grader runs under `python -I` with
# `site`, as a script does, and nothing adds to them before this module is imported.
SCRIPT_BUILTINS = tuple(vars(builtins))

_MAX_CANDIDATE_ITEMS = 750
_MAX_STRING_SIZE = 40
_MOVE_COST = 2
_CASE_COST = 1
_MODERN = sys.version_info >= (3, 13)
_NAME_SLOTS = ("name", "name_from")  # what traceback.py reads to suggest


def suffix(error: BaseException) -> str:
    """What CPython appends to `str(error)`: ". Did you mean: 'x'?", the forgotten import, or ''."""
    try:
        if _MODERN:
            return _suffix_313(error)
        return _suffix_312(error)
    except (Exception, PolicyRefusal, OutputLimitReached):  # noqa: BLE001
        # As CPython: a failing suggestion is no suggestion. The snippet's `__getattr__` may run
        # here (`self.x` is looked up): a refusal or the output limit is recorded on the run.
        return ""


# --- the candidates ---------------------------------------------------------------------------


def _innermost_frame(error: BaseException):
    tb = error.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame


def _is_snippet_module(namespace, frame) -> bool:
    return namespace is frame.f_globals and frame.f_code.co_filename == SNIPPET_FILENAME


def _script_names(names: list, namespace, frame) -> list:
    """A namespace's keys as a script would list them: the snippet's module globals get a
    script's dunders, in a script's order, before its own names."""
    if not _is_snippet_module(namespace, frame):
        return names
    return SCRIPT_GLOBALS + [name for name in names if name not in SCRIPT_GLOBALS]


def _dir(obj) -> list:
    if isinstance(obj, ModuleType):
        obj = standins.stands_for(obj) or obj
    return dir(obj)


def _name_from_module(error: Any):
    """The module a script's `from x import y` failed on: PyImport_GetModule(x), the real
    module a stand-in stands for."""
    return sys.modules.get(error.name)


# --- 3.12: Python/suggestions.c -----------------------------------------------------------------


def _substitution_cost(a: int, b: int) -> int:
    if a & 31 != b & 31:
        return _MOVE_COST
    if a == b:
        return 0
    if 65 <= a <= 90:
        a += 32
    if 65 <= b <= 90:
        b += 32
    return _CASE_COST if a == b else _MOVE_COST


def levenshtein_distance(a: bytes, b: bytes, max_cost: int) -> int:
    """levenshtein_distance() of Python/suggestions.c, on UTF-8 bytes as there."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end = 0
    while end < len(a) and end < len(b) and a[-1 - end] == b[-1 - end]:
        end += 1
    if end:
        a, b = a[:-end], b[:-end]
    if not a or not b:
        return (len(a) + len(b)) * _MOVE_COST
    if len(a) > _MAX_STRING_SIZE or len(b) > _MAX_STRING_SIZE:
        return max_cost + 1
    if len(b) < len(a):
        a, b = b, a
    if (len(b) - len(a)) * _MOVE_COST > max_cost:
        return max_cost + 1
    row = [_MOVE_COST * (i + 1) for i in range(len(a))]
    result = 0
    for b_index, code in enumerate(b):
        distance = result = b_index * _MOVE_COST
        minimum = sys.maxsize
        for index, other in enumerate(a):
            substitute = distance + _substitution_cost(code, other)
            distance = row[index]
            result = min(min(result, distance) + _MOVE_COST, substitute)
            row[index] = result
            minimum = min(minimum, result)
        if minimum > max_cost:
            return max_cost + 1
    return result


def calculate_suggestions(candidates: list, name: str) -> str | None:
    """calculate_suggestions() of Python/suggestions.c (3.12)."""
    if len(candidates) >= _MAX_CANDIDATE_ITEMS:
        return None
    wrong = name.encode("utf-8")
    best, best_distance = None, sys.maxsize
    for item in candidates:
        encoded = item.encode("utf-8")
        if item.isascii() and item == name:  # PyUnicode_CompareWithASCIIString
            continue
        max_distance = (len(wrong) + len(encoded) + 3) * _MOVE_COST // 6
        max_distance = min(max_distance, best_distance - 1)
        distance = levenshtein_distance(wrong, encoded, max_distance)
        if distance > max_distance:
            continue
        if best is None or distance < best_distance:
            best, best_distance = item, distance
    return best


def _name_error_312(error: Any) -> str | None:
    frame = _innermost_frame(error)
    if frame is None:
        return None
    varnames = list(frame.f_code.co_varnames)
    if "self" in varnames:
        locals_ = frame.f_locals
        if "self" not in locals_:
            return None
        try:
            has_it = hasattr(locals_["self"], error.name)
        except Exception:  # noqa: BLE001 - PyObject_HasAttr swallows every error
            has_it = False
        if has_it:
            return f"self.{error.name}"
    found = calculate_suggestions(varnames, error.name)
    if found is None:
        names = _script_names(list(frame.f_globals), frame.f_globals, frame)
        found = calculate_suggestions(names, error.name)
    if found is None:
        found = calculate_suggestions(list(SCRIPT_BUILTINS), error.name)
    return found


def _suffix_312(caught: BaseException) -> str:
    error: Any = caught  # the attributes read below exist on the exact types checked
    kind = type(error)
    if kind is AttributeError:
        if type(error.name) is not str or error.obj is None:
            return ""
        found = calculate_suggestions(_dir(error.obj), error.name)
        return f". Did you mean: {found!r}?" if found is not None else ""
    if kind is NameError:
        if type(error.name) is not str or error.__traceback__ is None:
            return ""
        found = _name_error_312(error)
        stdlib = error.name in sys.stdlib_module_names
        if not stdlib:
            return f". Did you mean: {found!r}?" if found is not None else ""
        if found is None:
            return f". Did you forget to import {error.name!r}?"
        return f". Did you mean: {found!r}? Or did you forget to import {error.name!r}?"
    if kind is ImportError:
        if type(error.name_from) is not str or type(error.name) is not str:
            return ""
        module = _name_from_module(error)
        if module is None:
            return ""
        found = calculate_suggestions(dir(module), error.name_from)
        return f". Did you mean: {found!r}?" if found is not None else ""
    return ""


# --- 3.13: traceback.py over _suggestions ---------------------------------------------------------


def _hidden(names: list, shown: bool) -> list:
    return names if shown else [name for name in names if name[:1] != "_"]


def _suggestion_313(error: BaseException, wrong_name) -> str | None:
    from _suggestions import _generate_suggestions  # noqa: PLC0415 - 3.13 only

    if not isinstance(wrong_name, str):
        return None
    if isinstance(error, AttributeError):
        obj = error.obj
        shown = wrong_name[:1] == "_"
        frame = _innermost_frame(error)
        if not shown and frame is not None:
            shown = "self" in frame.f_locals and frame.f_locals["self"] is obj
        candidates = _hidden(_dir(obj), shown)
    elif isinstance(error, ImportError):
        module = _name_from_module(error)
        if module is None:
            return None
        candidates = _hidden(dir(module), wrong_name[:1] == "_")
    else:
        frame = _innermost_frame(error)
        if frame is None:
            return None
        local_names = _script_names(list(frame.f_locals), frame.f_locals, frame)
        global_names = _script_names(list(frame.f_globals), frame.f_globals, frame)
        candidates = local_names + global_names + list(SCRIPT_BUILTINS)
        if "self" in frame.f_locals and hasattr(frame.f_locals["self"], wrong_name):
            return f"self.{wrong_name}"
    return _generate_suggestions(candidates, wrong_name)


def _suffix_313(error: BaseException) -> str:
    if isinstance(error, ImportError):
        if error.name_from is None:
            return ""
        found = _suggestion_313(error, error.name_from)
        return f". Did you mean: '{found}'?" if found else ""
    if not isinstance(error, (NameError, AttributeError)) or error.name is None:
        return ""
    found = _suggestion_313(error, error.name)
    text = f". Did you mean: '{found}'?" if found else ""
    if isinstance(error, NameError) and error.name in sys.stdlib_module_names:
        if found:
            text += f" Or did you forget to import '{error.name}'?"
        else:
            text += f". Did you forget to import '{error.name}'?"
    return text


@contextmanager
def computed_apart(error: BaseException):
    """Keep `traceback.TracebackException` from computing its own suggestion for `error` (it
    reads the names it needs from the exception: without them it offers none)."""
    saved = {slot: getattr(error, slot) for slot in _NAME_SLOTS if hasattr(error, slot)}
    for slot in saved:
        setattr(error, slot, None)
    try:
        yield
    finally:
        for slot, value in saved.items():
            setattr(error, slot, value)
