"""Interned strings whose counts differ between the grader's interpreter and a script's.

From CPython 3.13, only some interned strings are immortal: those the start-up's own modules
hold, the identifiers a parser meets, and every string a `.pyc` file marks interned (marshal
interns them immortal). A constant a script's compiler interns (`'hello'`) stays mortal, so
`sys.getrefcount('hello')` counts its references (3 in a script). The grader server has loaded
many more modules than a script's start-up (its own, the policy's, RestrictedPython's): their
strings are interned here, immortal (`hello` is a variable of grader/server.py:
`sys.getrefcount('hello')` gave 4294967295) or mortal and held by the grader's own objects
(`'Error'` gave 4 for 3). And a script's start-up holds strings of its own (`'getpid'`, a key
of `os` and `posix`: 6 in a script), which its imports may make immortal (`import copy` loads
`copy.pyc`: `'deepcopy'` is immortal after it, 3 before). On 3.12 every interned string is
immortal, in a script as here: nothing differs.

`find_leaked` lists, once in the server, every name-like string interned here (immortal or
not), and asks this interpreter's `python -I` what a script holds of each: its references at
start-up, or immortal, and after importing each stand-in. The strings whose state may differ
are kept (`_script_states`). Before a run's source is compiled, `mortalise_constants` handles
each such constant of the snippet: an immortal one is made mortal again in the forked child,
with a count offset by `BASE` (far from both 0 and the immortal range), and its count is then
taken as the script's: the snippet's references, what the script's parse tree holds (its
compiler interns the tree's own string), and the script's own holders, less the grader's.
A string that may differ and is not handled so (reached otherwise, or after an import that
changes it in a script) is refused by grader/refcounts.py, never counted wrong.
"""

import ast
import gc
import marshal
import os
import sys
from collections.abc import Callable
from types import CodeType, ModuleType

BASE = 1 << 29  # a mortal count (below 2**31 and the refcounts module's 2**30 immortal floor)
_IMMORTAL_FLOOR = 1 << 30
_COUNT = None  # ctypes.c_ssize_t, imported only where a leak exists (3.13 and later)
# Modules a snippet may import whose real import changes what a script holds (sys is imported
# at every start-up).
STAND_IN_IMPORTS = ("copy", "gc", "weakref")
# A `python -I` of this interpreter prints, for each listed string, the references its start-up
# holds (after `imports`): -1 for immortal, 0 if nothing holds it. Its own identifiers are one
# letter, `sys` and builtins' names, immortal in every script anyway; the list is one constant
# with spaces, which no compiler interns. `b`, the loop's stack and getrefcount's argument make
# 3 references of the probe's own (checked against scripts by tests/grader/test_interned.py).
_PROBE = (
    "import sys\n"
    "{imports}"
    "for a in {listed!r}.split():\n"
    "    b = sys.intern(a)\n"
    "    c = sys.getrefcount(b)\n"
    "    print(a, -1 if c >= 1 << 30 else 0 if b is a else c - 3)\n"
)


class ScriptState:
    """What a script of this interpreter holds of one string (no dataclass: the grader's server
    imports no module a script's start-up does not, tests/grader/test_isolation.py)."""

    __slots__ = ("holders", "changed_by")

    def __init__(self, holders: int | None, changed_by: frozenset[str]):
        self.holders = holders  # references its start-up holds; None: immortal
        self.changed_by = changed_by  # stand-in imports after which that is no longer so


_script_states: dict[str, ScriptState] = {}
_counted_otherwise: set[str] = set()  # found so by calibrate: always refused
_mortalised: set[int] = set()  # ids of strings made mortal in this process (never freed)
_identifiers: frozenset[str] = frozenset()  # the current run's: immortal in its script too
# The current run's: id of a string it handled -> (what its count is offset by here, what to
# add to make it a script's: the references the script's parse tree would hold to it (its
# nodes and grader.folding's `script_arena_refs`) and the script's holders less the grader's).
_handled: dict[int, tuple[int, int]] = {}
_handled_words: list[str] = []
_counts_before_set_up: dict[int, int] = {}
_set_up_references: dict[int, int] = {}


def interning_may_leak() -> bool:
    """Whether this interpreter keeps some interned strings mortal (CPython 3.13 and later)."""
    probe = sys.intern("".join(["grader_interned_probe_", str(os.getpid())]))
    return sys.getrefcount(probe) < _IMMORTAL_FLOOR


def find_leaked(script_output: Callable[[str], str]) -> dict[str, ScriptState]:
    """The interned strings of this process whose count a script of this interpreter may see
    otherwise (`script_output(source)`: what such a script prints); remembered for the runs this
    process (or a child forked from it) serves."""
    global _script_states
    _script_states = {}
    _counted_otherwise.clear()
    if not interning_may_leak():
        return _script_states
    immortal, mortal, looked_up = _interned_name_strings()
    listed = " ".join(sorted(immortal | mortal))
    states = {
        module: _probe_states(script_output, listed, module) for module in ("", *STAND_IN_IMPORTS)
    }
    for word, start in states[""].items():
        changed_by = frozenset(
            module for module in STAND_IN_IMPORTS if states[module].get(word) != start
        )
        if start == -1 and not changed_by and word in immortal:
            continue  # immortal here and in every script
        holders = None if start == -1 else start
        _script_states[word] = ScriptState(holders, changed_by)
        if word in looked_up:
            _counted_otherwise.add(word)
    return _script_states


def _probe_states(script_output: Callable[[str], str], listed: str, module: str) -> dict:
    imports = f"import {module}\n" if module else ""
    printed = script_output(_PROBE.format(imports=imports, listed=listed)).split("\n")
    return {word: int(state) for word, state in (line.split() for line in printed if line)}


def calibration_snippets(per_snippet: int = 1000) -> list[tuple[list[str], str]]:
    """Snippets that print the count of each string whose count may differ, each written as
    a constant, `per_snippet` strings to a snippet: run here and under `python -I`, a string
    they print differently for is refused (see calibrate). Some are touched by the grader's
    own code while a run is set up or runs (its names, in a way not found by reasoning)."""
    words = sorted(_script_states.keys() - _counted_otherwise)  # a refused one stops a run
    snippets = []
    for start in range(0, len(words), per_snippet):
        chunk = words[start : start + per_snippet]
        lines = "".join(f"c.append(sys.getrefcount({word!r}))\n" for word in chunk)
        snippets.append((chunk, f"import sys\nc = []\n{lines}print(c)\n"))
    return snippets


def calibrate(printed: list[tuple[list[str], str | None, str]]) -> list[str]:
    """Refuse the counts of the strings a calibration snippet printed differently here than
    in a script ((words, printed here or None if it did not run, printed by the script), for
    each snippet run); those refused, sorted."""
    for words, here, by_script in printed:
        script_counts = by_script.strip("[]\n").split(", ")
        counts = (here or "").strip("[]\n").split(", ")
        if len(counts) != len(script_counts):
            _counted_otherwise.update(words)
            continue
        _counted_otherwise.update(
            w for w, a, b in zip(words, counts, script_counts, strict=True) if a != b
        )
    return sorted(_counted_otherwise)


def _is_name(value: str) -> bool:
    """Strings a compiler interns: ASCII letters, digits and underscores (and identifiers)."""
    return bool(value) and value.isascii() and value.replace("_", "a").isalnum()


def _interned_name_strings() -> tuple[set[str], set[str], set[str]]:
    """Every name-like interned string this process holds, (immortal, mortal, looked up): in
    its heap (namespaces, functions' code), and in the code of the modules it loaded from
    `.pyc` files, whose module-level constants are interned (hence immortal) though nothing
    may hold them after the import. Copies (`str(bytes)`), not the strings: the probe's own
    references would otherwise be counted as the grader's.

    Looked up: the names code looks up (`co_names`: globals, attributes) and the keys of
    namespaces. The grader's own code runs around a snippet's and takes or drops references
    to them while it runs, in ways that vary from run to run (measured: `monotonic`,
    `setitimer`, `register_at_fork` off by one): their counts are refused, never guessed. A
    local variable's name or a constant is not touched so (`hello`, a local of the server)."""
    immortal: set[str] = set()
    mortal: set[str] = set()
    looked_up: set[str] = set()
    is_interned = getattr(sys, "_is_interned", lambda _string: False)  # 3.13
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
                immortal.add(obj.encode().decode())
            elif _is_name(obj) and is_interned(obj):
                mortal.add(obj.encode().decode())
            continue
        if isinstance(obj, CodeType):
            pending.extend((obj.co_consts, obj.co_names, obj.co_varnames, obj.co_freevars))
            pending.extend((obj.co_cellvars, obj.co_name, obj.co_qualname))
            looked_up.update(obj.co_names)
            continue
        if isinstance(obj, (int, float, bytes, complex)):
            continue
        pending.extend(gc.get_referents(obj))
        if isinstance(obj, type):
            keys = type.__dict__["__dict__"].__get__(obj).keys()
            pending.extend(keys)
            looked_up.update(key for key in keys if type(key) is str)
        elif isinstance(obj, ModuleType):
            looked_up.update(key for key in vars(obj) if type(key) is str)
    return immortal, mortal, {name.encode().decode() for name in looked_up}


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
    """Before `tree` is compiled: for each of the snippet's string constants whose count may
    differ from a script's, take its count here as a script's (see script_count): an immortal
    one is made mortal again, and the references a script's tree and start-up would hold and
    the grader's own hold here are remembered."""
    global _identifiers, _COUNT
    _handled.clear()
    _handled_words.clear()
    _counts_before_set_up.clear()
    _set_up_references.clear()
    if not _script_states:
        return
    _identifiers = _tree_identifiers(tree) & _script_states.keys()
    firsts: dict[str, str] = {}
    for node in _in_source_order(tree):
        if isinstance(node, ast.Constant) and type(node.value) is str:
            value = node.value
            state = _script_states.get(value)
            if state is not None and state.holders is not None and value not in _identifiers:
                firsts.setdefault(value, value)
    if not firsts:
        return
    if _COUNT is None:
        import ctypes

        _COUNT = ctypes.c_ssize_t  # ob_refcnt is the first field of every object
    in_tree = _references_in_tree(tree, {id(first) for first in firsts.values()})
    plan: list = []  # (the interned string, what to add to its count, its count cell or None)
    for value, first in firsts.items():
        interned = sys.intern(first)
        holders = _script_states[value].holders or 0
        if interned is first:  # nothing here holds it: interned in place, as a script's
            _handled[id(interned)] = (0, holders)  # the tree's references are its own
            continue
        _handled_words.append(value.encode().decode())  # a copy: no reference to `first`
        script_more = holders + in_tree.get(id(first), 0)
        if id(interned) in _mortalised or sys.getrefcount(interned) >= _IMMORTAL_FLOOR:
            plan.append((interned, script_more, _COUNT.from_address(id(interned))))
        else:  # mortal, held by the grader's own objects, whose references a script lacks
            plan.append((interned, script_more, None))
        del interned
    _set_counts(plan)


def _set_counts(plan: list) -> None:
    """The type attribute cache holds a reference to each attribute name looked up (the
    grader's code's too), taken uncounted while the name was immortal and dropped, counted,
    once it is mortal: emptied first, with no lookup between that and the counts below (every
    callable bound before), so that none is dropped from a count it was never in (found on the
    gc branch: `sys.getrefcount('figures_used')` printed 4 or 2 for a script's 3). Set afresh
    for every run, never trusted from before: a child inherits the count of the process it was
    forked from, which moved with every reference taken since (a CI run printed 5 for 3)."""
    getrefcount, clear_type_cache = sys.getrefcount, sys._clear_type_cache
    set_count = _COUNT.value.__set__  # type: ignore[union-attr, misc]
    mortalised_add = _mortalised.add
    clear_type_cache()
    for interned, script_more, cell in plan:
        if cell is not None:
            set_count(cell, BASE + 2)  # 2: the plan's entry and `interned`
            mortalised_add(id(interned))
            _handled[id(interned)] = (BASE, script_more)
        else:
            grader_holders = getrefcount(interned) - 3  # the plan, `interned`, the argument
            _handled[id(interned)] = (0, script_more - grader_holders)
        # As count_set_up_references will count it: `interned` and the argument, no plan.
        _counts_before_set_up[id(interned)] = getrefcount(interned) - 1


def count_from_compiled() -> None:
    """Once the policy's code is compiled (after mortalise_constants): its references are the
    snippet's own, as a script's code's; count_set_up_references measures from here."""
    sys._clear_type_cache()  # as count_set_up_references does: the compile's lookups go first
    for word in _handled_words:
        interned = sys.intern(word)
        _counts_before_set_up[id(interned)] = sys.getrefcount(interned)  # `interned`, argument
        del interned


def count_set_up_references() -> None:
    """Once the run's set-up is done, just before its code is compiled: the references the
    grader's own set-up took (or dropped) since mortalise_constants (stand-in modules' names
    and namespaces, the importer's tables) to each handled string, which a script's lacks.
    Allocates nothing the collector counts (ints only), being just before the compiler."""
    sys._clear_type_cache()  # the set-up's lookups: their references go before the count
    for word in _handled_words:
        interned = sys.intern(word)
        moved = sys.getrefcount(interned) - _counts_before_set_up[id(interned)]
        _set_up_references[id(interned)] = moved
        del interned


def watch_imports(imported: list) -> None:
    """The current run's imported stand-ins (a list the importer appends to)."""
    global _imported
    _imported = imported


_imported: list = []


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
    the compiler may have found the grader's string interned already, and the tree holds its
    own copy: the script's count is this string's (less its offset), the tree's references to
    that copy, and what the script's start-up holds of it less what the grader's objects do."""
    handled = _handled.get(id(obj))
    if handled is None:
        return None
    offset, script_more = handled
    return count - offset + script_more - _set_up_references.get(id(obj), 0)


def handled(obj: object) -> bool:
    """A string this run's counts are taken as a script's for (see script_count)."""
    return id(obj) in _handled


def count_differs(obj: object) -> bool:
    """A string whose count here may not be a script's: interned here or in a script with
    other holders or immortality, and not a constant of this run handled as a script's (or
    handled, but a stand-in the run imported changes it in a script)."""
    if type(obj) is not str or obj in _identifiers:  # a parser's names: immortal in both
        return False
    state = _script_states.get(obj)
    if state is None:
        return False
    if obj in _counted_otherwise:
        return True
    if state.changed_by and state.changed_by & {module.__name__ for module in _imported}:
        return True
    if id(obj) in _handled:
        return False
    return (
        id(obj) in _mortalised
        or sys.getrefcount(obj) >= _IMMORTAL_FLOOR
        or getattr(sys, "_is_interned", lambda _string: False)(obj)
    )
