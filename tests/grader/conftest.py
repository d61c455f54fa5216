"""Shared fixtures of the grader tests: plain CPython as the oracle, and a check that it serves.

The fidelity, deny, limit and policy-hunt suites (PER_INTERPRETER) run once per configured
interpreter (grader.interpreters(): the grader's own and GRADER_INTERPRETERS, which `make test`
sets to CPython 3.13): each test of theirs takes the `grader_interpreter` parameter, which
makes that interpreter the grader's default and the `cpython` oracle's for the test.

The grader's tests do not need Django: nothing here imports it.
"""

import pytest

import grader
from grader import oracle

CPythonRun = oracle.ScriptRun
PER_INTERPRETER = {
    "test_allow",
    "test_policy_hunt",
    "test_fidelity",
    "test_deny",
    "test_deny_allowed",
    "test_limits",
    "test_interned",
}


def run_in_cpython(source: str | bytes, timeout: float = 60) -> oracle.ScriptRun:
    """What plain `python -I file.py` does with the source, for the grader's current default
    interpreter (grader/oracle.py)."""
    return oracle.run_script(source, grader.configuration().python, timeout)


def pytest_generate_tests(metafunc):
    module = metafunc.module.__name__.rpartition(".")[2]
    if module in PER_INTERPRETER and "grader_interpreter" in metafunc.fixturenames:
        paths = grader.interpreters()
        metafunc.parametrize(
            "grader_interpreter",
            paths,
            indirect=True,
            scope="module",
            ids=[grader.version_line(grader.python_version(path)) for path in paths],
        )


@pytest.fixture(scope="module", autouse=True)
def grader_interpreter(request):
    """The interpreter the module's tests run the grader and the oracle under (the default
    one unless the module is per interpreter)."""
    python = getattr(request, "param", None)
    saved = grader.configuration().python
    if python is None or python == saved:
        yield saved
        return
    grader.configure(python=python)
    try:
        yield python
    finally:
        grader.configure(python=saved)


@pytest.fixture(scope="module")
def cpython(grader_interpreter):
    """`cpython(source)` -> CPythonRun: what plain CPython prints and raises for the source,
    under the module's interpreter (fixtures of the module built on it follow the parameter)."""
    return lambda source, timeout=60: oracle.run_script(source, grader_interpreter, timeout)


@pytest.fixture
def assert_grader_serves(cpython):
    """After a limit or a crash, check that the next run behaves normally (as CPython does)."""

    def check() -> None:
        source = "items = [1, 2]\nalias = items\nalias.append(3)\nprint(items, alias is items)\n"
        outcome = grader.run(source)
        expected = cpython(source)
        assert (outcome.status, outcome.stdout, outcome.exception) == (
            "ok",
            expected.stdout,
            expected.exception,
        )

    return check
