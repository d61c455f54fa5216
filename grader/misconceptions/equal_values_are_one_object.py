"""`equal-values-are-one-object`: `x is y` (and `is not`) compares with `==` when `x` and `y`
have the same type and that type is int, float, str, bytes or tuple; otherwise real identity.

A chained comparison (`a is b is c`) is split into pairs joined by `and`, as Python evaluates
it, when its middle operands are names or constants (reading them twice changes nothing);
a chain with another middle operand is left as it is.
"""

import ast

from grader.misconceptions.base import Transformation, copy_node


def _splittable(node: ast.Compare) -> bool:
    """A comparison of two operands, or a chain whose middle operands can be read twice."""
    middles = node.comparators[:-1]
    return all(isinstance(middle, (ast.Name, ast.Constant)) for middle in middles)


class EqualValuesAreOneObject(Transformation):
    triggers = (ast.Compare,)
    exact = True

    @staticmethod
    def may_apply(node) -> bool:
        if not any(isinstance(operator, (ast.Is, ast.IsNot)) for operator in node.ops):
            return False
        return _splittable(node)

    def visit_Compare(self, node: ast.Compare):
        self.generic_visit(node)
        if not any(isinstance(operator, (ast.Is, ast.IsNot)) for operator in node.ops):
            return node
        if len(node.ops) == 1:
            return self._pair(node.left, node.ops[0], node.comparators[0], node)
        if not _splittable(node):
            return node
        operands = [node.left, *node.comparators]
        pairs = [
            self._pair(
                copy_node(operands[index]) if index else operands[index],
                operator,
                operands[index + 1],
                node,
            )
            for index, operator in enumerate(node.ops)
        ]
        return ast.copy_location(ast.BoolOp(ast.And(), pairs), node)

    def _pair(self, left, operator, right, at):
        if isinstance(operator, (ast.Is, ast.IsNot)):
            same = self.call("_mc_is_", [left, right], at)
            if isinstance(operator, ast.Is):
                return same
            return ast.copy_location(ast.UnaryOp(ast.Not(), same), at)
        return ast.copy_location(ast.Compare(left, [operator], [right]), at)
