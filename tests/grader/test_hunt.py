"""The policy's hunt (grader/hunt.py) in the suite: every generated snippet the grader accepts
prints and raises what `python -I` does, on the grader's CPython and on the other one found.

Per-family counts: `python -m grader.hunt` (and `--in-process` under the other interpreter).
"""

import pytest

from grader import hunt
from tests.grader.other_cpython import find_other_cpython, run_in_other


def _differences(report: dict) -> dict:
    return {family: figures["wrong"] for family, figures in report.items() if figures["wrong"]}


@pytest.mark.parametrize("family", sorted(hunt.all_families()))
def test_accepted_snippets_match_python(family):
    report = hunt.hunt({family: hunt.all_families()[family]})
    assert report[family]["accepted"] > 0
    assert _differences(report) == {}


def test_accepted_snippets_match_the_other_python(tmp_path):
    python = find_other_cpython()
    if python is None:
        pytest.skip("no other CPython found (set OTHER_CPYTHON)")
    code = "from grader.hunt import main; sys.exit(main(['--in-process']))"
    done = run_in_other(python, tmp_path, code, timeout=600)
    assert (done.returncode, done.stderr[-2000:]) == (0, ""), done.stdout[-4000:]
    assert " 0 accepted and different" in done.stdout
