"""`assignment-copies`: `b = a` binds `b` to `copy.deepcopy(a)`; in `a = b = expr` the first
target gets the object and each later target its own deep copy (with a bare name on the right,
every target gets its own deep copy). An annotated assignment `b: list = a` copies too."""

import ast

from grader.misconceptions.base import Transformation


class AssignmentCopies(Transformation):
    triggers = (ast.Assign, ast.AnnAssign)
    exact = True

    @staticmethod
    def may_apply(node) -> bool:
        return isinstance(node.value, ast.Name) or len(getattr(node, "targets", ())) > 1

    def visit_Assign(self, node: ast.Assign):
        self.generic_visit(node)
        bare_name = isinstance(node.value, ast.Name)
        if len(node.targets) == 1:
            if bare_name:
                node.value = self.call("_mc_deepcopy_", [node.value], node.value)
            return node
        # `a = b = v` assigns v to a, then to b: as `(a, b) = (v, deepcopy(v))`, left to right.
        count = ast.copy_location(ast.Constant(len(node.targets)), node)
        first_copied = ast.copy_location(ast.Constant(bare_name), node)
        node.value = self.call("_mc_chain_", [node.value, count, first_copied], node.value)
        node.targets = [ast.copy_location(ast.Tuple(node.targets, ast.Store()), node)]
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign):
        self.generic_visit(node)
        if isinstance(node.value, ast.Name):
            node.value = self.call("_mc_deepcopy_", [node.value], node.value)
        return node
