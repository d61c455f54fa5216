"""Each catalogue id and the transformation that implements it; `transformed(source, id)`."""

import ast

from grader.misconceptions import catalogue
from grader.misconceptions.arguments_copied import ArgumentsCopied
from grader.misconceptions.assignment_copies import AssignmentCopies
from grader.misconceptions.augmented_assignment_rebinds import AugmentedAssignmentRebinds
from grader.misconceptions.base import Transformation
from grader.misconceptions.closures_capture_values import ClosuresCaptureValues
from grader.misconceptions.cycles_freed_by_refcount import CyclesFreedByRefcount
from grader.misconceptions.defaults_reevaluated import DefaultsReevaluated
from grader.misconceptions.del_destroys_object import DelDestroysObject
from grader.misconceptions.equal_values_are_one_object import EqualValuesAreOneObject
from grader.misconceptions.getrefcount_ignores_argument import GetrefcountIgnoresArgument
from grader.misconceptions.in_place_methods_return_object import InPlaceMethodsReturnObject
from grader.misconceptions.is_compares_values import IsComparesValues
from grader.misconceptions.repetition_copies_elements import RepetitionCopiesElements
from grader.misconceptions.shallow_copy_is_deep import ShallowCopyIsDeep

TRANSFORMATIONS: dict[str, type[Transformation]] = {
    "assignment-copies": AssignmentCopies,
    "arguments-copied": ArgumentsCopied,
    "is-compares-values": IsComparesValues,
    "equal-values-are-one-object": EqualValuesAreOneObject,
    "defaults-reevaluated": DefaultsReevaluated,
    "shallow-copy-is-deep": ShallowCopyIsDeep,
    "augmented-assignment-rebinds": AugmentedAssignmentRebinds,
    "repetition-copies-elements": RepetitionCopiesElements,
    "closures-capture-values": ClosuresCaptureValues,
    "getrefcount-ignores-argument": GetrefcountIgnoresArgument,
    "del-destroys-object": DelDestroysObject,
    "cycles-freed-by-refcount": CyclesFreedByRefcount,
    "in-place-methods-return-object": InPlaceMethodsReturnObject,
}
assert TRANSFORMATIONS.keys() == catalogue.MISCONCEPTIONS.keys()


class Transformed:
    """A snippet's tree under a misconception, and the helpers its run needs."""

    __slots__ = ("tree", "helpers")

    def __init__(self, tree: ast.Module, helpers: frozenset[str]):
        self.tree, self.helpers = tree, helpers


def transformed(tree: ast.Module, misconception: str) -> Transformed | None:
    """`tree` rewritten in place into the misconception's semantics; None if nothing in it is
    touched by the misconception (its outcome is then the real one)."""
    tree, transformation = _transform(tree, misconception)
    if not transformation.changed:
        return None
    return Transformed(ast.fix_missing_locations(tree), frozenset(transformation.helpers))


def _transform(tree: ast.Module, misconception: str) -> tuple[ast.Module, Transformation]:
    catalogue.lookup(misconception)
    transformation = TRANSFORMATIONS[misconception]()
    return transformation.visit(tree), transformation


def applies(source: str, misconception: str) -> bool:
    """Whether the misconception changes anything in `source` (False if it does not parse)."""
    catalogue.lookup(misconception)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return _transform(tree, misconception)[1].changed


def applicable(source: str) -> list[str]:
    """The ids whose transformation changes something in `source`, in catalogue order: the
    only ones whose prediction can differ from the real outcome. One walk of the tree finds
    the candidates (transformations.triggers); only they get a full pass."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    candidates: set[str] = set()
    for node in ast.walk(tree):
        for misconception in _BY_TRIGGER.get(type(node), ()):
            if misconception not in candidates and TRANSFORMATIONS[misconception].may_apply(node):
                candidates.add(misconception)
    return [
        misconception
        for misconception, transformation in TRANSFORMATIONS.items()
        if misconception in candidates and (transformation.exact or applies(source, misconception))
    ]


def _ids_by_trigger() -> dict[type[ast.AST], list[str]]:
    found: dict[type[ast.AST], list[str]] = {}
    for misconception, transformation in TRANSFORMATIONS.items():
        assert transformation.triggers, misconception
        for kind in transformation.triggers:
            found.setdefault(kind, []).append(misconception)
    return found


_BY_TRIGGER = _ids_by_trigger()
