"""`augmented-assignment-rebinds`: `target op= value` evaluates as `target = target op value`,
for every operator and for name, attribute and subscript targets (as written: the target's
parts are evaluated twice, once to read and once to assign)."""

import ast

from grader.misconceptions.base import Transformation, load_copy


class AugmentedAssignmentRebinds(Transformation):
    triggers = (ast.AugAssign,)
    exact = True

    def visit_AugAssign(self, node: ast.AugAssign):
        self.generic_visit(node)
        self.rewrote = True
        value = ast.copy_location(ast.BinOp(load_copy(node.target), node.op, node.value), node)
        return ast.copy_location(ast.Assign([node.target], value), node)
