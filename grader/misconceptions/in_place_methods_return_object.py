"""`in-place-methods-return-object`: `list.sort`, `append`, `extend`, `insert`, `reverse`,
`remove`, `clear`, `dict.update`, `dict.clear`, `set.add`, `update`, `discard`, `clear` return
the object they changed instead of None.

A call of a method with one of these names (`x.append(v)`, `list.append(x, v)`) whose result
is used becomes `_mc_in_place_(x.append)(v)`; at run time the helper hands back the method
itself unless it is one of those built-in methods, which it wraps to return the object.
"""

import ast

from grader.misconceptions.base import Transformation

METHODS = {
    "list": frozenset({"sort", "append", "extend", "insert", "reverse", "remove", "clear"}),
    "dict": frozenset({"update", "clear"}),
    "set": frozenset({"add", "update", "discard", "clear"}),
}
NAMES = frozenset().union(*METHODS.values())


class InPlaceMethodsReturnObject(Transformation):
    triggers = (ast.Call,)

    @staticmethod
    def may_apply(node) -> bool:
        return isinstance(node.func, ast.Attribute) and node.func.attr in NAMES

    def visit_Expr(self, node: ast.Expr):
        if isinstance(node.value, ast.Call):
            # A call whose result is dropped (`x.append(1)` as a statement) shows nothing of it:
            # only the calls inside it are rewritten, so such a snippet runs as it is.
            self.generic_visit(node.value)
            return node
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr in NAMES:
            node.func = self.call("_mc_in_place_", [function], function)
        return node
