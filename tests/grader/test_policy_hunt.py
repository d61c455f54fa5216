"""The policy's hunt (grader/policy_hunt.py) in the suite: every generated snippet the grader
accepts prints and raises what `python -I` does, on each configured interpreter (this module and
test_allow.py are per interpreter: conftest.PER_INTERPRETER). The misspelled-name families are
here; the allowed constructs' families are test_allow.py's.

Per-family counts: `python -m grader.policy_hunt [--python=PATH]`.
"""

import pytest

from grader import policy_hunt as hunt


@pytest.mark.parametrize("family", sorted(hunt.misspelled_name_family()))
def test_misspelled_names_match_python(family):
    figures = hunt.run_family(family)
    assert figures["accepted"] == figures["snippets"] > 0
    assert figures["wrong"] == []
