"""Interned strings the grader's interpreter has made immortal where a script's keeps them mortal.

From CPython 3.13, only some interned strings are immortal: those the start-up's own modules
hold, the identifiers a parser meets, and every string a `.pyc` file marks interned (marshal
interns them immortal). A constant a script's compiler interns (`'hello'`) stays mortal, so
`sys.getrefcount('hello')` counts its references (3 in a script). The grader server has loaded
many more modules than a script's start-up (its own, the policy's, RestrictedPython's): every
name and constant of theirs is immortal here, and a snippet's `'hello'` was the grader's
(`hello` is a variable of grader/server.py): `sys.getrefcount('hello')` gave 4294967295.
On 3.12 every interned string is immortal, in a script as here: nothing leaks.

`find_leaked` lists, once in the server, the interned strings that are immortal here but that a
fresh `python -I` keeps mortal (asked of that interpreter itself). Before a run's source is
compiled, `mortalise_constants` makes each such constant of the snippet mortal again in the
forked child, with a count offset by `BASE` (far from both 0 and the immortal range), and puts
it in the parse tree in place of the parser's copy, as a script's compiler interns the tree's own
string. From then on every reference is counted; `script_count` takes the offset off.
"""

import ast
import gc
import marshal
import os
import sys
from collections.abc import Callable
from types import CodeType

BASE = 1 << 29  # a mortal count (below 2**31 and the refcounts module's 2**30 immortal floor)
_IMMORTAL_FLOOR = 1 << 30
_COUNT = None  # ctypes.c_ssize_t, imported only where a leak exists (3.13 and later)
# A `python -I` of this interpreter prints which of the listed strings it keeps mortal. Its own
# identifiers are one-letter or start-up names, immortal in every script anyway; the list is one
# constant with spaces, which no compiler interns.
_PROBE = (
    "import sys\n"
    "print(*[s for s in {listed!r}.split() if sys.getrefcount(sys.intern(s)) < 1 << 30])\n"
)

_leaked: frozenset[str] = frozenset()
_mortalised: set[int] = set()  # ids of strings made mortal in this process (never freed)
_identifiers: frozenset[str] = frozenset()  # the current run's: immortal in its script too
# The current run's: id of an interned string -> how many references the script's parse tree
# would hold to it (grader.folding's tree: its nodes and `script_arena_refs`).
_tree_refs: dict[int, int] = {}


def interning_may_leak() -> bool:
    """Whether this interpreter keeps some interned strings mortal (CPython 3.13 and later)."""
    probe = sys.intern("".join(["grader_interned_probe_", str(os.getpid())]))
    return sys.getrefcount(probe) < _IMMORTAL_FLOOR


def find_leaked(script_output: Callable[[str], str]) -> frozenset[str]:
    """The interned strings immortal in this process that this interpreter's `python -I` keeps
    mortal (`script_output(source)`: what such a script prints); remembered for the runs this
    process (or a child forked from it) serves."""
    global _leaked
    if not interning_may_leak():
        _leaked = frozenset()
        return _leaked
    candidates = sorted(_immortal_name_strings())
    _leaked = frozenset(script_output(_PROBE.format(listed=" ".join(candidates))).split())
    return _leaked


def leaked() -> frozenset[str]:
    return _leaked


def _is_name(value: str) -> bool:
    """Strings a compiler interns: ASCII letters, digits and underscores (and identifiers)."""
    return bool(value) and value.isascii() and value.replace("_", "a").isalnum()


def _immortal_name_strings() -> set[str]:
    """Every immortal name-like string this process holds: in its heap (namespaces, functions'
    code), and in the code of the modules it loaded from `.pyc` files, whose module-level
    constants are interned (hence immortal) though nothing may hold them after the import."""
    found: set[str] = set()
    # By id, holding each object: some are made for the walk (a `.pyc` file's code, 3.13's
    # `co_varnames` tuples) and freed once left, when their ids are handed to later ones, which
    # a set of ids would then skip (and their strings with them) as seen already.
    seen: dict[int, object] = {}
    pending: list = [*gc.get_objects(), *list(sys.modules.values())]
    for module in list(sys.modules.values()):
        pending.extend(_cached_code(module))
    while pending:
        obj = pending.pop()
        if id(obj) in seen:
            continue
        seen[id(obj)] = obj
        if type(obj) is str:
            if _is_name(obj) and sys.getrefcount(obj) >= _IMMORTAL_FLOOR:
                found.add(obj)
            continue
        if isinstance(obj, CodeType):
            pending.extend((obj.co_consts, obj.co_names, obj.co_varnames, obj.co_freevars))
            pending.extend((obj.co_cellvars, obj.co_name, obj.co_qualname))
            continue
        if isinstance(obj, (int, float, bytes, complex)):
            continue
        pending.extend(gc.get_referents(obj))
        if isinstance(obj, type):
            pending.extend(type.__dict__["__dict__"].__get__(obj).keys())
    return found


def _cached_code(module) -> list[CodeType]:
    path = getattr(module, "__cached__", None)
    if not isinstance(path, str) or not os.path.isfile(path):
        return []
    try:
        with open(path, "rb") as file:
            return [marshal.loads(file.read()[16:])]
    except (OSError, ValueError, EOFError, TypeError):
        return []


def _tree_identifiers(tree: ast.AST) -> frozenset[str]:
    """The names a parser met in the source: a script's parser makes each one immortal."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            continue
        for _field, value in ast.iter_fields(node):
            if isinstance(value, str):
                names.add(value)
            elif isinstance(value, list):
                names.update(item for item in value if isinstance(item, str))
    return frozenset(names)


def _in_source_order(tree: ast.AST):
    yield tree
    for child in ast.iter_child_nodes(tree):
        yield from _in_source_order(child)


def mortalise_constants(tree: ast.AST) -> None:
    """Before `tree` is compiled: make the snippet's string constants that only the grader's
    interpreter holds immortal mortal again, and remember which copy of each in the tree a
    script's compiler would have interned (see script_count)."""
    global _identifiers, _COUNT
    _tree_refs.clear()
    if not _leaked:
        return
    _identifiers = _tree_identifiers(tree) & _leaked
    firsts: dict[str, str] = {}
    for node in _in_source_order(tree):
        if isinstance(node, ast.Constant) and type(node.value) is str:
            value = node.value
            if value in _leaked and value not in _identifiers:
                firsts.setdefault(value, value)
    if not firsts:
        return
    if _COUNT is None:
        import ctypes

        _COUNT = ctypes.c_ssize_t  # ob_refcnt is the first field of every object
    held = _references_in_tree(tree, {id(first) for first in firsts.values()})
    for first in firsts.values():
        interned = sys.intern(first)
        if interned is first:
            continue
        # Set afresh for every run, never trusted from before: a child inherits the count of
        # the process it was forked from, which moved with every reference taken since that
        # process made the string mortal (a CI run printed 5 where a script prints 3).
        _COUNT.from_address(id(interned)).value = BASE + 1  # 1: `interned`, dropped below
        _mortalised.add(id(interned))
        _tree_refs[id(interned)] = held.get(id(first), 0)
        del interned


def _references_in_tree(tree: ast.AST, targets: set[int]) -> dict[int, int]:
    """How many of the tree's nodes, and of the containers in it or in its `script_arena_refs`
    (folded tuples and frozensets), hold each string whose id is in `targets`: one walk for all
    of them (a snippet of thousands of constants stays linear)."""
    held: dict[int, int] = {}
    seen: set[int] = set()  # every holder walked lives in the tree or its arena
    pending: list = [*ast.walk(tree), *getattr(tree, "script_arena_refs", ())]
    while pending:
        holder = pending.pop()
        if id(holder) in seen:
            continue
        seen.add(id(holder))
        if isinstance(holder, ast.AST):
            items = [value for _field, value in ast.iter_fields(holder)]
        elif isinstance(holder, tuple | frozenset | list):
            items = list(holder)
        else:
            items = [holder]  # an arena reference to the string itself
        for item in items:
            if id(item) in targets:
                held[id(item)] = held.get(id(item), 0) + 1
        pending.extend(item for item in items if isinstance(item, tuple | frozenset))
    return held


def script_count(obj: object, count: int) -> int | None:
    """The count a script would show for a string `mortalise_constants` handled (`count` as
    CPython gives it here), None for any other object.

    A script's compiler interns the first copy of a constant in place: the references its parse
    tree holds (the constant's node, what folding made of it) are to the interned string. Here
    the compiler found the grader's string interned already, and the tree holds its own copy:
    the script's count is this string's (less BASE) and the tree's references to that copy."""
    if id(obj) not in _mortalised:
        return None
    return count - BASE + _tree_refs.get(id(obj), 0)


def leaked_here(obj: object) -> bool:
    """An immortal string here that a script of this run would count as mortal."""
    return type(obj) is str and obj in _leaked and obj not in _identifiers
