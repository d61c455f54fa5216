"""A snippet's string constant that something besides the snippet holds counts as in a script
(3.13, grader/interned.py): the grader's interpreter has made these strings immortal, and a run
makes the snippet's copy mortal again with a count set afresh.

- Attribute names the grader's own code looks up as every run starts (`ScriptImports.
  figures_used`, `self._loads`, `interned.mortalise_constants`): the type attribute cache keeps
  a reference to each name looked up. `sys.getrefcount('figures_used')` printed 4, and once the
  cache was emptied as the snippet started, names looked up before their count was set printed
  2, where a script prints 3.
- Names a script's start-up holds mortal, with references of its own (`strerror`, OSError's
  attribute, 7 in a script; `settrace`, held in the type attribute cache too, which any lookup
  may drop): the count was set without those references (3 for 7). They are refused now, never
  counted wrong. Generated: the names of sys's members and of the built-in exceptions'
  attributes that the grader's own source also holds.

Each name runs at places a script keeps a constant, in the grader and under `python -I`.
"""

import ast
import builtins
import sys
from pathlib import Path

import pytest

import grader
from grader import interned, oracle

GRADER_DIR = Path(grader.__file__).resolve().parent
TEMPLATES = (
    "import sys\nprint(sys.getrefcount('{w}'))\n",
    "import sys\nx = '{w}'\nprint(sys.getrefcount(x))\n",
    "import sys\nclass K:\n    pass\nk = K()\nsetattr(k, '{w}', 1)\n"
    "print(sys.getrefcount('{w}'))\n",
)
# Looked up by the grader's code on every run, before the snippet's first line: by the importer,
# the interned-string scan and as the counts are set.
LOOKED_UP = ("figures_used", "_loads", "script_arena_refs", "mortalise_constants", "from_address")


def _held_at_start_up() -> list[str]:
    """Member names of start-up objects (sys, the built-in exceptions) the grader's source has."""
    in_grader: set[str] = set()
    for path in sorted(GRADER_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            in_grader.update(
                value
                for _field, value in ast.iter_fields(node)
                if isinstance(value, str) and interned._is_name(value)
            )
    exceptions = [
        value
        for value in vars(builtins).values()
        if isinstance(value, type) and issubclass(value, BaseException)
    ]
    members = {name for obj in (sys, *exceptions) for name in dir(obj) if name[:2] != "__"}
    return sorted(members & in_grader)


@pytest.mark.parametrize("python", grader.interpreters())
@pytest.mark.parametrize("template", TEMPLATES)
def test_names_the_grader_looks_up_count_as_in_a_script(python, template):
    for name in LOOKED_UP:
        source = template.format(w=name)
        outcome = grader.run(source, python=python)
        expected = oracle.run_script(source, python, 60)
        assert (outcome.stdout, outcome.exception) == (expected.stdout, expected.exception), source


HELD_PROBE = "import sys\nprint(*[s for s in {listed!r}.split() if sys.intern(s) is not s])\n"


@pytest.mark.parametrize("python", grader.interpreters())
@pytest.mark.parametrize("template", TEMPLATES[:2])
def test_names_a_scripts_start_up_holds_are_counted_as_in_a_script_or_refused(python, template):
    names = _held_at_start_up()
    assert "strerror" in names
    held = oracle.run_script(HELD_PROBE.format(listed=" ".join(names)), python, 60).stdout.split()
    assert "strerror" in held
    for name in names:
        source = template.format(w=name)
        outcome = grader.run(source, python=python)
        expected = oracle.run_script(source, python, 60)
        if outcome.status == "rejected" and name in held:
            assert "interned this string" in outcome.reasons[0], source
            continue
        assert (outcome.stdout, outcome.exception) == (expected.stdout, expected.exception), source
