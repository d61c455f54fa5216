"""Escapes the constructs allowed by issue 12 could open, each shown closed: private attributes
(only on the snippet's own objects), private names (never a hook's), `vars()` and class dicts
(only the snippet's own classes), `__mro__`/`__bases__` (no way on to `__subclasses__` or class
dicts), `__cause__`/`__context__` (no way on to tracebacks), `__setattr__` read from anything
(checked like `setattr`), the library stand-ins (their internals, namedtuple's and dataclass's
exec), `exit` (site's closes the process's stdin).

Sabotage recipe (grader/POLICY.md): make ownership.own() return True and the tests on private
attributes of stand-ins, library objects and host functions fail; drop the `_check_namespace`
call from hooks.safe_vars and the `vars()` tests fail; return `method` unwrapped from
hooks._checked_attribute_writer and the `__setattr__` tests fail; let policy.check_name accept
names ending with '_' and the hook-name tests fail; build `dataclass` without its check in
library.py and the dataclass test fails.
"""

import sys

import pytest

from grader import hooks
from tests.grader.test_deny import assert_refused, outcome_of

OWN_CLASS = "class A:\n    def __init__(self):\n        self._x = 1\na = A()\n"


# --- private attributes: only on the snippet's own objects ------------------------------------


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("import sys\nprint(sys._getframe())\n", "'_getframe'"),
        ("import sys\nprint(getattr(sys, '_getframe')())\n", "'_getframe'"),
        ("import sys\nsys._x = 1\n", "'_x'"),
        ("import copy\nprint(copy._reconstruct)\n", "'_reconstruct'"),
        ("import gc\nprint(hasattr(gc, '_x'))\n", "'_x'"),
        ("import copy\nprint(copy.deepcopy._x)\n", "'_x'"),
        ("import collections\nprint(collections._collections_abc)\n", "'_collections_abc'"),
        ("from collections import Counter\nprint(Counter('ab')._keep_positive())\n", "'_keep"),
        (
            "from collections import Counter\nclass C(Counter):\n    pass\n"
            "print(C('ab')._keep_positive())\n",
            "'_keep_positive'",
        ),
        ("from functools import partial\nprint(partial(print)._x)\n", "'_x'"),
        ("from functools import lru_cache\nprint(lru_cache(print)._x)\n", "'_x'"),
        ("import sys\nprint(sys.stdout._write)\n", "'_write'"),
        ("def g():\n    yield\nprint(g()._x)\n", "'_x'"),
        ("print(int._x)\n", "'_x'"),
        ("print(type._x)\n", "'_x'"),
        ("print(f'{print._x}')\n", "'_x'"),
        ("import sys\ndelattr(sys, '_x')\n", "'_x'"),
    ],
)
def test_deny_private_attribute_of_what_is_not_the_snippets(source, fragment):
    assert_refused(source, fragment)


def test_deny_private_attribute_through_super_of_a_library_class():
    source = (
        "from collections import OrderedDict\nclass O(OrderedDict):\n"
        "    def peek(self):\n        return super()._x\nO().peek()\n"
    )
    assert_refused(source, "'_x'")


def test_deny_private_attribute_walks_in_format_fields():
    assert_refused(OWN_CLASS + "print('{0._x}'.format(a))\n", "{0._x}")
    assert_refused(OWN_CLASS + "print('{0.__class__}'.format(a))\n", "{0.__class__}")


# --- private names: never a hook's ------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "_own_ = lambda obj, name: obj\n",
        "def f(_own_=None):\n    pass\n",
        "for _getattr_ in [1]:\n    pass\n",
        "import sys as _own_\n",
        "class _own_:\n    pass\n",
        "def g():\n    global _own_\n",
        "print(_own_)\n",
        "print(__builtins__)\n",
        "__x__ = 1\n",
    ],
)
def test_deny_hook_and_dunder_names(source):
    assert_refused(source, "the name")


# --- vars() and __dict__: only the snippet's own classes --------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "print(vars(object))\n",
        "print(vars(int))\n",
        "print(vars(type))\n",
        "import sys\nprint(vars(sys))\n",
        "import collections\nprint(vars(collections))\n",
        "import itertools\nprint(itertools.__dict__)\n",
        "from collections import OrderedDict\nprint(vars(OrderedDict))\n",
        "from collections import namedtuple\nP = namedtuple('P', 'x', module='os')\n"
        "print(vars(P))\n",
        "class A:\n    pass\nprint(vars(A.__mro__[-1]))\n",
        "class A:\n    pass\nprint(A.__bases__[0].__dict__)\n",
        "class A(dict):\n    pass\nprint(A.__mro__[1].__dict__)\n",
        "print(vars())\n",
    ],
)
def test_deny_namespace_that_is_not_the_snippets(source):
    assert_refused(source, "vars()" if "vars" in source else "__dict__")


def test_deny_own_class_dict_descriptor_on_another_object():
    source = "class A:\n    pass\nimport sys\nprint(vars(A)['__dict__'].__get__(sys))\n"
    assert outcome_of(source)["exception"].startswith("TypeError: descriptor '__dict__' for 'A'")
    assert_refused("class A:\n    pass\nvars(A)['__dict__'].__set__(A(), {})\n", "__set__")


# --- __mro__, __bases__: classes only, no way on ----------------------------------------------


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("class A:\n    pass\nprint(A.__mro__[-1].__subclasses__())\n", "__subclasses__"),
        ("class A:\n    pass\nprint(getattr(A.__bases__[0], '__subclasses__'))\n", "__subcl"),
        ("print(type.__mro__[0]('X', (), {}))\n", "three-argument"),
        ("print(int.__mro__[-1].__getattribute__)\n", "__getattribute__"),
        ("print(type(int).__mro__[-1].__base__)\n", "__base__"),
    ],
)
def test_deny_walks_from_mro_and_bases(source, fragment):
    assert_refused(source, fragment)


def test_deny_real_type_from_mro():
    outcome = outcome_of("print(type in type(int).__mro__, len(type.__mro__))\n")
    assert outcome["stdout"] == "True 2\n"  # the sandbox's `type` and object: never the real one


# --- __cause__, __context__: no traceback -----------------------------------------------------


@pytest.mark.parametrize("attribute", ["__cause__", "__context__"])
def test_deny_traceback_from_chained_exceptions(attribute):
    source = (
        "try:\n    try:\n        1 / 0\n    except Exception as e:\n"
        "        raise ValueError from e\n"
        f"except ValueError as e:\n    print(e.{attribute}.__traceback__.tb_frame)\n"
    )
    assert_refused(source, "__traceback__")


# --- __setattr__ / __delattr__ read from anything: checked like setattr -----------------------


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("import copy\nobject.__setattr__(copy.deepcopy, '__defaults__', (1,))\n", "__defaults__"),
        ("import sys\nobject.__setattr__(sys, '_x', 1)\n", "'_x'"),
        ("import sys\nsys.__setattr__('_x', 1)\n", "'_x'"),
        ("import sys\ngetattr(sys, '__setattr__')('_x', 1)\n", "'_x'"),
        ("class A:\n    pass\nobject.__setattr__(A(), '__class__', int)\n", "__class__"),
        ("import copy\nobject.__delattr__(copy, '_reconstruct')\n", "'_reconstruct'"),
        (
            "class A:\n    def __setattr__(self, n, v):\n"
            "        super().__setattr__('__class__', v)\n"
            "A().x = int\n",
            "__class__",
        ),
    ],
)
def test_deny_attribute_writes_through_setattr_methods(source, fragment):
    assert_refused(source, fragment)


# --- library stand-ins ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, fragment",
    [
        (
            "from collections import namedtuple\nP = namedtuple('P', 'x')\n"
            "print(P.__new__.__globals__)\n",
            "__globals__",
        ),
        (
            "from collections import namedtuple\nP = namedtuple('P', 'x')\n"
            "print(vars(P)['_make'].__func__)\n",
            "__func__",
        ),
        (
            "from collections import namedtuple\nP = namedtuple('P', 'x')\n"
            "print(P.__new__.__code__)\n",
            "__code__",
        ),
        (
            "from functools import lru_cache\n@lru_cache\ndef f():\n    pass\n"
            "print(f.__wrapped__)\n",
            "__wrapped__",
        ),
        (
            "from functools import wraps\nimport copy\n@wraps(copy.deepcopy)\ndef f():\n    pass\n"
            "print(f.__globals__)\n",
            "__globals__",
        ),
        ("import collections.abc\n", "collections.abc"),
        ("from collections import abc\n", "collections.abc"),
        ("import collections\nprint(collections.abc)\n", "collections.abc"),
        ("from functools import singledispatch\n", "functools.singledispatch"),
        ("from dataclasses import fields\n", "dataclasses.fields"),
        ("from dataclasses import _process_class\n", "dataclasses._process_class"),
        ("import functools\nprint(functools.__loader__)\n", "__loader__"),
    ],
)
def test_deny_library_internals(source, fragment):
    assert_refused(source, fragment)


def test_deny_namedtuple_exec_injection():
    source = "from collections import namedtuple\nP = namedtuple('P', ['x', 'y=print(1)'])\n"
    outcome = outcome_of(source)
    assert (outcome["status"], outcome["stdout"]) == ("raised", "")
    assert outcome["exception"].startswith("ValueError: Type names and field names must be valid")


def test_deny_dataclass_exec_injection():
    source = (
        "from dataclasses import dataclass\nclass C:\n    x: int = 1\n"
        "vars(C)['__annotations__']['y=print(vars(1))'] = int\ndataclass(C)\n"
    )
    assert_refused(source, "dataclass field name")


def test_deny_library_import_with_collector_observers():
    assert_refused(
        "import weakref\nfrom functools import partial\n",
        "`import functools` together with `import weakref`",
    )


# --- exit: site's would close the process's stdin ---------------------------------------------


def test_deny_exit_closing_stdin(monkeypatch):
    closed = []

    class Stdin:
        def close(self):
            closed.append(True)

    monkeypatch.setattr(sys, "stdin", Stdin())
    sandbox_exit = hooks.sandbox_builtins(None)["exit"]
    assert sandbox_exit is not sys.modules["builtins"].exit
    with pytest.raises(SystemExit):
        sandbox_exit(3)
    assert closed == []


def test_deny_plain_builtin_classes_hold_no_private_attributes():
    """An own class may derive from these (ownership.py): none of them, nor `type` (the
    metaclass of every own class), has a private attribute that would then be opened."""
    from grader.ownership import PLAIN_BUILTIN_CLASSES
    from grader.policy import is_private

    found = {
        (cls.__name__, name)
        for cls in [*PLAIN_BUILTIN_CLASSES, type]
        for name in dir(cls)
        if is_private(name)
    }
    assert found == set()


@pytest.mark.parametrize(
    "source, fragment",
    [
        (
            "from functools import wraps\n@wraps(object)\ndef f():\n    pass\n"
            "print(vars(f)['__getattribute__'])\n",
            "`wraps` of 'type' object",
        ),
        (
            "from functools import lru_cache\nprint(vars(lru_cache(object))['__getattribute__'])\n",
            "`lru_cache` of 'type' object",
        ),
        (
            "from functools import lru_cache\nimport copy\n"
            "print(vars(lru_cache(maxsize=2)(copy.deepcopy)))\n",
            "`lru_cache` of 'function' object",
        ),
        (
            "from functools import wraps\nimport copy\nclass A:\n    pass\n"
            "wraps(copy.deepcopy, assigned=('__globals__',))(A)\n",
            "`wraps` with other attributes",
        ),
        (
            "from dataclasses import dataclass\nimport sys\ndataclass(type(sys.stdout))\n",
            "`dataclass` of",
        ),
        ("from dataclasses import dataclass\ndataclass(type)\n", "`dataclass` of"),
        (
            "from functools import total_ordering\nfrom collections import Counter\n"
            "total_ordering(Counter)\n",
            "`total_ordering` of",
        ),
    ],
)
def test_deny_library_copying_or_changing_what_is_not_the_snippets(source, fragment):
    assert_refused(source, fragment)


def test_deny_class_dict_behind_its_proxy():
    """vars(A) of an own class is a read-only proxy; gc.get_referents would hand out the
    class's real dict, where any special method could be written."""
    source = "import gc\nclass A:\n    pass\nprint(gc.get_referents(vars(A)))\n"
    assert_refused(source, "gc.get_referents() of a mappingproxy")


def test_library_objects_are_known_as_the_sandboxs():
    """What a library stand-in hands out (and reaches) is known by identity, for the checks
    that must tell the sandbox's objects from the snippet's (sys.getrefcount's refusal)."""
    from grader import library

    module = library.build("collections", lambda what, why: PolicyError(what))
    assert library.handed_out(module.defaultdict)
    assert library.handed_out(module.Counter.most_common)
    assert not library.handed_out(module.defaultdict(list))


class PolicyError(Exception):
    pass
