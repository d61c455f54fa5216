"""What every transformation shares: injecting calls to the run-time helpers, and placing
statements at the start of a function body.

Helpers are reached through names starting with `_mc_`, put into the run's builtins
(grader/misconceptions/runtime.py). A snippet can never name them: the policy refuses every
name starting with `_` in the snippet as written, which is checked before any transformation,
and the transformed tree is checked again with only the injected names let through.
"""

import ast
from collections.abc import Sequence

# Every name a transformation may inject, and nothing else (the policy's second pass allows
# exactly these, and only as loads).
HELPER_NAMES = frozenset(
    {
        "_mc_deepcopy_",
        "_mc_chain_",
        "_mc_is_",
        "_mc_default_",
        "_mc_copy_function_",
        "_mc_copy_method_",
        "_mc_repeat_",
        "_mc_refcount_",
        "_mc_del_hold_",
        "_mc_del_rest_",
        "_mc_collect_",
        "_mc_in_place_",
    }
)


class Transformation(ast.NodeTransformer):
    """A NodeTransformer that records whether it changed anything and which helpers it used.

    `triggers` are the node types it can change, and `may_apply(node)` a cheap necessary
    condition on such a node: a snippet with no such node is left alone without a full pass.
    When `exact`, the condition is also sufficient: the transformation changes such a node.
    """

    triggers: tuple[type[ast.AST], ...] = ()
    exact = False

    @staticmethod
    def may_apply(node: ast.AST) -> bool:
        return True

    def __init__(self) -> None:
        self.helpers: set[str] = set()

    @property
    def changed(self) -> bool:
        return bool(self.helpers) or self.rewrote

    rewrote = False  # set by transformations that change the tree without any helper

    def helper(self, name: str, at: ast.AST) -> ast.Name:
        assert name in HELPER_NAMES, name
        self.helpers.add(name)
        return ast.copy_location(ast.Name(name, ast.Load()), at)

    def call(self, name: str, args: list, at: ast.AST) -> ast.Call:
        return ast.copy_location(ast.Call(self.helper(name, at), args, []), at)


def load_copy(node: ast.expr) -> ast.expr:
    """A copy of a target expression (name, attribute, subscript) that reads it instead."""
    copied = copy_node(node)
    copied.ctx = ast.Load()
    return copied


def copy_node(node):
    """A deep copy of an AST node (ast nodes copy with copy.deepcopy; this avoids the import
    in the grader's children, which must not allocate beyond what a script does)."""
    fields = {}
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            value = copy_node(value)
        elif isinstance(value, list):
            value = [copy_node(item) if isinstance(item, ast.AST) else item for item in value]
        fields[name] = value
    copied = type(node)(**fields)
    return ast.copy_location(copied, node)


def parameters(arguments: ast.arguments) -> list[ast.arg]:
    """Every parameter, in the order they are written."""
    found = list(arguments.posonlyargs) + list(arguments.args)
    if arguments.vararg is not None:
        found.append(arguments.vararg)
    found += arguments.kwonlyargs
    if arguments.kwarg is not None:
        found.append(arguments.kwarg)
    return found


def prepend_to_body(function: ast.FunctionDef, statements: Sequence[ast.stmt]) -> None:
    """Put statements first in a function's body, after its docstring (which stays one)."""
    body = function.body
    first = body[0] if body else None
    docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    at = 1 if docstring else 0
    function.body = [*body[:at], *statements, *body[at:]]


def lambda_prelude(function: ast.Lambda, rebinds: Sequence[tuple[str, ast.expr]]) -> None:
    """Rebind a lambda's parameters before its body: `(p := value, ..., body)[-1]`."""
    at = function.body
    steps = [
        ast.copy_location(ast.NamedExpr(ast.Name(name, ast.Store()), value), at)
        for name, value in rebinds
    ]
    sequence = ast.copy_location(ast.Tuple(steps + [function.body], ast.Load()), at)
    last = ast.copy_location(ast.UnaryOp(ast.USub(), ast.copy_location(ast.Constant(1), at)), at)
    function.body = ast.copy_location(ast.Subscript(sequence, last, ast.Load()), at)


def assign(name: str, value: ast.expr, at: ast.AST) -> ast.Assign:
    return ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], value), at)
