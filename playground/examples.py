"""Pairs of programs the playground opens side by side (issue 17 §3): `?example=<key>`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Pair:
    title: str
    source: str
    compare: str


EXAMPLES = {
    "alias-or-copy": Pair(
        "b = a against b = a[:]",
        "a = [1, 2, 3]\nb = a\nb.append(4)\nprint(a, b, a is b)\n",
        "a = [1, 2, 3]\nb = a[:]\nb.append(4)\nprint(a, b, a is b)\n",
    ),
    "cycle-or-not": Pair(
        "a cycle freed by gc.collect() against a list freed by del",
        "import gc\nclass Node:\n    pass\nn = Node()\nn.me = n\ndel n\nprint(gc.collect())\n",
        "import gc\nclass Node:\n    pass\nn = Node()\nn.me = None\ndel n\nprint(gc.collect())\n",
    ),
}
