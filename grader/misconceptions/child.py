"""The grader child's side of a simulation: the snippet's tree under a misconception.

The executor has already checked the snippet as written under the policy (so a snippet is
refused exactly as `grader.run` refuses it). Here it is parsed again, transformed, and the
transformed tree is checked again under the same policy, which lets through only the helper
names the transformation injected, and only as loads: any code the transformation moved (a
default into a function body, say) is checked where it now runs.
"""

import ast

from grader.misconceptions import registry, runtime
from grader.misconceptions.base import HELPER_NAMES
from grader.policy import SNIPPET_FILENAME, MemoryModelPolicy


class TransformedPolicy(MemoryModelPolicy):
    """The policy, allowing loads of the injected helper names."""

    def visit_Name(self, node: ast.Name):
        if isinstance(node.ctx, ast.Load) and node.id in HELPER_NAMES:
            return node
        return super().visit_Name(node)


class TransformationRefused(RuntimeError):
    """The transformed tree failed the policy: a fault of the transformation, not the snippet."""


def prepare(source: str, misconception: str) -> tuple[ast.Module, dict]:
    """The tree to compile and the builtins to add; the original tree if nothing changed."""
    tree = ast.parse(source, SNIPPET_FILENAME, "exec")
    result = registry.transformed(tree, misconception)
    if result is None:
        return _checked(tree, MemoryModelPolicy), {}
    return _checked(result.tree, TransformedPolicy), runtime.helpers(result.helpers)


def _checked(tree: ast.Module, policy: type[MemoryModelPolicy]) -> ast.Module:
    errors: list[str] = []
    policy(errors).visit(tree)
    if errors:
        raise TransformationRefused("; ".join(errors))
    return tree
