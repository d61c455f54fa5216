"""The policy: every construct the curriculum needs runs, every refused one is rejected with one
message naming its line, the construct and why. (Whether allowed code prints what CPython prints
is test_fidelity's job; here the point is that the policy lets it through.)"""

import pytest

import grader
from grader.policy import compile_snippet

ALLOWED = {
    "special_methods": (
        "class V:\n"
        "    def __init__(self, v):\n        self.v = v\n"
        "    def __repr__(self):\n        return 'V'\n"
        "    def __str__(self):\n        return 'v'\n"
        "    def __eq__(self, o):\n        return self.v == o.v\n"
        "    def __ne__(self, o):\n        return self.v != o.v\n"
        "    def __lt__(self, o):\n        return self.v < o.v\n"
        "    def __le__(self, o):\n        return self.v <= o.v\n"
        "    def __gt__(self, o):\n        return self.v > o.v\n"
        "    def __ge__(self, o):\n        return self.v >= o.v\n"
        "    def __hash__(self):\n        return hash(self.v)\n"
        "    def __del__(self):\n        pass\n"
        "    def __len__(self):\n        return 1\n"
        "    def __iter__(self):\n        return iter([self.v])\n"
        "    def __next__(self):\n        raise StopIteration\n"
        "    def __getitem__(self, i):\n        return self.v\n"
        "    def __setitem__(self, i, x):\n        self.v = x\n"
        "    def __contains__(self, x):\n        return x == self.v\n"
        "    def __add__(self, o):\n        return V(self.v + o.v)\n"
        "    def __iadd__(self, o):\n        self.v += o.v\n        return self\n"
        "    def __bool__(self):\n        return True\n"
        "    def __copy__(self):\n        return V(self.v)\n"
        "    def __deepcopy__(self, memo):\n        return V(self.v)\n"
        "    def __enter__(self):\n        return self\n"
        "    def __exit__(self, *args):\n        return False\n"
        "a = V(1)\na += V(2)\na[0] = 5\nprint(a, repr(a), a == V(5), a < V(9), len(a), 5 in a)\n"
        "with V(1) as w:\n    print(list(w), bool(w), hash(w) == hash(1))\n"
    ),
    "slots_and_instance_attributes": (
        "class P:\n    __slots__ = ('x', 'y')\n    def __init__(self):\n        self.x = 1\n"
        "p = P()\np.y = 2\nprint(p.x + p.y, P.__slots__)\n"
    ),
    "augmented_items_and_attributes": (
        "class C:\n    pass\nc = C()\nc.n = 1\nc.n += 1\nd = {'k': [1]}\nd['k'] += [2]\n"
        "print(c.n, d)\n"
    ),
    "scopes": (
        "g = 0\ndef outer():\n    global g\n    n = 0\n    def inner():\n        nonlocal n\n"
        "        n += 1\n        return n\n    g = inner() + inner()\n"
        "outer()\nx = 1\ndel x\nprint(g)\n"
    ),
    "generators_comprehensions_lambdas": (
        "def gen():\n    yield from range(3)\nsq = lambda v: v * v\n"
        "print([sq(i) for i in gen()], {i: i for i in 'ab'}, {i % 2 for i in range(4)},"
        " sum(i for i in range(4)))\n"
    ),
    "defaults": "def f(a, b=[], *, c=1):\n    pass\nprint(f.__defaults__, f.__kwdefaults__)\n",
    "identity_builtins": (
        "x = [1]\nprint(x is x, id(x) == id(x), hash((1,)) == hash((1,)), type(x),"
        " type(x).__name__, isinstance(x, list), issubclass(bool, int), type(x).__qualname__)\n"
    ),
    "strings": "n = 3\nprint(f'{n:>4}', '{} {x}'.format(1, x=2), '{a}'.format_map({'a': 1}))\n",
    "common_builtins": (
        "print(list('ab'), dict(a=1), tuple([1]), set([1]), frozenset([1]), sorted([2, 1]),"
        " list(enumerate('a')), list(zip('a', 'b')), min(1, 2), max(1, 2), sum([1]), any([1]),"
        " all([]), repr('a'), len('ab'), list(range(2)), list(reversed([1, 2])),"
        " list(map(abs, [-1])), list(filter(None, [0, 1])), chr(97), ord('a'), abs(-1),"
        " round(1.5), divmod(7, 2), int('1'), float('1'), bool(1), str(1), bytes(2),"
        " bytearray(1), object() is not None, callable(len), iter([]) is not None)\n"
    ),
    "classes_with_builtin_decorators": (
        "class A:\n    def __init__(self):\n        self.v = 1\n    @property\n"
        "    def p(self):\n        return self.v\n"
        "    @staticmethod\n    def s():\n        return 2\n"
        "    @classmethod\n    def c(cls):\n        return cls.__name__\n"
        "class B(A):\n    def __init__(self):\n        super().__init__()\n"
        "b = B()\nprint(b.p, B.s(), B.c(), b.__class__.__name__, b.__dict__)\n"
    ),
    "exceptions": (
        "try:\n    raise KeyError('k')\nexcept (KeyError, ValueError) as e:\n    print(repr(e))\n"
        "finally:\n    print('done')\n"
    ),
    "imports": (
        "import sys, gc, copy, weakref\n"
        "from sys import getrefcount, getsizeof, intern, version_info\n"
        "from gc import collect, is_tracked, isenabled, enable, disable\n"
        "from copy import copy as shallow, deepcopy\n"
        "from weakref import ref, finalize, WeakValueDictionary, WeakKeyDictionary\n"
        "print(version_info >= (3, 12), collect() >= 0, isenabled())\n"
    ),
    "main_guard": "if __name__ == '__main__':\n    print('main')\n",
    "type_annotations": "x: int = 1\ndef f(a: int) -> int:\n    return a\nprint(f(x))\n",
}

REFUSED = {
    "hook_shaped_variable": ("_secret_ = 1\n", 1, "`_secret_`"),
    "dunder_variable": ("__secret__ = 1\n", 1, "`__secret__`"),
    "dunder_attribute": ("x = 1\nprint(x.__class__.__base__)\n", 2, "`.__base__`"),
    "private_attribute_of_a_stand_in": ("import sys\nsys._x = 1\n", 2, "'_x'"),
    "private_attribute_of_a_builtin_class": ("print(int._x)\n", 1, "'_x'"),
    "dunder_attribute_write": ("class C:\n    pass\nC().__doc__ = 1\n", 3, "`.__doc__`"),
    "dunder_outside_class": ("def __init__(self):\n    pass\n", 1, "`__init__`"),
    "unlisted_special_method": (
        "class C:\n    def __getattribute__(self, n):\n        pass\n",
        2,
        "`__getattribute__`",
    ),
    "import_os": ("import os\n", 1, "importing `os`"),
    "from_import_unknown_module": ("from pathlib import Path\n", 1, "importing `pathlib`"),
    "star_import": ("from sys import *\n", 1, "import *"),
    "refused_member": ("from gc import get_objects\n", 1, "`gc.get_objects`"),
    "eval": ("x = 1\neval('x')\n", 2, "`eval`"),
    "open": ("open('f')\n", 1, "`open`"),
    "three_argument_type": ("type('X', (), {})\n", 1, "three-argument `type()`"),
    "metaclass": ("class C(metaclass=type):\n    pass\n", 1, "`metaclass`"),
    "class_keywords_unpacked": ("class C(**{}):\n    pass\n", 1, "`**`"),
    "vars_without_argument": ("print(vars())\n", 1, "`vars()`"),
    "library_with_gc": ("import gc\nimport functools\n", 2, "`import functools`"),
    "library_with_finalizer": (
        "import collections\nclass C:\n    def __del__(self):\n        pass\n",
        1,
        "a `__del__` method",
    ),
    "async": ("async def f():\n    pass\n", 1, "AsyncFunctionDef"),
    "match": ("match 1:\n    case 1:\n        pass\n", 1, "Match"),
    "try_star": ("try:\n    pass\nexcept* OSError:\n    pass\n", 1, "TryStar"),
    "inspect_attribute": ("def g():\n    yield\nprint(g().gi_code)\n", 3, "`.gi_code`"),
    "augmented_format": ("s = 'x'\ns.format += 1\n", 2, "`.format`"),
}


@pytest.mark.parametrize("name", ALLOWED)
def test_allowed_construct_runs(name):
    outcome = grader.run(ALLOWED[name]).to_dict()
    assert (outcome["status"], outcome["reasons"], outcome["exception"]) == ("ok", [], None)
    assert outcome["stdout"]


@pytest.mark.parametrize("name", REFUSED)
def test_refused_construct_has_its_message(name):
    source, line, what = REFUSED[name]
    outcome = grader.run(source).to_dict()
    assert outcome["status"] == "rejected"
    assert outcome["stdout"] == ""
    (reason,) = outcome["reasons"]
    assert reason.startswith(f"line {line}: ")
    assert what in reason
    assert " — " in reason and reason.split(" — ", 1)[1]  # a why, not only a what


def test_one_message_per_refused_construct_in_line_order():
    code, reasons = compile_snippet("import os\nx = eval('1')\n_y_ = 2\nprint(x.__globals__)\n")
    assert code is None
    assert [reason.split(":")[0] for reason in reasons] == ["line 1", "line 2", "line 3", "line 4"]


def test_runtime_refusal_reports_line_and_stops_grading():
    outcome = grader.run(
        "print('a')\nimport sys\ntry:\n"
        "    sys.modules\nexcept BaseException:\n    pass\nprint('b')\n"
    ).to_dict()
    assert outcome["status"] == "rejected"
    assert outcome["reasons"][0].startswith("line 4: `sys.modules`")


def test_syntax_error_is_raised_not_rejected():
    outcome = grader.run("print((1\n").to_dict()
    assert outcome["status"] == "raised"
    assert outcome["exception"].startswith("SyntaxError: ")
    assert outcome["exception_line"] == 1


def test_null_bytes_are_a_syntax_error():
    outcome = grader.run("x = 1\ny = 2\x00\n").to_dict()
    assert (outcome["status"], outcome["exception_line"]) == ("raised", 2)
    assert outcome["exception"] == "SyntaxError: source code cannot contain null bytes"
