"""The value-family hunt (issue 12) in `make test`: no accepted snippet may differ from a script.

grader/hunt_snippets.py generates the snippets of each family (folded-constant refcounts at
each site, refcounts of the stand-ins, recursion through each protocol, introspection of the
stand-ins and guarded builtins, sys.stdout's attributes, exit and exception-group forms).
Each runs in the grader and under plain `python -I`; a refusal is fine, an accepted difference
fails. It runs once per configured interpreter (grader.interpreters(): the grader's own and
GRADER_INTERPRETERS, CPython 3.13 in `make test`), the grader and the oracle under it.
The per-family counts are printed (`pytest -s`), as `python -m grader.hunt [--on PATH]` does.
"""

import pytest

import grader
from grader import hunt, hunt_snippets


@pytest.fixture(
    scope="module", params=grader.interpreters(), ids=lambda p: grader.python_version(p)
)
def counts_on(request) -> tuple[str, dict]:
    """The hunt with the grader and the oracle under one configured interpreter."""
    counts = hunt.hunt(request.param)
    print("\n" + hunt.report(counts, f"on Python {grader.python_version(request.param)}"))
    return request.param, counts


@pytest.mark.parametrize("family", hunt_snippets.FAMILIES)
def test_no_accepted_snippet_differs_from_a_script(family, counts_on):
    _python, counts = counts_on
    count = counts[family]
    assert count.accepted + count.refused > 0
    assert not count.wrong, "\n\n".join(
        f"{source}grader: {ours}\nscript: {script}" for source, ours, script in count.wrong
    )


def test_each_family_generates_many_snippets():
    sizes = {name: len(generate()) for name, generate in hunt_snippets.FAMILIES.items()}
    assert all(size >= 40 for size in sizes.values()), sizes
