"""`getrefcount-ignores-argument`: `sys.getrefcount(x)` returns one less than CPython does.

A call written `getrefcount(...)` or `name.getrefcount(...)` becomes
`_mc_refcount_(callee, callee(...))`: the call itself is untouched, so the count is CPython's,
and the helper takes one off when the callee is the real `sys.getrefcount`.
"""

import ast

from grader.misconceptions.base import Transformation, copy_node


def _names_getrefcount(function: ast.expr) -> bool:
    if isinstance(function, ast.Name):
        return function.id == "getrefcount"
    return (
        isinstance(function, ast.Attribute)
        and function.attr == "getrefcount"
        and isinstance(function.value, ast.Name)
    )


class GetrefcountIgnoresArgument(Transformation):
    triggers = (ast.Call,)
    exact = True

    @staticmethod
    def may_apply(node) -> bool:
        return _names_getrefcount(node.func)

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        if not _names_getrefcount(node.func):
            return node
        return self.call("_mc_refcount_", [copy_node(node.func), node], node)
