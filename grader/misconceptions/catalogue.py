"""The misconceptions the grader can simulate: each id, the belief, the rule that corrects it.

`MISCONCEPTIONS[id]` is a one-line `str` ("belief — rule"); as a `Misconception` it also has
the parts apart (`.belief`, `.rule`) and the slug of the concept page that teaches the rule
(`.page`). Each id is a precise program transformation or run-time change, implemented by the
module of the same name (with underscores) in this package; see issue 16 for the semantics.
"""


class Misconception(str):
    """A catalogue entry: the one-line statement, plus its parts as attributes."""

    belief: str
    rule: str
    page: str

    def __new__(cls, belief: str, rule: str, page: str):
        entry = super().__new__(cls, f"{belief} — {rule}")
        entry.belief, entry.rule, entry.page = belief, rule, page
        return entry


class UnknownMisconception(KeyError, ValueError):
    """An id that is not in the catalogue (catch it as KeyError or as ValueError)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown misconception"


MISCONCEPTIONS: dict[str, Misconception] = {
    "assignment-copies": Misconception(
        "assignment copies the object (`b = a` makes a new list)",
        "`b = a` binds a second name to the same object; nothing is copied",
        "call-by-sharing",
    ),
    "arguments-copied": Misconception(
        "a function receives copies of its arguments",
        "a parameter is bound to the caller's object itself, so changes to it are seen outside",
        "call-by-sharing",
    ),
    "is-compares-values": Misconception(
        "`is` compares values, like `==`",
        "`is` asks whether both sides are one and the same object; `==` compares values",
        "identity-is-and-id",
    ),
    "equal-values-are-one-object": Misconception(
        "equal numbers, strings, bytes or tuples are always one object",
        "equal immutable values may or may not be one object; only `==` is guaranteed",
        "small-ints-and-interning",
    ),
    "defaults-reevaluated": Misconception(
        "a default argument is evaluated again at each call",
        "a default is evaluated once, when `def` runs; a mutable default is shared by all calls",
        "call-by-sharing",
    ),
    "shallow-copy-is-deep": Misconception(
        "a shallow copy (`copy.copy`, `.copy()`, `x[:]`) also copies the nested objects",
        "a shallow copy is a new outer container holding the same inner objects",
        "shallow-and-deep-copies",
    ),
    "augmented-assignment-rebinds": Misconception(
        "`x += y` builds a new object, like `x = x + y`",
        "`+=` on a mutable object changes it in place, and every name for it sees the change",
        "mutable-types",
    ),
    "repetition-copies-elements": Misconception(
        "`[x] * n` makes n independent copies of `x`",
        "`[x] * n` repeats references to the same object `x` n times",
        "mutable-types",
    ),
    "closures-capture-values": Misconception(
        "a function made in a loop remembers the loop variable's value at that time",
        "a closure reads the variable when it is called, so all see its last value",
        "stack-frames-and-namespaces",
    ),
    "getrefcount-ignores-argument": Misconception(
        "`sys.getrefcount(x)` does not count its own argument",
        "the call's argument is one more reference, so the count is one higher than the names",
        "reference-counting",
    ),
    "del-destroys-object": Misconception(
        "`del name` destroys the object, so its other names go too",
        "`del` removes one name; the object lives while any other reference remains",
        "reference-counting",
    ),
    "cycles-freed-by-refcount": Misconception(
        "reference counting frees objects in a cycle as soon as they are unreachable",
        "a cycle keeps its counts above zero; only the cyclic garbage collector frees it, later",
        "cycles-and-the-collector",
    ),
    "in-place-methods-return-object": Misconception(
        "`list.append`, `sort` and the like return the changed object",
        "methods that change a list, dict or set in place return None",
        "mutable-types",
    ),
}


def lookup(misconception: str) -> Misconception:
    """The catalogue entry for an id; UnknownMisconception (a KeyError and a ValueError) else."""
    try:
        return MISCONCEPTIONS[misconception]
    except (KeyError, TypeError):
        known = ", ".join(MISCONCEPTIONS)
        raise UnknownMisconception(
            f"unknown misconception {misconception!r}; the catalogue has: {known}"
        ) from None
