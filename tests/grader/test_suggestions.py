"""'Did you mean' and 'Did you forget to import' as a script prints them (grader/suggestions.py):
the C algorithm of 3.12 or traceback.py of 3.13, over a script's names, whatever the hash seed.
More cases, generated, in test_policy_hunt.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import grader
from grader import suggestions

PROJECT_ROOT = Path(__file__).resolve().parents[2]

CASES = [
    "print(sys.getrefcount([]))\n",
    "x = 1\nprint(tpye(x))\n",
    "print(ln([1]))\n",
    "print(st(1))\n",
    "print(di())\n",
    "set().ad(1)\n",
    "opn('f')\n",
    "inpt()\n",
    "print(varss())\n",
    "print(dct)\n",
    "print(suepr)\n",
    "from sys import getrefcont\n",
    "import gc\ngc.colect()\n",
    "class A:\n    def f(self):\n        self.blech = 1\n        return blech\nA().f()\n",
    "def f():\n    print(lenn)\n    lenn = 1\nf()\n",  # UnboundLocalError: 3.12 offers none
    "len = 3\nprint(lne)\n",  # a global closer than the builtin
    "print(math.pi)\n",
]


@pytest.mark.parametrize("source", CASES)
def test_suggestion_is_pythons(source, cpython):
    outcome, expected = grader.run(source), cpython(source)
    assert (outcome.status, outcome.exception) == ("raised", expected.exception)


@pytest.mark.parametrize("seed", ["0", "1", "2", "3"])
def test_suggestion_does_not_follow_the_hash_seed(seed, cpython):
    sources = ["print(dct)\n", "print(suepr)\n", "print(ste)\n", "print(rnage)\n"]
    code = (
        f"import sys; sys.path.insert(0, {str(PROJECT_ROOT)!r})\n"
        "from grader.execute import execute\n"
        f"for source in {sources!r}:\n"
        "    print(execute(source, output_bytes=1000)['exception'])\n"
    )
    environment = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120
    )
    assert done.stdout.splitlines() == [cpython(source).exception for source in sources]


def test_a_scripts_globals_and_builtins(cpython):
    """What the suggestions are drawn from is what a script has, in its order."""
    source = "import builtins\nprint(list(globals()))\nprint(list(vars(builtins)))\n"
    assert cpython(source).stdout == (
        f"{suggestions.SCRIPT_GLOBALS + ['builtins']}\n{list(suggestions.SCRIPT_BUILTINS)}\n"
    )


def test_the_port_measures_as_c_does():
    """levenshtein_distance on UTF-8 bytes with CPython's costs: a case flip costs 1, a move 2."""
    assert suggestions.levenshtein_distance(b"Len", b"len", 10) == 1
    assert suggestions.levenshtein_distance(b"ln", b"len", 10) == 2
    assert suggestions.levenshtein_distance(b"abc", b"xyz" * 20, 4) == 5


def test_a_refusal_while_suggesting_is_a_refusal():
    """A NameError in a method looks the name up on `self`, which runs the snippet's
    `__getattr__`: what it does there is checked as anywhere else."""
    source = (
        "class A:\n    def __getattr__(self, name):\n        import sys\n"
        "        return sys.modules\n"
        "    def f(self):\n        return blech\nA().f()\n"
    )
    outcome = grader.run(source)
    assert (outcome.status, outcome.reasons[0][:20]) == ("rejected", "line 4: `sys.modules")
