"""`defaults-reevaluated`: a parameter default that is not a literal constant is evaluated
afresh at each call that omits the argument, as if written
`def f(x=None):  if x is None: x = <default>`, with a private sentinel instead of None.

Literal constants (`None`, `3`, `-1.5`, `'text'`) are left alone: evaluating them again gives
the same object. The re-evaluated default runs in the function's scope, as the rewriting does.
"""

import ast

from grader.misconceptions.base import Transformation, lambda_prelude, prepend_to_body


def is_literal_constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, (int, float, complex))
    )


class DefaultsReevaluated(Transformation):
    triggers = (ast.FunctionDef, ast.Lambda)
    exact = True

    @staticmethod
    def may_apply(node) -> bool:
        defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        return not all(is_literal_constant(default) for default in defaults)

    def _moved_defaults(self, node) -> list[tuple[str, ast.expr]]:
        """Replace each non-literal default by the sentinel; (parameter, default) pairs."""
        arguments = node.args
        positional = list(arguments.posonlyargs) + list(arguments.args)
        moved = []
        with_defaults = positional[len(positional) - len(arguments.defaults) :]
        for index, (parameter, default) in enumerate(
            zip(with_defaults, arguments.defaults, strict=True)
        ):
            if not is_literal_constant(default):
                moved.append((parameter.arg, default))
                arguments.defaults[index] = self.helper("_mc_default_", default)
        for index, (parameter, default) in enumerate(
            zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        ):
            if default is not None and not is_literal_constant(default):
                moved.append((parameter.arg, default))
                arguments.kw_defaults[index] = self.helper("_mc_default_", default)
        return moved

    def _omitted(self, name: str, at: ast.AST) -> ast.Compare:
        sentinel = self.helper("_mc_default_", at)
        test = ast.Compare(ast.Name(name, ast.Load()), [ast.Is()], [sentinel])
        return ast.copy_location(test, at)

    def visit_FunctionDef(self, node: ast.FunctionDef):
        self.generic_visit(node)
        moved = self._moved_defaults(node)
        if moved:
            checks = [
                ast.copy_location(
                    ast.If(
                        self._omitted(name, default),
                        [
                            ast.copy_location(
                                ast.Assign([ast.Name(name, ast.Store())], default), default
                            )
                        ],
                        [],
                    ),
                    default,
                )
                for name, default in moved
            ]
            prepend_to_body(node, checks)
        return node

    def visit_Lambda(self, node: ast.Lambda):
        self.generic_visit(node)
        moved = self._moved_defaults(node)
        if moved:
            rebinds = [
                (
                    name,
                    ast.copy_location(
                        ast.IfExp(
                            self._omitted(name, default), default, ast.Name(name, ast.Load())
                        ),
                        default,
                    ),
                )
                for name, default in moved
            ]
            lambda_prelude(node, rebinds)
        return node
