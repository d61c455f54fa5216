"""`repetition-copies-elements`: a list display repeated by `*` (`[e1, e2] * n` or
`n * [e1, e2]`) builds independent deep copies of its elements for every repetition (the
first included: no element of the result is one of the display's own objects)."""

import ast

from grader.misconceptions.base import Transformation


class RepetitionCopiesElements(Transformation):
    triggers = (ast.BinOp,)
    exact = True

    @staticmethod
    def may_apply(node) -> bool:
        return isinstance(node.op, ast.Mult) and (
            isinstance(node.left, ast.List) or isinstance(node.right, ast.List)
        )

    def visit_BinOp(self, node: ast.BinOp):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Mult):
            return node
        list_left = isinstance(node.left, ast.List)
        if not (list_left or isinstance(node.right, ast.List)):
            return node
        side = ast.copy_location(ast.Constant(list_left), node)
        return self.call("_mc_repeat_", [node.left, node.right, side], node)
