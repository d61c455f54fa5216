"""Escapes must fail: each `test_deny_*` runs an escape shape through `grader.run` and asserts
the specific contained outcome (the policy refused it, at compile time or when reached) and that
nothing of the host (a file, the environment, a real module) appears in the output.

How we checked these tests bite: we switched the policy off for real (policy.compile_counted
skipping the MemoryModelPolicy visit, hooks.sandbox_builtins handing out the real builtins,
`__import__` included) and ran this module: 43 of its 44 tests failed (the snippets ran and
printed frames, globals, subclasses or real modules, or failed otherwise than refused). The one
that passed, test_deny_stand_in_mutation_does_not_leak_to_next_run, checks that stand-ins are
fresh per run, which does not depend on the policy. With the policy restored, all pass.
"""

import pytest

import grader

HOST_MARKERS = ("root:x:", "PATH", "<module 'os'", "<frame at", "f_globals", "subprocess")


def outcome_of(source: str) -> dict:
    outcome = grader.run(source).to_dict()
    for marker in HOST_MARKERS:
        assert marker not in outcome["stdout"], (marker, outcome["stdout"])
    return outcome


def assert_refused(source: str, *fragments: str) -> dict:
    outcome = outcome_of(source)
    assert outcome["status"] == "rejected", outcome
    text = " ".join(outcome["reasons"])
    assert text.startswith("line "), text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return outcome


# --- published RestrictedPython advisory shapes ----------------------------------------------


def test_deny_generator_frame_walk():
    assert_refused(
        "def g():\n    yield 1\nit = g()\nprint(it.gi_frame.f_back.f_globals)\n", "gi_frame"
    )


def test_deny_generator_frame_walk_through_getattr():
    assert_refused("def g():\n    yield 1\nprint(getattr(g(), 'gi_frame'))\n", "'gi_frame'")


def test_deny_str_format_attribute_traversal():
    assert_refused("print('{0.__class__.__mro__}'.format(1))\n", "{0.__class__.__mro__}")


def test_deny_str_format_index_traversal_unbound():
    assert_refused("print(str.format('{0[x]}', {'x': 1}))\n", "{0[x]}")


def test_deny_str_format_through_super():
    source = (
        "class S(str):\n    def leak(self, x):\n        return super().format(x)\n"
        "print(S('{0.__init__}').leak(S))\n"
    )
    assert_refused(source, "{0.__init__}")


def test_deny_format_map_traversal():
    assert_refused("print('{a.__class__}'.format_map({'a': 1}))\n", "{a.__class__}")


def test_deny_nested_format_spec_traversal():
    assert_refused("print('{0:{1.__class__}}'.format(1, 2))\n", "{1.__class__}")


def test_deny_string_formatter():
    assert_refused("import string\nstring.Formatter().format('{0.__class__}', 1)\n", "string")
    assert_refused("from string import Formatter\n", "string")


def test_deny_attribute_error_obj():
    source = (
        "import sys\ntry:\n    sys.nope\nexcept AttributeError as e:\n    print(e.obj.modules)\n"
    )
    assert_refused(source, "sys.modules")


def test_deny_try_star():
    assert_refused("try:\n    pass\nexcept* ValueError:\n    pass\n", "TryStar")


def test_deny_hook_name_as_positional_only_default():
    assert_refused("def f(_getattr_=getattr, /):\n    return 1\n", "_getattr_")


def test_deny_hook_name_as_other_arguments():
    assert_refused("f = lambda *_print_, **_write_: 1\n", "_print_", "_write_")


# --- walks -------------------------------------------------------------------------------


def test_deny_subclass_walk():
    assert_refused("print(().__class__.__base__.__subclasses__())\n", "__base__")


def test_deny_subclass_walk_through_getattr():
    assert_refused("print(getattr(object, '__subclasses__')())\n", "'__subclasses__'")


def test_deny_class_dict_of_object():
    assert_refused("print(object.__dict__)\n", "__dict__")


def test_deny_getattribute_slot():
    assert_refused("print(object.__getattribute__(1, '__class__'))\n", "__getattribute__")


def test_deny_traceback_frame_walk():
    source = "try:\n    1 / 0\nexcept Exception as e:\n    print(e.__traceback__.tb_frame)\n"
    assert_refused(source, "__traceback__", "tb_frame")


def test_deny_function_globals_and_code():
    assert_refused("def f():\n    pass\nprint(f.__globals__, f.__code__)\n", "__globals__")
    assert_refused("def f():\n    pass\nprint(getattr(f, '__globals__'))\n", "'__globals__'")


# --- builtins that reach code, files, namespaces -------------------------------------------


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("__import__('os')\n", "__import__"),
        ("print(open('/etc/passwd').read())\n", "open"),
        ("eval('1 + 1')\n", "eval"),
        ("exec('import os')\n", "exec"),
        ("compile('1', 'f', 'eval')\n", "compile"),
        ("print(globals()['__builtins__'])\n", "globals"),
        ("print(vars(object))\n", "vars()"),
        ("breakpoint()\n", "breakpoint"),
        ("input()\n", "input"),
        ("print(locals())\n", "locals"),
    ],
)
def test_deny_dangerous_builtins(source, fragment):
    assert_refused(source, f"`{fragment}`")


def test_deny_builtin_reached_by_name_at_run_time():
    # A name bound somewhere passes the compile-time check, but the sandbox has no such builtin.
    outcome = outcome_of("def open():\n    pass\ndel open\nprint(open('/etc/passwd'))\n")
    assert outcome["status"] == "raised"
    assert outcome["exception"] == "NameError: name 'open' is not defined"


def test_deny_getattr_with_dunder_strings():
    assert_refused("print(getattr(1, '__reduce_ex__')(2))\n", "'__reduce_ex__'")
    assert_refused("print(hasattr(1, '__dir__'))\n", "'__dir__'")
    assert_refused("setattr(print, '__doc__', 'x')\n", "'__doc__'")


# --- stand-in modules -----------------------------------------------------------------------


def test_deny_sys_modules():
    assert_refused("import sys\nprint(sys.modules['os'].environ)\n", "sys.modules")
    assert_refused("from sys import modules\n", "sys.modules")


def test_deny_sys_getframe():
    assert_refused("import sys\nprint(sys._getframe().f_globals)\n", "f_globals")
    assert_refused("import sys\nprint(sys._getframe())\n", "'_getframe'")
    assert_refused("import sys\nprint(getattr(sys, '_getframe')())\n", "'_getframe'")


def test_deny_sys_settrace():
    assert_refused("import sys\nsys.settrace(print)\n", "sys.settrace")


def test_deny_copy_dispatch_table():
    assert_refused("import copy\nprint(copy.dispatch_table)\n", "copy.dispatch_table")
    assert_refused("from copy import dispatch_table\n", "copy.dispatch_table")


def test_deny_copyreg():
    assert_refused("import copyreg\nprint(copyreg.dispatch_table)\n", "copyreg")


def test_deny_gc_get_objects_and_referrers():
    assert_refused("import gc\nprint(len(gc.get_objects()))\n", "gc.get_objects")
    assert_refused("import gc\nx = []\nprint(gc.get_referrers(x))\n", "gc.get_referrers")


def test_deny_gc_get_referents_of_function():
    source = "import gc\ndef f():\n    pass\nprint(gc.get_referents(f))\n"
    assert_refused(source, "gc.get_referents() of a function")


@pytest.mark.parametrize(
    "reach",
    [
        "sys.stdout.write.__self__",
        "getattr(sys.stdout.write, '__self__')",
        "gc.get_referents(sys.stdout)",
        "gc.get_referents(sys.stdout.write)",
        "sys.stdout._gate",
        "sys.stdout._write",
    ],
)
def test_deny_the_sinks_gate_and_writer(reach):
    """sys.stdout.write is a real TextIOWrapper's bound write over a stream handing text to the
    run: neither that TextIOWrapper (its buffer is the grader's) nor the run's writer is handed
    out."""
    outcome = assert_refused(f"import gc, sys\nprint({reach})\n")
    assert "Run" not in outcome["stdout"] and "Gate" not in outcome["stdout"]


def test_deny_other_imports():
    for module in ("os", "subprocess", "builtins", "importlib", "ctypes", "os.path"):
        assert_refused(f"import {module}\n", f"`{module}`")
    assert_refused("from . import x\n", "importing")


def test_deny_stand_in_mutation_does_not_leak_to_next_run():
    first = outcome_of("import sys\nsys.getrefcount = len\nprint(sys.getrefcount([1]))\n")
    second = outcome_of("import sys\nprint(sys.getrefcount is len)\n")
    assert (first["stdout"], second["stdout"]) == ("1\n", "False\n")


# --- class creation ---------------------------------------------------------------------------


def test_deny_three_argument_type():
    assert_refused("X = type('X', (), {'__getattribute__': 1})\n", "three-argument")


def test_deny_three_argument_type_through_alias():
    assert_refused("t = type\nX = t('X', (), {})\n", "three-argument")
    assert_refused("X = type(type(1))('X', (), {})\n", "three-argument")
    assert_refused("X = type(1).__class__('X', (), {})\n", "three-argument")


def test_deny_metaclass_keyword():
    assert_refused("class M(metaclass=type):\n    pass\n", "metaclass")


# --- NFKC look-alike identifiers ----------------------------------------------------------------


def test_deny_nfkc_hook_name():
    assert_refused("_ＧＥＴＡＴＴＲ_ = 1\n", "_GETATTR_")


def test_deny_nfkc_builtin_names():
    assert_refused("ｅval('1')\n", "`eval`")
    assert_refused("print(ｏｐｅｎ('/etc/passwd'))\n", "`open`")
    assert_refused("x = 1\nprint(x.__ｃｌａｓｓ__.__ｂａｓｅ__)\n", "__base__")
