"""`cycles-freed-by-refcount`: a full collection runs right after every `del` statement, as if
`gc.collect()` followed it (the belief that reference counting alone frees cycles at once)."""

import ast

from grader.misconceptions.base import Transformation


class CyclesFreedByRefcount(Transformation):
    triggers = (ast.Delete,)
    exact = True

    def visit_Delete(self, node: ast.Delete):
        self.generic_visit(node)
        collect = ast.copy_location(ast.Expr(self.call("_mc_collect_", [], node)), node)
        return [node, collect]
