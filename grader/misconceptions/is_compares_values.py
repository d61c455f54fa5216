"""`is-compares-values`: `x is y` evaluates as `x == y`, and `x is not y` as `x != y`."""

import ast

from grader.misconceptions.base import Transformation

_AS_VALUES = {ast.Is: ast.Eq, ast.IsNot: ast.NotEq}


class IsComparesValues(Transformation):
    triggers = (ast.Compare,)
    exact = True

    @staticmethod
    def may_apply(node) -> bool:
        return any(type(operator) in _AS_VALUES for operator in node.ops)

    def visit_Compare(self, node: ast.Compare):
        self.generic_visit(node)
        for index, operator in enumerate(node.ops):
            replacement = _AS_VALUES.get(type(operator))
            if replacement is not None:
                node.ops[index] = replacement()
                self.rewrote = True
        return node
