"""Interned strings count as in a script on every interpreter (issue 18: on 3.13.0 the grader
printed 4294967295 for `sys.getrefcount('hello')` where `python -I` prints 3).

From 3.13 a string constant a script's compiler interns stays mortal, but every string the
grader's own modules hold (names and constants of grader/, RestrictedPython, the library it
imports) is immortal in the grader server: grader/interned.py makes a snippet's copies mortal
again. The snippets are generated: templates (a constant at each place a script keeps one, as a
name the parser makes immortal, through `sys.intern`) crossed with strings the grader's server
holds (names and constants of its modules, taken from their source), and each runs in the
grader and under plain `python -I` of the same interpreter (per interpreter: conftest.py).
"""

import ast
import random
from pathlib import Path

import pytest

import grader
from grader import interned

GRADER_DIR = Path(grader.__file__).parent
TEMPLATES = (
    "import sys\nprint(sys.getrefcount('{w}'))\n",
    "import sys\nx = '{w}'\nprint(sys.getrefcount(x))\n",
    "import sys\ndef f():\n    return '{w}'\nprint(sys.getrefcount(f()))\n",
    "import sys\nitems = ['{w}', '{w}']\nprint(sys.getrefcount(items[0]))\n",
    "import sys\n{w} = 1\nprint(sys.getrefcount('{w}'))\n",
    "import sys\nd = {{'{w}': 1}}\nprint(sys.getrefcount(list(d)[0]))\n",
    "import sys\nclass K:\n    attr = '{w}'\nprint(sys.getrefcount(K.attr))\n",
    "import sys\nprint(sys.getrefcount(sys.intern('{w}')))\n",
    "import sys\ns = '{w}'\nt = ''.join(['{w}'])\nprint(s is t, s == t, sys.getrefcount(s))\n",
    "import sys\ndef g(a='{w}'):\n    return sys.getrefcount(a)\nprint(g())\n",
    "import sys\nprint(sys.getrefcount(('{w}', 1)[0]))\n",
    "import sys\nprint(sys.getrefcount(f'{w}'))\n",
    "import sys\na = '{w}'\nb = '{w}'\nprint(a is b, sys.getrefcount(a))\n",
    "import sys\nprint(sys.getrefcount('{w}') - sys.getrefcount('{w}x'))\n",
)


def _all_grader_strings() -> list[str]:
    """The name-like strings of the grader's own modules (identifiers and constants)."""
    found: set[str] = set()
    for path in sorted(GRADER_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            for value in ast.iter_fields(node):
                text = value[1]
                if (
                    isinstance(text, str)
                    and len(text) > 3
                    and interned._is_name(text)
                    and not (text.startswith("_") and text.endswith("_"))  # the hooks' names
                ):
                    found.add(text)
    return sorted(found)


def _grader_strings(count: int) -> list[str]:
    """`count` of them, drawn reproducibly, plus the issue's own example."""
    return ["hello", *random.Random(18).sample(_all_grader_strings(), count)]


SNIPPETS = [template.format(w=word) for word in _grader_strings(8) for template in TEMPLATES]


def test_hello_counts_as_in_a_script(cpython):
    """The issue's example."""
    source = "import sys\nprint(sys.getrefcount('hello'))\n"
    assert grader.run(source).stdout == cpython(source).stdout


@pytest.mark.parametrize("source", SNIPPETS)
def test_interned_strings_count_as_in_a_script(source, cpython):
    outcome = grader.run(source)
    expected = cpython(source)
    assert (outcome.status, outcome.stdout, outcome.exception) == (
        expected.status,
        expected.stdout,
        expected.exception,
    ), source


def test_a_string_interned_at_run_time_is_refused_where_its_count_is_not_a_scripts(cpython):
    """`sys.intern` of a string built at run time finds the grader's immortal copy where a
    script interns the new string: refused with the reason, never a wrong count."""
    source = "import sys\ns = ''.join(['hel', 'lo'])\nprint(sys.getrefcount(sys.intern(s)))\n"
    outcome = grader.run(source)
    expected = cpython(source)
    if outcome.status == "rejected":
        assert "interned this string" in outcome.reasons[0]
    else:
        assert outcome.stdout == expected.stdout


def test_the_server_reports_the_strings_it_found_leaked():
    """3.12 interns every string immortal in a script too: nothing leaks. 3.13 does not."""
    found = grader.pool.server_hello(grader.configuration().python)["in_force"]
    leaked = found["leaked_interned_strings"]
    if grader.python_version().startswith("3.12."):
        assert leaked == 0
    else:
        assert leaked > 1000


DRIFT_PROBE = """
import ast, sys
from grader import interned
if not interned.interning_may_leak():
    print("no leak on this interpreter")
    raise SystemExit
compile("drift_probe_name", "<grader>", "eval")  # immortal here, as the grader's own names
interned._leaked = frozenset({"drift_probe_name"})
source = "x = 'drift_probe_name'\\n"
string = sys.intern("drift_probe_name")

def counted():
    tree = ast.parse(source)
    interned.mortalise_constants(tree)
    return interned.script_count(string, sys.getrefcount(string))

first = counted()
held_by_the_grader = sys.intern("drift_probe_name")  # a reference taken after it was made mortal
print(first == counted(), first, counted())
"""


def test_a_count_made_mortal_earlier_is_set_afresh_for_each_run(grader_interpreter):
    """A child forked from a process that made the string mortal before (its count moved by
    the references taken since) counts it as a script does: the count is set afresh each run,
    never trusted from before (a drift of 2 printed 5 for 3 on a CI run)."""
    import os
    import subprocess

    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [
            grader_interpreter,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {root!r})\n" + DRIFT_PROBE,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    if done.stdout.startswith("no leak"):
        pytest.skip("this interpreter interns every string immortal (3.12)")
    assert done.stdout.startswith("True"), done.stdout


SCAN_PROBE = """
import sys, types
sys.path.insert(0, {root!r})
import grader.execute, grader.server  # the modules the grader's server starts with
from grader import interned

found = interned._immortal_name_strings()

def code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from code_objects(const)

expected = set()
for module in list(sys.modules.values()):
    if not (module.__name__ or "").startswith("grader"):
        continue
    for value in list(vars(module).values()):
        functions = [value] if isinstance(value, types.FunctionType) else []
        if isinstance(value, type) and value.__module__ == module.__name__:
            functions = [f for f in vars(value).values() if isinstance(f, types.FunctionType)]
        for function in functions:
            for code in code_objects(function.__code__):
                for name in (*code.co_varnames, *code.co_names):
                    if interned._is_name(name) and sys.getrefcount(name) >= 1 << 30:
                        expected.add(name)
print(len(expected), sorted(expected - found))
"""


def test_the_scan_finds_every_immortal_name_of_the_graders_functions(grader_interpreter):
    """The scan holds what it walks: a `.pyc` file's code and 3.13's `co_varnames` tuples are
    made for the walk, and a set of ids skipped later objects given a freed one's id, with their
    strings (`address_space`, a local of sandbox.apply_run_limits, printed 4294967295 for 3)."""
    import subprocess

    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [grader_interpreter, "-I", "-c", SCAN_PROBE.format(root=root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    count, missed = done.stdout.split(" ", 1)
    assert int(count) > 1000
    assert missed.strip() == "[]"
