"""A count read after a call of a builtin, a stand-in's function or a method is a script's, or
the snippet is refused (issue 11, beyond the probe programs, which call few of them).

The grader's builtins are not all CPython's C functions: some are the sandbox's, written in
Python, and a call that allocates where the C builtin does not moves every later automatic
collection. Each call below runs between two `gc.get_count()` prints, by the grader and by
`python -I` of the same interpreter (3.12 and each one configured); the collector check must
refuse every snippet whose output differs. Nothing expected is typed by hand.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

import grader
from grader import oracle

BEFORE = (
    "import gc\na = [1, 2, 3]\nclass K:\n    def m(self):\n        return 1\n"
    "before = gc.get_count()\n"
)
AFTER = "print(gc.get_count(), before)\n"
CALLS = (
    "id(a)", "isinstance(a, list)", "issubclass(bool, int)", "len(a)", "sorted(a)",
    "sorted(a, key=lambda v: -v)", "sum(a)", "max(a)", "min(1, 2)", "abs(-1)", "round(1.5)",
    "divmod(7, 2)", "hash('x')", "repr(a)", "str(a)", "format(3, '02')", "chr(65)", "ord('a')",
    "int('3')", "float('1.5')", "bool(a)", "any(a)", "all(a)", "callable(len)",
    "list(a)", "tuple(a)", "set(a)", "frozenset(a)", "dict(x=1)", "bytes(3)", "bytearray(2)",
    "slice(1, 2)", "object()", "range(3)", "next(iter(a))", "reversed(a)", "list(enumerate(a))",
    "list(zip(a, a))", "map(str, a)", "list(filter(None, a))", "staticmethod(len)",
    "print(1, 2, sep='-')", "'{}'.format(1)", "'x'.join(['a', 'b'])", "f'{a!r}'",
    "a.copy()", "a[:]", "a.append(4)", "a.__len__()", "a.__class__", "K.__name__",
    "K.__dict__['m']", "K().m()", "K.m(K())", "[v for v in a]", "{k: 1 for k in a}",
    "type(a)", "getattr(a, 'append')", "hasattr(a, 'x')", "vars(K)",
    "import copy; copy.copy(a)", "import copy; copy.deepcopy(a)",
    "import weakref; weakref.ref(K())", "import sys; sys.getsizeof(a)",
    "import sys; sys.intern('abc')", "import sys; sys.getrefcount(a)",
    "gc.collect(0)", "gc.is_tracked(a)", "gc.get_threshold()", "gc.isenabled()",
    "gc.get_referents(a)",
)  # fmt: skip
SOURCES = {call: BEFORE + call + "\n" + AFTER for call in CALLS}


@pytest.fixture(scope="module", params=grader.interpreters())
def verdicts(request) -> dict:
    python = request.param

    def verdict(text: str) -> tuple:
        reasons = grader.collector_dependent(text, python=python)
        return grader.run(text, python=python), oracle.run_script(text, python), reasons

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(SOURCES, pool.map(verdict, SOURCES.values()), strict=True))


@pytest.mark.parametrize("call", CALLS)
def test_a_count_after_the_call_is_a_scripts_or_refused(call, verdicts):
    ours, script, reasons = verdicts[call]
    assert ours.status == "ok", ours.reasons
    assert ours.stdout == script.stdout or reasons, SOURCES[call]
