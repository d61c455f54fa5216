"""The parse tree a script's compiler holds while the script runs, with its constants.

`python -I script.py` parses the file into a C syntax tree, folds constant expressions in it
(Python/ast_opt.c: `-1000`, `(1, 2, 3)`, `'hello ' + 'world'`, `2 ** 10`, ...), compiles it and
keeps the tree (its arena) alive until the script ends. The arena holds one reference to every
constant the parser or the folder made, so `sys.getrefcount((1, 2, 3))` is 3 in a script.
`compile()` of a Python `ast.Module` folds too, but in a temporary arena, freed before the code
runs: the folded constants lose that reference. So the executor compiles a tree that is already
folded, and keeps it alive: `parse_as_script` folds as ast_opt.c does (ported below; 3.12 and
3.13 fold alike: the hunt, grader/hunt.py, checks both against `python -I`).

The arena also keeps what folding replaced (operands, intermediate results: `(1000, 2000)[0]`
keeps the tuple, which holds 1000), and the parser adds some string and bytes objects to it
twice: a bytes literal (the concatenation of its parts starts from b'' and keeps the part when
it is the only non-empty one), and a concatenation of string literals of which only one is
non-empty. `tree.script_arena_refs` lists those objects, for the executor to hold with the tree.
"""

import ast
import io
import operator
import sys
import tokenize
import warnings
from collections.abc import Callable
from typing import Any

# Python/ast_opt.c's limits on what it folds.
MAX_INT_SIZE = 128  # bits
MAX_COLLECTION_SIZE = 256  # items
MAX_STR_SIZE = 4096  # characters
MAX_TOTAL_ITEMS = 1024  # including nested collections


def parse_as_script(source: str, filename: str) -> ast.Module:
    """The tree as a script's compiler holds it after constant folding (raises SyntaxError),
    with `script_arena_refs`: the other objects the script's arena keeps alive."""
    tree = ast.parse(source, filename, "exec")
    folder = _Folder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the compiler warns (e.g. ~True) when it folds
        folder.fold_module(tree)
    tree.folded_ids = folder.made  # type: ignore[attr-defined]  # not an ast field
    lines = source.splitlines(keepends=True)
    doubled = [
        node.value
        for node in folder.literals
        if id(node) not in folder.consumed and _only_nonempty_part(node, lines)
    ]
    tree.script_arena_refs = folder.dropped + doubled  # type: ignore[attr-defined]  # ditto
    return tree


def folded_containers(tree: ast.Module) -> list:
    """The tuples and frozensets a script's constant folder makes of this tree, each once (the
    objects the tree and its `script_arena_refs` hold): a script's arena keeps them all until
    its code has run, even those its code does not hold (grader/compiling.py)."""
    made: set[int] = getattr(tree, "folded_ids", set())
    values = [node.value for node in ast.walk(tree) if type(node) is ast.Constant]
    values += getattr(tree, "script_arena_refs", ())
    return list({id(value): value for value in values if id(value) in made}.values())


def _only_nonempty_part(node: ast.Constant, lines: list) -> bool:
    """Whether the literal is the parser's object for its only non-empty part: always for bytes
    (one literal or more), for str only when more than one literal was concatenated."""
    segment = _segment(node, lines)
    if segment is None:
        return False
    if segment.count("'") + segment.count('"') == 2:
        parts = [segment]  # one literal, no other quote in it: no need to tokenize
    else:
        try:
            tokens = tokenize.generate_tokens(io.StringIO(f"({segment})").readline)
            parts = [token.string for token in tokens if token.type == tokenize.STRING]
        except (tokenize.TokenError, SyntaxError):
            return False
    if len(parts) < 2:  # a lone literal: bytes are added twice, str once
        return type(node.value) is bytes
    try:
        nonempty = [part for part in parts if ast.literal_eval(part)]
    except (ValueError, SyntaxError):
        return False
    return len(nonempty) == 1


def _segment(node: ast.expr, lines: list) -> str | None:
    end_lineno = getattr(node, "end_lineno", None)
    if end_lineno is None or node.lineno < 1:
        return None
    first, last = node.lineno - 1, end_lineno - 1
    if last >= len(lines):
        return None
    if first == last:
        data = lines[first].encode()[node.col_offset : node.end_col_offset]
        return data.decode(errors="replace")
    pieces = [lines[first].encode()[node.col_offset :]]
    pieces += [line.encode() for line in lines[first + 1 : last]]
    pieces.append(lines[last].encode()[: node.end_col_offset])
    return b"".join(pieces).decode(errors="replace")


# --- Python/ast_opt.c (3.12), for the constants it makes ------------------------------------


class _NotFolded(Exception):
    pass


def _check_complexity(obj, limit: int) -> int:
    if isinstance(obj, tuple):
        limit -= len(obj)
        for item in obj:
            if limit < 0:
                break
            limit = _check_complexity(item, limit)
        return limit
    if isinstance(obj, frozenset):
        limit -= len(obj)
        for item in obj:
            if limit < 0:
                break
            limit = _check_complexity(item, limit)
    return limit


def _safe_multiply(v, w):
    if isinstance(v, int) and isinstance(w, int) and v and w:
        if abs(v).bit_length() + abs(w).bit_length() > MAX_INT_SIZE:
            raise _NotFolded
    elif isinstance(v, int) and isinstance(w, (tuple, frozenset)):
        if w:
            n = _as_long(v)
            if n < 0 or n > MAX_COLLECTION_SIZE // len(w):
                raise _NotFolded
            if n and _check_complexity(w, MAX_TOTAL_ITEMS // n) < 0:
                raise _NotFolded
    elif isinstance(v, int) and isinstance(w, (str, bytes)):
        if w:
            n = _as_long(v)
            if n < 0 or n > MAX_STR_SIZE // len(w):
                raise _NotFolded
    elif isinstance(w, int) and isinstance(v, (tuple, frozenset, str, bytes)):
        return _safe_multiply(w, v)
    return v * w


def _as_long(value: int) -> int:
    if not -(1 << 63) <= value < (1 << 63):  # PyLong_AsLong overflows: not folded
        raise _NotFolded
    return value


def _as_size_t(value: int) -> int:
    if not 0 <= value < (1 << 64):
        raise _NotFolded
    return value


def _safe_power(v, w):
    if isinstance(v, int) and isinstance(w, int) and v and w > 0:
        vbits, wbits = abs(v).bit_length(), _as_size_t(w)
        if vbits > MAX_INT_SIZE // wbits:
            raise _NotFolded
    return pow(v, w)


def _safe_lshift(v, w):
    if isinstance(v, int) and isinstance(w, int) and v and w:
        vbits, wbits = abs(v).bit_length(), _as_size_t(w)
        if wbits > MAX_INT_SIZE or vbits > MAX_INT_SIZE - wbits:
            raise _NotFolded
    return v << w


def _safe_mod(v, w):
    if isinstance(v, (str, bytes)):
        raise _NotFolded
    return v % w


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: _safe_multiply,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: _safe_mod,
    ast.Pow: _safe_power,
    ast.LShift: _safe_lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
    ast.BitAnd: operator.and_,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.Invert: operator.invert,
    ast.Not: operator.not_,
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


def _all_constant(elements) -> bool:
    return all(type(element) is ast.Constant for element in elements)


class _Folder:
    """astfold_*: children first, then the node itself; only what makes a new constant.

    Also collects what the script's arena holds beyond the folded tree: `dropped`, the
    constants folding replaced, and `literals`, the str and bytes constants outside f-strings
    (some of which the parser adds twice)."""

    future_annotations = False  # `from __future__ import annotations`: annotations not folded

    def __init__(self):
        self.made: set = set()  # ids of the containers folding allocated (the tree holds them)
        self.dropped: list = []
        self.literals: list = []
        self.consumed: set = set()

    def fold_module(self, tree: ast.Module) -> None:
        self.future_annotations = any(
            isinstance(s, ast.ImportFrom)
            and s.module == "__future__"
            and any(alias.name == "annotations" for alias in s.names)
            for s in tree.body
        )
        self._body(tree.body)

    def _body(self, body: list) -> None:
        had_docstring = _docstring(body)
        self._list(body)
        if not had_docstring and _docstring(body):  # a folded string must not become one
            first = body[0]
            first.value = ast.copy_location(ast.JoinedStr([first.value]), first)

    def _list(self, items: list) -> None:
        for index, item in enumerate(items):
            if isinstance(item, ast.AST):
                new = self._node(item)
                if new is not item:
                    items[index] = new

    # The visitors dispatch on `type(node)` held in a variable, which mypy cannot narrow on:
    # their node is Any.
    def _node(self, node: Any) -> ast.AST:
        kind = type(node)
        if kind is ast.Constant:
            if type(node.value) in (str, bytes) and node.value:
                self.literals.append(node)
            return node
        if kind is ast.Name:
            if node.id == "__debug__" and type(node.ctx) is ast.Load:
                return self._constant(node, not sys.flags.optimize, ())
            return node
        if kind is ast.JoinedStr:  # its parts are never the snippet's values
            for value in node.values:
                if type(value) is ast.FormattedValue:
                    self._fields(value)
            return node
        skipped = _ANNOTATIONS.get(kind, ()) if self.future_annotations else ()
        self._fields(node, skipped)
        if kind is ast.For or kind is ast.comprehension:
            node.iter = self._iter(node.iter)
        elif isinstance(node, ast.expr):
            try:
                return self._fold(node)
            except Exception:  # noqa: BLE001 - make_const: an error means "not folded"
                return node
        return node

    def _fields(self, node: ast.AST, skipped=()) -> None:
        for name in node._fields:
            if name in skipped:
                continue
            value = getattr(node, name, None)
            if type(value) is list:
                if name == "body" and type(node) in _WITH_DOCSTRING:
                    self._body(value)
                else:
                    self._list(value)
            elif isinstance(value, ast.AST):
                new = self._node(value)
                if new is not value:
                    setattr(node, name, new)

    def _fold(self, node: Any) -> ast.expr:
        kind = type(node)
        if kind is ast.UnaryOp:
            operand = node.operand
            if type(operand) is ast.Constant:
                value = _UNARY[type(node.op)](operand.value)
                return self._constant(node, value, (operand,))
        elif kind is ast.BinOp:
            left, right = node.left, node.right
            operation = _BINARY.get(type(node.op))
            if type(left) is ast.Constant and type(right) is ast.Constant and operation:
                value = operation(left.value, right.value)
                if value is not left.value and value is not right.value:
                    self._made(value)
                return self._constant(node, value, (left, right))
        elif kind is ast.Tuple:
            if type(node.ctx) is ast.Load and _all_constant(node.elts):
                value = tuple(e.value for e in node.elts)
                return self._constant(node, self._made(value), node.elts)
        elif kind is ast.Subscript:
            value, index = node.value, node.slice
            if type(node.ctx) is ast.Load and type(value) is ast.Constant:
                if type(index) is ast.Constant:  # a bad subscript raises: not folded (_node)
                    folded = value.value[index.value]  # type: ignore[index]
                    return self._constant(node, folded, (value, index))
        elif kind is ast.Compare and type(node.ops[-1]) in (ast.In, ast.NotIn):
            node.comparators[-1] = self._iter(node.comparators[-1])
        return node

    def _iter(self, node: Any) -> ast.expr:
        """fold_iter: a literal list or set of constants becomes a tuple or frozenset."""
        kind = type(node)
        if kind is ast.List and _all_constant(node.elts):
            value = tuple(e.value for e in node.elts)
            return self._constant(node, self._made(value), node.elts)
        if kind is ast.Set and _all_constant(node.elts):
            try:
                frozen = frozenset(tuple(e.value for e in node.elts))
            except TypeError:  # unhashable: not folded
                return node
            return self._constant(node, self._made(frozen), node.elts)
        return node

    def _constant(self, node: ast.expr, value, operands) -> ast.Constant:
        """make_const: the node becomes a constant; the operands it replaces stay in the arena,
        and so do their values."""
        for operand in operands:
            self.dropped.append(operand.value)
            self.consumed.add(id(operand))  # a literal folded away: its value is dropped
        return ast.copy_location(ast.Constant(value), node)

    def _made(self, value):
        """Record a container that folding allocated (an empty tuple is a singleton)."""
        if type(value) in (tuple, frozenset) and (value or type(value) is frozenset):
            self.made.add(id(value))
        return value


_WITH_DOCSTRING = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_ANNOTATIONS = {
    ast.arg: ("annotation",),
    ast.FunctionDef: ("returns",),
    ast.AsyncFunctionDef: ("returns",),
    ast.AnnAssign: ("annotation",),
}


def _docstring(body: list) -> bool:
    if not body or not isinstance(body[0], ast.Expr):
        return False
    value = body[0].value
    return isinstance(value, ast.Constant) and isinstance(value.value, str)
