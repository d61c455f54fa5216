"""`closures-capture-values`: a lambda or a `def` created inside the body of a `for` loop or
inside a comprehension captures, at creation, the current value of every name it reads that is
a target of an enclosing `for` loop or comprehension, as if written `lambda i=i: ...`.

The captured names become parameters with defaults, after the existing positional ones (or
keyword-only, when the function has `*args`), in alphabetical order. A name the function binds
itself, or declares `global`/`nonlocal`, is its own and is not captured.
"""

import ast
from collections.abc import Sequence
from typing import Any

from grader.misconceptions.base import Transformation

_FUNCTIONS = (ast.FunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def target_names(target: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}


def _scope_children(node: Any):
    """The nodes evaluated in `node`'s own scope, and the nested scopes (functions, classes,
    comprehensions) found there. A nested function's defaults and decorators, a class's
    bases, and a comprehension's first iterable belong to the enclosing scope."""
    own: list[ast.AST] = []
    nested: list[ast.AST] = []
    pending: list[Any]
    if isinstance(node, ast.Lambda):
        pending = [node.body]
    elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        pending = list(node.body)
    else:  # a comprehension's own scope: its elements, conditions and later iterables
        pending = [node.elt] if not isinstance(node, ast.DictComp) else [node.key, node.value]
        for index, generator in enumerate(node.generators):
            pending += [generator.target, *generator.ifs]
            if index:
                pending.append(generator.iter)
    while pending:
        current = pending.pop()
        if isinstance(current, _FUNCTIONS + (ast.ClassDef,) + _COMPREHENSIONS):
            nested.append(current)
            pending += _evaluated_outside(current)
            if isinstance(current, (ast.FunctionDef, ast.ClassDef)):
                own.append(ast.Name(current.name, ast.Store()))
            continue
        own.append(current)
        pending += list(ast.iter_child_nodes(current))
    return own, nested


def _evaluated_outside(scope: Any) -> list[Any]:
    if isinstance(scope, _FUNCTIONS):
        arguments = scope.args
        found = list(arguments.defaults) + [d for d in arguments.kw_defaults if d is not None]
        return found + list(getattr(scope, "decorator_list", []))
    if isinstance(scope, ast.ClassDef):
        return list(scope.bases) + list(scope.keywords) + list(scope.decorator_list)
    return [scope.generators[0].iter]


def _parameters(function) -> set[str]:
    arguments = function.args
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return {parameter.arg for parameter in every}


def free_reads(scope: ast.AST) -> set[str]:
    """The names `scope` (or a scope nested in it) reads but does not bind itself."""
    own, nested = _scope_children(scope)
    bound = _parameters(scope) if isinstance(scope, _FUNCTIONS) else set()
    reads: set[str] = set()
    for node in own:
        if isinstance(node, ast.Name):
            (reads if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(alias.asname or alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    for inner in nested:
        reads |= free_reads(inner)
    return reads - bound


class ClosuresCaptureValues(Transformation):
    triggers = (ast.FunctionDef, ast.Lambda)

    def __init__(self) -> None:
        super().__init__()
        self.loop_targets: list[set[str]] = []  # the targets of the enclosing loops

    def _inside(self, names: set[str], nodes: Sequence[ast.AST]) -> list:
        self.loop_targets.append(names)
        try:
            return [self.visit(node) for node in nodes]
        finally:
            self.loop_targets.pop()

    def visit_For(self, node: ast.For):
        node.target = self.visit(node.target)
        node.iter = self.visit(node.iter)
        body = self._inside(target_names(node.target), node.body)
        node.body = [item for part in body for item in (part if isinstance(part, list) else [part])]
        node.orelse = [self.visit(statement) for statement in node.orelse]
        return node

    def _visit_comprehension(self, node):
        names = set().union(*(target_names(g.target) for g in node.generators))
        node.generators[0].iter = self.visit(node.generators[0].iter)
        self.loop_targets.append(names)
        try:
            for index, generator in enumerate(node.generators):
                if index:
                    generator.iter = self.visit(generator.iter)
                generator.ifs = [self.visit(condition) for condition in generator.ifs]
            if isinstance(node, ast.DictComp):
                node.key, node.value = self.visit(node.key), self.visit(node.value)
            else:
                node.elt = self.visit(node.elt)
        finally:
            self.loop_targets.pop()
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension

    def _capture(self, node):
        in_effect = set().union(*self.loop_targets) if self.loop_targets else set()
        self.generic_visit(node)
        captured = sorted(free_reads(node) & in_effect) if in_effect else []
        arguments = node.args
        for name in captured:
            default = ast.copy_location(ast.Name(name, ast.Load()), node)
            parameter = ast.copy_location(ast.arg(name), node)
            if arguments.vararg is None:
                arguments.args.append(parameter)
                arguments.defaults.append(default)
            else:
                arguments.kwonlyargs.append(parameter)
                arguments.kw_defaults.append(default)
            self.rewrote = True
        return node

    visit_FunctionDef = visit_Lambda = _capture
