"""The policy's hunt (grader/policy_hunt.py) in the suite: every generated snippet the grader
accepts prints and raises what `python -I` does, on the grader's CPython and on the other one.
The misspelled-name families are here; the allowed constructs' families are test_allow.py's.

Per-family counts: `python -m grader.policy_hunt` (and `--in-process` under the other interpreter).
"""

import pytest

from grader import policy_hunt as hunt
from tests.grader.other_cpython import find_other_cpython


@pytest.mark.parametrize("family", sorted(hunt.misspelled_name_family()))
def test_misspelled_names_match_python(family):
    figures = hunt.run_family(family)
    assert figures["accepted"] == figures["snippets"] > 0
    assert figures["wrong"] == []


def test_every_family_matches_the_other_python():
    """All families, misspelled names and allowed constructs, under the other CPython."""
    python = find_other_cpython()
    if python is None:
        pytest.skip("no other CPython found (set OTHER_CPYTHON)")
    done = hunt.run_under(python, [])
    assert (done.returncode, done.stderr[-2000:]) == (0, ""), done.stdout[-4000:]
    figures = [line for line in done.stdout.splitlines() if " snippets, " in line]
    assert len(figures) == len(hunt.all_families())
    assert all(line.endswith(" 0 accepted and different") for line in figures), figures
