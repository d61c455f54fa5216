"""The grader configured by a list of interpreters (issue 18 §2): one grader server per
interpreter path, a job naming its line ("3.13") runs there, a line not configured is refused
clearly, and a new line is configuration only (any CPython path serves: the grader server links
in this environment's RestrictedPython)."""

import pytest

import grader
from grader import jobs, oracle

SNIPPET = "import gc\nprint(gc.get_threshold()[0])\n"


def test_every_configured_interpreter_has_its_own_server_and_line():
    lines = grader.interpreter_lines()
    assert list(lines.values())[0] == grader.configuration().python
    for line, python in lines.items():
        outcome = grader.run(SNIPPET, python=python)
        assert outcome.python_version.startswith(line + ".")
        assert outcome.stdout == oracle.run_script(SNIPPET, python).stdout
        assert grader.pool.server_hello(python)["python_version"] == outcome.python_version


def test_a_job_runs_on_the_line_it_names():
    for line, python in grader.interpreter_lines().items():
        reply = jobs.perform(jobs.make_job("run", SNIPPET, python=line))
        assert reply["python_version"].startswith(line + ".")
        assert reply["outcome"]["stdout"] == oracle.run_script(SNIPPET, python).stdout


def test_a_job_for_a_line_not_configured_is_refused_by_name():
    with pytest.raises(jobs.NoInterpreter, match="no grader interpreter for Python 2.7"):
        jobs.perform(jobs.make_job("run", SNIPPET, python="2.7"))


@pytest.mark.parametrize("line", ["3", "three", "3.13.0", 313, ""])
def test_a_malformed_line_is_an_invalid_job(line):
    job = {**jobs.make_job("run", SNIPPET), "python": line}
    with pytest.raises(jobs.InvalidJob, match="interpreter line"):
        jobs.validated_job(job)


def test_interpreters_must_be_executables():
    with pytest.raises(ValueError, match="interpreters must be executable"):
        grader.configure(interpreters=["/nonexistent/python"])
    with pytest.raises(ValueError, match="interpreters must be executable"):
        grader.configure(interpreters="/usr/bin/python3")


def test_grader_interpreters_is_read_from_the_environment(monkeypatch):
    from grader import config

    monkeypatch.setenv("GRADER_INTERPRETERS", " /a/python3.13 : /b/python3.14 :")
    assert config.defaults().interpreters == ("/a/python3.13", "/b/python3.14")
