"""`del-destroys-object`: after `del NAME` at module level, every other module-level name
bound to the same object is unbound too (containers are left alone).

`del a, x[0]` at module level (also inside `if`, `for`, `while`, `with`, `try` there) becomes
`_mc_del_hold_(a, 'a')`, `del a`, `_mc_del_rest_()`, then `del x[0]`: the hold keeps the object
only while `del a` runs; the rest unbinds the other names and lets it go.
"""

import ast

from grader.misconceptions.base import Transformation


class DelDestroysObject(Transformation):
    triggers = (ast.Delete,)

    def visit_FunctionDef(self, node):
        return node  # not module level

    visit_Lambda = visit_ClassDef = visit_FunctionDef

    def visit_Delete(self, node: ast.Delete):
        statements: list[ast.stmt] = []
        for target in node.targets:
            single = ast.copy_location(ast.Delete([target]), node)
            if not isinstance(target, ast.Name):
                statements.append(single)
                continue
            name = ast.copy_location(ast.Constant(target.id), target)
            value = ast.copy_location(ast.Name(target.id, ast.Load()), target)
            hold = self.call("_mc_del_hold_", [value, name], node)
            rest = self.call("_mc_del_rest_", [], node)
            statements += [
                ast.copy_location(ast.Expr(hold), node),
                single,
                ast.copy_location(ast.Expr(rest), node),
            ]
        return statements
