"""`arguments-copied`: on entry to every function defined in the snippet (lambdas included),
each parameter is rebound to a deep copy of its argument (`*args` and `**kwargs` included),
except the first parameter of a function defined directly in a class body.

A generator function's body starts at its first `next()`, so that is when its copies are made.
"""

import ast

from grader.misconceptions.base import (
    Transformation,
    assign,
    lambda_prelude,
    parameters,
    prepend_to_body,
)


class ArgumentsCopied(Transformation):
    triggers = (ast.FunctionDef, ast.Lambda)

    @staticmethod
    def may_apply(node) -> bool:
        return bool(parameters(node.args))

    def __init__(self) -> None:
        super().__init__()
        self.in_class_body = False

    def visit_ClassDef(self, node: ast.ClassDef):
        for expression in node.bases + node.keywords + node.decorator_list:
            self.visit(expression)
        saved, self.in_class_body = self.in_class_body, True
        node.body = [self.visit(statement) for statement in node.body]
        self.in_class_body = saved
        return node

    def _copied_names(self, arguments: ast.arguments) -> list[str]:
        names = [parameter.arg for parameter in parameters(arguments)]
        return names[1:] if self.in_class_body else names

    def _visit_function(self, node):
        names = self._copied_names(node.args)
        saved, self.in_class_body = self.in_class_body, False
        self.generic_visit(node)
        self.in_class_body = saved
        return node, names

    def visit_FunctionDef(self, node: ast.FunctionDef):
        node, names = self._visit_function(node)
        if names:
            copies = [
                assign(name, self.call("_mc_deepcopy_", [ast.Name(name, ast.Load())], node), node)
                for name in names
            ]
            prepend_to_body(node, copies)
        return node

    def visit_Lambda(self, node: ast.Lambda):
        node, names = self._visit_function(node)
        if names:
            rebinds = [
                (name, self.call("_mc_deepcopy_", [ast.Name(name, ast.Load())], node))
                for name in names
            ]
            lambda_prelude(node, rebinds)
        return node
