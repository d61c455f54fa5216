"""The policy's fidelity hunt: `python -m grader.policy_hunt [--python=PATH] [FAMILY ...]`.

Generates snippets per family (misspelled names in each scope CPython suggests from; each
construct the policy allows beyond the basics), runs each with the grader and with `python -I`
of the same interpreter, and prints per family how many were accepted, refused, and accepted
with an output (stdout or last exception line) other than python's: that last figure must be 0.
tests/grader/test_policy_hunt.py and test_allow.py run it in `make test` on every configured
interpreter (grader.interpreters()). `--python=PATH` runs it with a grader server of that
interpreter, PATH also the oracle (grader/oracle.py); by default the grader's configured one.
"""

import builtins
import keyword
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from grader import oracle
from grader.constants import COMPLETED_STATUSES

# --- misspellings -------------------------------------------------------------------------------


def misspellings(name: str) -> Iterator[str]:
    """A few typos of `name` a student makes: a letter dropped, two swapped, one doubled, one
    replaced by its keyboard neighbour, the case of the first changed."""
    neighbours = dict(zip("abcdefghijklmnopqrstuvwxyz", "sqxsrdfgujlkmnipwtdyiqcxuz", strict=True))
    if len(name) > 1:
        yield name[:-1]
        yield name[1:]
    for i in range(len(name) - 1):
        yield name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    middle = len(name) // 2
    yield name[:middle] + name[middle] + name[middle:]
    if name[middle] in neighbours:
        yield name[:middle] + neighbours[name[middle]] + name[middle + 1 :]
    yield name[0].swapcase() + name[1:]


def _typos(name: str, limit: int) -> list[str]:
    found = []
    for typo in misspellings(name):
        usable = typo.isidentifier() and not keyword.iskeyword(typo) and typo[:1] != "_"
        if usable and typo != name and typo not in found:
            found.append(typo)
    return found[:limit]


PUBLIC_BUILTINS = [name for name in vars(builtins) if name[:1] != "_"]
# Objects whose attributes are misspelt, and a few of their attribute names.
ATTRIBUTE_TARGETS = {
    "[]": ["append", "extend", "insert", "remove", "count", "index", "sort"],
    "{}": ["items", "keys", "values", "setdefault", "update", "get"],
    "set()": ["add", "discard", "union", "intersection"],
    "'text'": ["split", "strip", "upper", "replace", "startswith", "format"],
    "(1, 2)": ["count", "index"],
    "7": ["bit_length", "real", "to_bytes"],
    "Point()": ["x", "label", "move", "distance"],
    "sys": ["getrefcount", "getsizeof", "intern", "version_info", "maxsize", "stdout"],
    "gc": ["collect", "get_count", "isenabled", "get_referents"],
    "copy": ["deepcopy", "copy"],
    "weakref": ["ref", "proxy", "finalize", "WeakValueDictionary"],
    "collections": ["defaultdict", "namedtuple", "Counter"],
    "dataclasses": ["dataclass", "field"],
    "functools": ["partial", "reduce", "lru_cache"],
    "itertools": ["chain", "islice", "groupby"],
}
POINT = (
    "class Point:\n    label = 'p'\n    def __init__(self):\n        self.x = 1\n"
    "    def move(self):\n        return self\n    def distance(self):\n        return 0\n"
)


def _prelude(target: str) -> str:
    if target == "Point()":
        return POINT
    if target.isidentifier():
        return f"import {target}\n"
    return ""


def misspelled_name_family() -> dict[str, list[str]]:
    """Misspelled names in every scope a suggestion is drawn from."""
    families: dict[str, list[str]] = {
        "name_builtin": [],
        "name_global": [],
        "name_local": [],
        "name_self": [],
        "attribute": [],
        "import_from": [],
        "forgot_import": [],
    }
    for name in PUBLIC_BUILTINS:
        for typo in _typos(name, 1):
            families["name_builtin"].append(f"print({typo})\n")
    for name in ["total", "items", "counter", "values", "result", "numbers", "alias", "lst"]:
        for typo in _typos(name, 3):
            families["name_global"].append(f"{name} = [1]\nprint({typo})\n")
            families["name_local"].append(
                f"def f({name}):\n    other = 2\n    return {typo}\nprint(f(1))\n"
            )
            families["name_local"].append(f"class Box:\n    {name} = 1\n    print({typo})\n")
            families["name_self"].append(
                f"class Box:\n    def __init__(self):\n        self.{name} = 1\n"
                f"    def show(self):\n        return {typo}\nprint(Box().show())\n"
            )
    for target, names in ATTRIBUTE_TARGETS.items():
        for name in names:
            for typo in _typos(name, 2):
                families["attribute"].append(f"{_prelude(target)}print({target}.{typo})\n")
    stand_ins = ["sys", "gc", "copy", "weakref", "collections", "dataclasses", "functools"]
    for module in [*stand_ins, "itertools"]:
        for name in ATTRIBUTE_TARGETS[module]:
            for typo in _typos(name, 2):
                families["import_from"].append(f"from {module} import {typo}\n")
    for module in ["sys", "math", "os", "random", "gc", "copy", "time", "string", "re", "json"]:
        families["forgot_import"].append(f"print({module}.x)\n")
        families["forgot_import"].append(f"{module[:-1]}x = 1\nprint({module})\n")
    return families


# --- running ------------------------------------------------------------------------------------


def python_result(source: str, python: str) -> tuple[str, str | None]:
    """stdout and the last line of the traceback of `python -I snippet.py` (grader/oracle.py)."""
    ran = oracle.run_script(source, python)
    return ran.stdout, ran.exception


def hunt(families: dict[str, list[str]], python: str | None = None) -> dict[str, dict]:
    """Per family: counts, and the snippets accepted with another output than python's; the
    grader and the oracle under `python` (by default the grader's configured interpreter)."""
    import grader  # noqa: PLC0415 - the pool starts on first use

    python = python or grader.configuration().python
    every = [source for sources in families.values() for source in sources]
    with ThreadPoolExecutor(max_workers=2) as pool:
        expected = dict(
            zip(every, pool.map(lambda source: python_result(source, python), every), strict=True)
        )
    report = {}
    for family, sources in families.items():
        accepted, wrong = 0, []
        for source in sources:
            outcome = grader.run(source, python=python)
            if outcome.status in COMPLETED_STATUSES:
                accepted += 1
                got = (outcome.stdout, outcome.exception)
                if got != expected[source]:
                    wrong.append((source, got, expected[source]))
        report[family] = {"snippets": len(sources), "accepted": accepted, "wrong": wrong}
    return report


# --- constructs the policy allows (issue 12), each in several kinds -------------------------------

PRIVATE = """\
class Account:
    rate = 2
    _count = 0
    def __init__(self, owner):
        self._balance = 0
        self.__pin = 1234
        self.owner = owner
        Account._count += 1
    @property
    def balance(self):
        return self._balance
    @balance.setter
    def balance(self, value):
        if value < 0:
            raise ValueError('negative')
        self._balance = value
    def _audit(self):
        return self.__pin % 100
    def check(self, pin):
        return pin == self.__pin
a = Account('ann')
"""
CONSTRUCTS = {
    "private_attributes": [
        PRIVATE + "a.balance = 5\nprint(a.balance, a._balance, a._audit(), Account._count)\n",
        PRIVATE + "a.balance = -1\n",
        PRIVATE + "print(a.check(1234), a._Account__pin)\n",
        PRIVATE + "print(a.__pin)\n",
        PRIVATE + "print(a._balanse)\n",
        PRIVATE + "print(a._Account__pn)\n",
        PRIVATE + "print(getattr(a, '_balance'), hasattr(a, '_nope'))\nsetattr(a, '_x', 3)\n"
        "delattr(a, '_x')\nprint(sorted(vars(a)))\n",
        PRIVATE + "a._balance += 10\ndel a._balance\nprint(a._balance)\n",
        PRIVATE + "b = Account('bob')\nprint(Account._count, b._Account__pin == a._Account__pin)\n",
        "class D(dict):\n    def __init__(self):\n        super().__init__()\n"
        "        self._hits = 0\n"
        "d = D()\nd._hits += 1\nprint(d._hits, d)\n",
        "class E(Exception):\n    def __init__(self, msg):\n        super().__init__(msg)\n"
        "        self._code = 3\ntry:\n    raise E('bad')\nexcept E as e:\n    print(e._code, e)\n",
        "def f():\n    return f._calls\nf._calls = 2\nprint(f(), vars(f))\n",
        "print([]._x)\n",
        "class A:\n    def __init__(self):\n        self._items = [1]\nclass B(A):\n"
        "    def first(self):\n        return super()._items\nprint(B()._items, A()._items)\n",
        "class A:\n    __slots__ = ('_v',)\n    def __init__(self):\n        self._v = 1\n"
        "print(A()._v)\nA()._w = 2\n",
    ],
    # At the recursion limit the `_own_` hook's call would fail one call early: refused there.
    "private_recursion": [
        "class A:\n    def __init__(self):\n        self._n = 0\n    def f(self, k):\n"
        "        self._n = k\n        return self.f(k + 1)\na = A()\ntry:\n    a.f(0)\n"
        "except RecursionError:\n    print(a._n)\n",
        "class A:\n    def f(self, k):\n        return self.f(k + 1) + self._x\nA().f(0)\n",
        "class Node:\n    def __init__(self, rest):\n        self._rest = rest\n"
        "    def size(self):\n        return 1 + (self._rest.size() if self._rest else 0)\n"
        "chain = None\nfor i in range(300):\n    chain = Node(chain)\nprint(chain.size())\n",
        "class Node:\n    def __init__(self, rest):\n        self._rest = rest\n"
        "    def size(self):\n        return 1 + (self._rest.size() if self._rest else 0)\n"
        "chain = None\nfor i in range(5000):\n    chain = Node(chain)\nprint(chain.size())\n",
    ],
    "private_names": [
        "for _i in range(3):\n    print(_i)\n",
        "_total = 0\nfor _ in range(4):\n    _total += 1\nprint(_total)\n",
        "def _helper(_x, *_rest, _kw=1):\n    return _x + _kw + len(_rest)\nprint(_helper(1, 2))\n",
        "class _Node:\n    def __init__(self):\n        self.__next = None\n"
        "print(_Node()._Node__next, _Node.__name__)\n",
        "__hidden = 5\nclass K:\n    def get(self):\n        return __hidden\nprint(K().get())\n",
        "print([_k for _k in 'ab'], {_k: 1 for _k in 'a'})\n",
        "print(_undefined)\n",
        "_value = 1\nprint(_valeu)\n",
    ],
    "namespaces": [
        "class P:\n    kind = 'p'\n    def __init__(self):\n        self.x = 1\n"
        "p = P()\n"
        "print(vars(p), p.__dict__ is vars(p), sorted(k for k in P.__dict__ if k[0] != '_'))\n",
        "class P:\n    pass\nprint('__module__' in vars(P), P.__dict__['__module__'])\n",
        "class A:\n    pass\nclass B(A):\n    pass\nclass C(A):\n    pass\nclass D(B, C):\n"
        "    pass\nprint([k.__name__ for k in D.__mro__], D.__bases__, A.__bases__)\n",
        "print(bool.__mro__, int.__bases__, type.__mro__)\n",
        "print(vars(1))\n",
        "print(vars(1, 2))\n",
        "class P:\n    x = 1\nv = vars(P)\nv['x'] = 2\n",
        "def f():\n    pass\nf.note = 1\nprint(vars(f))\n",
        "import collections, dataclasses, functools, itertools\n"
        "print(collections, dataclasses, functools, itertools)\n",
    ],
    "exception_chaining": [
        "try:\n    try:\n        1 / 0\n    except ZeroDivisionError as e:\n"
        "        raise ValueError('v') from e\nexcept ValueError as e:\n"
        "    print(repr(e.__cause__), repr(e.__context__), e.__suppress_context__)\n",
        "try:\n    try:\n        [][1]\n    except IndexError:\n        raise KeyError('k')\n"
        "except KeyError as e:\n    print(repr(e.__context__), e.__cause__)\n",
        "try:\n    try:\n        1 / 0\n    except ZeroDivisionError:\n"
        "        raise ValueError from None\n"
        "except ValueError as e:\n    print(e.__suppress_context__, repr(e.__context__))\n",
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n"
        "    raise RuntimeError('wrapped') from e\n",
    ],
    "special_methods": [
        "class Lazy:\n    def __init__(self):\n        self.real = 1\n"
        "    def __getattr__(self, name):\n        return name * 2\nl = Lazy()\n"
        "print(l.real, l.ab)\n",
        "class Strict:\n    def __getattr__(self, name):\n"
        "        raise AttributeError(f'no {name}')\nStrict().x\n",
        "class Logged:\n    def __setattr__(self, name, value):\n"
        "        print('set', name, value)\n"
        "        super().__setattr__(name, value)\n    def __delattr__(self, name):\n"
        "        print('del', name)\n        object.__delattr__(self, name)\n"
        "o = Logged()\no.x = 1\no._y = 2\ndel o.x\nprint(vars(o))\n",
        "class Frozen:\n    def __init__(self):\n        object.__setattr__(self, 'v', 1)\n"
        "    def __setattr__(self, n, v):\n        raise AttributeError('frozen')\n"
        "f = Frozen()\nprint(f.v)\nf.v = 2\n",
        "class Typed:\n    def __set_name__(self, owner, name):\n        self.name = '_' + name\n"
        "    def __get__(self, obj, owner=None):\n        if obj is None:\n"
        "            return self\n"
        "        return getattr(obj, self.name, None)\n    def __set__(self, obj, value):\n"
        "        setattr(obj, self.name, int(value))\n    def __delete__(self, obj):\n"
        "        print('delete')\nclass R:\n    width = Typed()\nr = R()\nr.width = '7'\n"
        "print(r.width, R.width.name, vars(r))\ndel r.width\n",
        "class Default(dict):\n    def __missing__(self, key):\n        self[key] = len(key)\n"
        "        return self[key]\nd = Default()\nprint(d['abc'], d, d.get('zz'))\n",
        "class Money:\n    def __init__(self, v):\n        self.v = v\n"
        "    def __format__(self, spec):\n        return 'EUR ' + format(self.v, spec)\n"
        "m = Money(2.5)\nprint(f'{m:.2f}', format(m, '>8'), '{:.1f}'.format(m))\n",
        "class Plugin:\n    registry = []\n    def __init_subclass__(cls, name='?', **kw):\n"
        "        super().__init_subclass__(**kw)\n"
        "        Plugin.registry.append((name, cls.__name__))\n"
        "class A(Plugin, name='a'):\n    pass\nclass B(Plugin):\n    pass\n"
        "print(Plugin.registry)\n",
        "class Base:\n    def __init_subclass__(cls):\n        pass\nclass C(Base, flag=1):\n"
        "    pass\n",
    ]
    + [
        f"class N:\n    def __init__(self, v):\n        self.v = v\n"
        f"    def {method}(self, other):\n        return ('{method}', other)\n"
        f"    def __repr__(self):\n        return 'N'\nprint({expression})\n"
        for method, expression in [
            ("__radd__", "1 + N(2)"),
            ("__rsub__", "1 - N(2)"),
            ("__rmul__", "3 * N(2)"),
            ("__rtruediv__", "1 / N(2)"),
            ("__rfloordiv__", "1 // N(2)"),
            ("__rmod__", "'%s' % N(2)"),
            ("__rpow__", "2 ** N(2)"),
            ("__rmatmul__", "[1] @ N(2)"),
            ("__rand__", "1 & N(2)"),
            ("__ror__", "1 | N(2)"),
            ("__rxor__", "1 ^ N(2)"),
            ("__rlshift__", "1 << N(2)"),
            ("__rrshift__", "1 >> N(2)"),
            ("__rdivmod__", "divmod(1, N(2))"),
            ("__truediv__", "N(1) / 2"),
            ("__pow__", "N(1) ** 2"),
            ("__and__", "N(1) & 2"),
        ]
    ]
    + ["class N:\n    pass\nprint(1 / N())\n", "class N:\n    pass\nprint(N() ** 2)\n"],
    "exit": [
        "print('a')\nexit()\nprint('b')\n",
        "print(exit, quit)\n",
        "try:\n    exit(2)\nexcept SystemExit as e:\n    print('caught', e.code)\n",
        "try:\n    quit('bye')\nfinally:\n    print('cleanup')\n",
        "def stop():\n    exit(0)\nstop()\nprint('never')\n",
    ],
    "collections": [
        "from collections import defaultdict\ngroups = defaultdict(list)\n"
        "for w in ['ab', 'ac', 'b']:\n"
        "    groups[w[0]].append(w)\nalias = groups['a']\nalias.append('x')\n"
        "print(groups, groups['z'])\n",
        "from collections import defaultdict\nd = defaultdict(list)\nrow = d[0]\nd[1] = row\n"
        "row.append(1)\n"
        "print(d, d[0] is d[1], d.default_factory)\n",
        "from collections import defaultdict\nd = defaultdict()\nd['x']\n",
        "import collections\nc = collections.Counter('mississippi')\n"
        "print(c.most_common(2), c['z'], c)\n"
        "c.update('ss')\nprint(c['s'], sum(c.values()), c - collections.Counter('s'))\n",
        "from collections import OrderedDict\no = OrderedDict(b=1, a=2)\no.move_to_end('b')\n"
        "print(o, list(o), o.popitem(last=False))\n",
        "from collections import deque\nq = deque([1, 2, 3], maxlen=3)\nq.append(4)\n"
        "q.appendleft(0)\n"
        "q.rotate(1)\nprint(q, q.maxlen, q.popleft())\nq[10]\n",
        "from collections import deque\ndeque().pop()\n",
        "from collections import namedtuple\n"
        "Point = namedtuple('Point', ['x', 'y'], defaults=[0])\n"
        "p = Point(1)\nq = p._replace(y=5)\n"
        "print(p, q, p._asdict(), Point._fields, Point._field_defaults,"
        " p == (1, 0), p is q)\nx, y = q\nprint(x + y, Point._make([7, 8]))\n",
        "from collections import namedtuple\nP = namedtuple('P', 'x y')\np = P(1, 2)\np.x = 5\n",
        "from collections import namedtuple\nP = namedtuple('P', 'x y')\nP(1)\n",
        "from collections import namedtuple\nP = namedtuple('P', 'x _y')\n",
        "from collections import ChainMap\nlocal = {'a': 1}\nglobal_ = {'a': 0, 'b': 2}\n"
        "m = ChainMap(local, global_)\nm['c'] = 3\n"
        "print(m['a'], m['b'], local, m.maps[1] is global_)\n",
        "import collections\nprint(collections.deque.__name__, collections.Counter.__mro__[1])\n",
        "from collections import Counter\nclass Tally(Counter):\n    def __missing__(self, key):\n"
        "        return -1\nprint(Tally('aa')['b'], Tally('aa'))\n",
    ],
    "dataclasses": [
        "from dataclasses import dataclass\n@dataclass\nclass C:\n    items: list = []\n",
        "from dataclasses import dataclass\n@dataclass\nclass C:\n    d: dict = {}\n",
        "from dataclasses import dataclass\n@dataclass\nclass C:\n    s: set = set()\n",
        "from dataclasses import dataclass, field\n@dataclass\nclass C:\n"
        "    items: list = field(default_factory=list)\na = C()\nb = C()\na.items.append(1)\n"
        "print(a, b, a == b, a.items is b.items)\n",
        "from dataclasses import dataclass\n@dataclass(frozen=True, order=True)\nclass V:\n"
        "    x: int\n    y: int = 0\nv = V(1)\nprint(v, v < V(2), hash(v) == hash(V(1)))\n"
        "v.x = 3\n",
        "import dataclasses\n@dataclasses.dataclass\nclass P:\n    name: str\n    tags: list = "
        "dataclasses.field(default_factory=list, repr=False)\n    def __post_init__(self):\n"
        "        self.name = self.name.title()\nprint(P('ann'), P('ann') == P('Ann'))\n",
        "from dataclasses import dataclass\n@dataclass\nclass A:\n    x: int\n@dataclass\n"
        "class B(A):\n    y: int = 2\nprint(B(1), B.__mro__[1].__name__)\nB()\n",
        "from dataclasses import dataclass\n@dataclass\nclass A:\n    x: int = 0\n    y: int\n",
        "from dataclasses import dataclass\n@dataclass\nclass S:\n    _hidden: int = 1\n"
        "print(S(), S()._hidden)\n",
        "from dataclasses import dataclass\n@dataclass(slots=True)\nclass S:\n    x: int\n"
        "print(S(1), S.__slots__)\nS(1).y = 2\n",
    ],
    "functools": [
        "from functools import partial\ndef power(base, exp):\n    return base ** exp\n"
        "square = partial(power, exp=2)\nprint(square(5), square.args, square.keywords,"
        " square.func is power)\n",
        "from functools import reduce\nprint(reduce(lambda a, b: a * b, [1, 2, 3, 4]), "
        "reduce(lambda a, b: a + b, [], 0))\nreduce(lambda a, b: a, [])\n",
        "from functools import lru_cache\ncalls = []\n@lru_cache(maxsize=2)\ndef sq(n):\n"
        "    calls.append(n)\n    return n * n\nprint(sq(2), sq(2), sq(3), sq(4), sq(2), calls,"
        " sq.cache_info())\nsq.cache_clear()\nprint(sq.cache_info())\n",
        "import functools\n@functools.lru_cache\ndef key(items):\n    return 1\nkey([1])\n",
        "from functools import wraps\ndef logged(f):\n    @wraps(f)\n    def inner(*args):\n"
        "        print('call', f.__name__)\n        return f(*args)\n    return inner\n"
        "@logged\ndef add(a, b):\n    'Add.'\n    return a + b\nprint(add(1, 2), add.__name__,"
        " add.__doc__, add.__qualname__)\n",
        "from functools import total_ordering\n@total_ordering\nclass V:\n"
        "    def __init__(self, v):\n"
        "        self.v = v\n    def __eq__(self, o):\n        return self.v == o.v\n"
        "    def __lt__(self, o):\n        return self.v < o.v\n"
        "print(V(1) <= V(2), V(3) > V(2), V(2) >= V(2))\n",
        "from functools import cached_property\nclass C:\n    def __init__(self):\n"
        "        self.n = 3\n    @cached_property\n    def total(self):\n"
        "        print('computing')\n"
        "        return self.n * 2\nc = C()\nprint(c.total, c.total, vars(c))\ndel c.total\n"
        "print(c.total)\n",
    ],
    "itertools": [
        "import itertools\nprint(list(itertools.islice(itertools.count(10, 5), 3)),"
        " list(itertools.islice(itertools.cycle('ab'), 5)), list(itertools.repeat(1, 3)))\n",
        "from itertools import accumulate, chain, compress, dropwhile, takewhile, filterfalse\n"
        "print(list(accumulate([1, 2, 3])), list(chain('ab', [1])), list(compress('abc', [1, 0,"
        " 1])),"
        " list(dropwhile(lambda x: x < 2, [1, 2, 1])), list(takewhile(lambda x: x < 2, [1, 2])),"
        " list(filterfalse(None, [0, 1])))\n",
        "from itertools import groupby, pairwise, starmap, zip_longest, tee\n"
        "print([(k, list(g)) for k, g in groupby('aabbc')], list(pairwise([1, 2, 3])),"
        " list(starmap(pow, [(2, 3)])), list(zip_longest('ab', [1], fillvalue=0)))\n"
        "a, b = tee([1, 2])\nprint(list(a), list(b))\n",
        "from itertools import product, permutations, combinations, combinations_with_replacement\n"
        "print(list(product('ab', repeat=2)), list(permutations([1, 2, 3], 2))[:3],"
        " list(combinations('abc', 2)), list(combinations_with_replacement('ab', 2)))\n",
        "import itertools\nrow = [[]] * 2\ngrid = list(itertools.repeat([], 2))\n"
        "grid[0].append(1)\n"
        "print(grid, grid[0] is grid[1])\n",
        "import itertools\nit = itertools.count()\nnext(it)\nprint(next(it))\n"
        "itertools.islice([], -1)\n",
    ],
}


def _in_function(source: str) -> str:
    """The same construct inside a function: other scopes, the exception raised one frame down."""
    body = "".join(f"    {line}\n" if line else "\n" for line in source.splitlines())
    return f"def main():\n{body}main()\n"


def construct_family() -> dict[str, list[str]]:
    """Each construct as written (module level) and inside a function."""
    return {
        family: [kind(source) for source in sources for kind in (str, _in_function)]
        for family, sources in CONSTRUCTS.items()
    }


def all_families() -> dict[str, list[str]]:
    return misspelled_name_family() | construct_family()


def run_family(family: str, python: str | None = None) -> dict:
    """hunt() of one family: its counts and its wrong snippets."""
    return hunt({family: all_families()[family]}, python)[family]


def main(argv: list[str]) -> int:
    chosen = [arg.partition("=")[2] for arg in argv if arg.startswith("--python=")]
    wanted = [name for name in argv if not name.startswith("--")]
    families = {
        name: sources for name, sources in all_families().items() if not wanted or name in wanted
    }
    python = chosen[0] if chosen else None
    report = hunt(families, python)
    import grader  # noqa: PLC0415

    version = grader.python_version(python)
    for family, figures in report.items():
        print(
            f"{version} {family}: {figures['snippets']} snippets, {figures['accepted']} accepted,"
            f" {figures['snippets'] - figures['accepted']} refused,"
            f" {len(figures['wrong'])} accepted and different"
        )
        for source, got, expected in figures["wrong"]:
            print(f"  {source!r}\n    grader {got!r}\n    python {expected!r}")
    return 1 if any(figures["wrong"] for figures in report.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
