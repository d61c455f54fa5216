"""`shallow-copy-is-deep`: `copy.copy(x)`, a zero-argument `.copy()` method call, and a full
slice `x[:]` return `copy.deepcopy(x)`.

Calls are recognised by their shape and decided at run time on the object called: a call of
`copy`/`x.copy` with arguments is deep only if it calls the real `copy.copy` (however it was
imported); a zero-argument `x.copy()` is deep if it calls a method bound to `x`.
"""

import ast

from grader.misconceptions.base import Transformation


def _is_full_slice(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Slice)
        and node.lower is None
        and node.upper is None
        and node.step is None
    )


class ShallowCopyIsDeep(Transformation):
    triggers = (ast.Call, ast.Subscript)
    exact = True

    @staticmethod
    def may_apply(node) -> bool:
        if isinstance(node, ast.Subscript):
            return isinstance(node.ctx, ast.Load) and _is_full_slice(node.slice)
        function = node.func
        return getattr(function, "attr", None) == "copy" or getattr(function, "id", None) == "copy"

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        function = node.func
        named_copy = (isinstance(function, ast.Attribute) and function.attr == "copy") or (
            isinstance(function, ast.Name) and function.id == "copy"
        )
        if not named_copy:
            return node
        if isinstance(function, ast.Attribute) and not node.args and not node.keywords:
            node.func = self.call("_mc_copy_method_", [function], function)
        else:
            node.func = self.call("_mc_copy_function_", [function], function)
        return node

    def visit_Subscript(self, node: ast.Subscript):
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load) and _is_full_slice(node.slice):
            return self.call("_mc_deepcopy_", [node.value], node)
        return node
