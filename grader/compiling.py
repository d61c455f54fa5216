"""A script's own compiler, run on the snippet's source where a script's runs (issue 11).

`python -I snippet.py` parses the file and compiles it just before the module's first line, and
keeps the code object (and the parser's arena) until that code has run. What the compiler
allocates and frees decides the collector's count at the first line and what the free lists
hold (tuples, lists and dicts are reused from them without counting), hence where the automatic
collections fall. The code that runs in the grader is the policy's (grader/policy.py: its tree,
with the rewrites the checks need), which compiles to other objects (more names, other tuple
sizes): its count was 0 to 2 allocations off a script's. So the executor compiles the policy's
tree before the collector's start is set, and in the window where a script's compiler runs it
runs CPython's compiler on the snippet's own source: the same parser, folder and code generator
on the same text, hence the same allocations and frees (a `str` and a file are read alike but
for what `exact_compilation` lists, where a script's compiler runs Python code). That code
object is held, never run, until the snippet's code ends, as a script's is.

On CPython 3.13 and later some interned strings are mortal: the script's code object holds
references to the snippet's string constants, which the policy's code holds already (a script
has one code object, not two). `ScriptCode` takes those references off the counts while it holds
the code (the policy's code keeps each such string alive meanwhile) and gives them back before
letting it go. On 3.12 every interned string is immortal and nothing is adjusted.
"""

import io
import re
import sys
import tokenize
import warnings
from types import CodeType

from grader.hooks import Allocation
from grader.policy import SNIPPET_FILENAME

_IMMORTAL_FLOOR = 1 << 30
_TUPLE_FREE_LIST_SIZES = 20  # PyTuple_MAXSAVESIZE: tuples of 1 to 19 items are reused
_is_interned = getattr(sys, "_is_interned", None)  # 3.13 and later: mortal interned strings


class ScriptCode:
    """The code a script's compiler makes of the snippet's source, held while the snippet runs.

    Made (it allocates) before the collector's window; `compile` and `release` allocate nothing
    the collector counts but the compiler's own objects and the arena's containers it takes
    back (the rest are ints, in lists made here)."""

    __slots__ = ("_cells", "_moved", "_held", "_arena", "_compiled", "_retaken", "_uncounted")

    def __init__(self, policy_code: CodeType, folded: list):
        # Count cells of the mortal interned strings the policy's code holds (ids only: a
        # reference here would be one more in the snippet's counts).
        self._cells = [_count_cell(string) for string in _mortal_interned(policy_code)]
        self._moved = [0] * len(self._cells)
        self._held: list = []
        self._arena: list = []
        self._compiled = False
        # What compile() frees with its arena that a script's arena keeps until the code has
        # run: the folded containers its code does not hold (an operand folded further, a
        # duplicate the compiler merged away). The policy's code is compiled from the same
        # folded tree, so it holds exactly the ones a script's code holds (`folded`: the tree's
        # own objects, told apart by identity). A tuple of 1 to 19 items goes to its free list,
        # taken back after compiling (a template per tuple); another container is freed, one
        # allocation fewer, made again as a counted allocation.
        kept = _held_by(policy_code)
        dropped = [value for value in folded if id(value) not in kept]
        self._retaken = [
            list(range(len(value)))
            for value in dropped
            if type(value) is tuple and len(value) < _TUPLE_FREE_LIST_SIZES
        ]
        self._uncounted = len(dropped) - len(self._retaken)

    def compile(self, source: str) -> None:
        cells, moved = self._cells, self._moved
        index, size = 0, len(cells)
        while index < size:
            moved[index] = cells[index].value
            index += 1
        self._held.append(compile(source, SNIPPET_FILENAME, "exec", dont_inherit=True))
        self._compiled = True
        arena = self._arena
        for template in self._retaken:
            arena.append(tuple(template))  # the one compile() just put on its free list
        index = 0
        while index < self._uncounted:
            arena.append(Allocation())
            index += 1
        index = 0
        while index < size:
            moved[index] = cells[index].value - moved[index]
            cells[index].value -= moved[index]
            index += 1

    def release(self) -> None:
        """Let the code go, as a script's run_mod does once the module's code has run."""
        if self._compiled:
            cells, moved = self._cells, self._moved
            index, size = 0, len(cells)
            while index < size:
                cells[index].value += moved[index]
                index += 1
            self._compiled = False
        self._held.clear()
        self._arena.clear()


def _held_by(code: CodeType) -> set[int]:
    """The ids of every tuple and frozenset among `code`'s constants (nested ones included)."""
    found: set[int] = set()
    pending: list = [code]
    while pending:
        item = pending.pop()
        if isinstance(item, CodeType):
            pending.extend(item.co_consts)
        elif isinstance(item, tuple | frozenset) and id(item) not in found:
            found.add(id(item))
            pending.extend(item)
    return found


def _mortal_interned(code: CodeType) -> list[str]:
    """The mortal interned strings `code` holds (names and constants, nested code included)."""
    if _is_interned is None:
        return []
    found: dict[int, str] = {}
    pending: list = [code]
    while pending:
        item = pending.pop()
        if isinstance(item, CodeType):
            pending.extend(item.co_consts)
            pending.extend((*item.co_names, *item.co_varnames, *item.co_freevars))
            pending.extend((*item.co_cellvars, item.co_name, item.co_qualname))
        elif isinstance(item, tuple | frozenset):
            pending.extend(item)
        elif type(item) is str and _is_interned(item) and sys.getrefcount(item) < _IMMORTAL_FLOOR:
            found[id(item)] = item
    return list(found.values())


def _count_cell(string: str):
    import ctypes  # only where mortal interned strings exist (3.13 and later)

    return ctypes.c_ssize_t.from_address(id(string))  # ob_refcnt: an object's first field


# PEP 263's cookie, in the first two lines: a script's file reader then decodes through the io
# module (Python code, allocations) unless it names UTF-8.
_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)


def exact_compilation(source: str) -> bool:
    """Whether compiling `source` in the grader allocates and frees what a script's compiler
    does, to the allocation. Not when the script's compiler runs Python code or imports: a
    coding cookie other than UTF-8 (the file reader decodes through `io`), a non-ASCII name
    (the parser normalises it with `unicodedata`, which a script imports then and the grader has
    loaded already), a warning (the `warnings` module formats it, reading the script's file, and
    runs any collection the compiler made due), a byte-order mark (the file reader skips it).
    Checked here, without running anything."""
    if source.startswith("\ufeff"):
        return False
    for line in source.splitlines()[:2]:
        found = _COOKIE.match(line)
        if found:
            name = found.group(1).lower().replace("_", "-")  # tokenizer.c's get_normal_name
            if name != "utf-8" and not name.startswith("utf-8-"):
                return False
            break
    try:
        names = [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.NAME
        ]
    except (tokenize.TokenError, SyntaxError):
        return False
    if not all(name.isascii() for name in names):
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            compile(source, SNIPPET_FILENAME, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, Warning, RecursionError, MemoryError):
            return False
    return True


# The sandbox's functions written in Python (grader/hooks.py, grader/refcounts.py, the stand-ins'
# checked members), by the names a snippet's code reaches them by (`co_names`: globals,
# attributes, imported names; the policy's rewrites call `_getattr_` and `_own_`). A call
# allocates what a script's call to the C builtin does not (its arguments' tuple, a keywords
# dict: `type(78)` moved a count by one), so where the automatic collections fall after one is
# not a script's to the allocation.
SANDBOX_FUNCTIONS = frozenset(
    "_getattr_ _own_ type getattr hasattr setattr delattr vars exit quit getrefcount "
    "get_referents".split()
)


def calls_sandbox_functions(code: CodeType) -> bool:
    """Whether the policy's `code` (nested code included) names one of SANDBOX_FUNCTIONS."""
    pending: list = [code]
    while pending:
        item = pending.pop()
        if not SANDBOX_FUNCTIONS.isdisjoint(item.co_names):
            return True
        pending.extend(const for const in item.co_consts if isinstance(const, CodeType))
    return False
