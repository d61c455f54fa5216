"""The grader client: the site's grader calls go through it, its jobs are checked at the
boundary, the machine's local service is shared, and the worker imports no Django."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import grader
import graderclient
from grader import GraderUnavailable, jobs
from quizzes import services
from quizzes.models import Question
from tests.grader.conftest import run_in_cpython
from tests.helpers import ALIASING_SNIPPET, question_post

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def recorded_jobs(monkeypatch):
    """Every job the site hands to the grader backend, by kind."""
    kinds: list[str] = []
    backend = graderclient.backend()
    real = backend.perform

    def perform(job, *, timeout):
        kinds.append(job["kind"])
        return real(job, timeout=timeout)

    monkeypatch.setattr(backend, "perform", perform)
    return kinds


@pytest.mark.django_db
def test_an_admin_save_runs_every_grader_call_through_the_client(
    client, instructor, topic, recorded_jobs
):
    client.force_login(instructor)
    response = client.post(
        reverse("admin:quizzes_question_add"), question_post(topic, "print(1)\n")
    )
    assert response.status_code == 302
    assert sorted(set(recorded_jobs)) == [
        "collector_dependent",
        "output_varies",
        "predict_misconceptions",
        "run",
    ]
    key = Question.objects.get(slug="new-question").answer_key
    assert key["stdout"] == run_in_cpython("print(1)\n").stdout


@pytest.mark.django_db
def test_a_key_refresh_runs_through_the_client(typed_question, recorded_jobs):
    recorded_jobs.clear()
    services.refresh_answer_key(typed_question, force=True)
    assert "run" in recorded_jobs
    assert typed_question.answer_key["stdout"] == run_in_cpython(ALIASING_SNIPPET).stdout


@pytest.mark.parametrize(
    ("job", "complaint"),
    [
        ([], "JSON object"),
        ({"kind": "shell", "source": "", "trace": False, "limits": {}}, "kind"),
        ({"kind": "run", "source": b"x", "trace": False, "limits": {}}, "source"),
        ({"kind": "run", "source": "", "trace": 1, "limits": {}}, "trace"),
        ({"kind": "run", "source": "", "trace": False, "limits": {"cpu_seconds": 1}}, "limits"),
        ({**jobs.make_job("run", ""), "env": {}}, "unknown"),
        (
            {
                **jobs.make_job("run", ""),
                "limits": {**jobs.make_job("run", "")["limits"], "wall_seconds": 3600},
            },
            "wall_seconds",
        ),
        (
            {
                **jobs.make_job("run", ""),
                "limits": {**jobs.make_job("run", "")["limits"], "memory_mb": 1},
            },
            "memory_mb",
        ),
        # A simulation names a misconception of the catalogue; no other job names one.
        ({**jobs.make_job("run", ""), "kind": "simulate"}, "misconception"),
        ({**jobs.make_job("run", ""), "misconception": "assignment-copies"}, "misconception"),
        (
            {
                **jobs.make_job("simulate", "", misconception="assignment-copies"),
                "misconception": "rm -rf",
            },
            "misconception",
        ),
    ],
)
def test_a_job_of_the_wrong_shape_is_refused_before_anything_runs(job, complaint):
    with pytest.raises(jobs.InvalidJob, match=complaint):
        jobs.perform(job)


def test_a_simulation_runs_through_the_client_with_its_trace(db):
    source = "a = [1]\nb = a\nb.append(2)\nprint(a)\n"
    simulated = graderclient.simulate(source, "assignment-copies", trace=True)
    expected = grader.simulate(source, "assignment-copies", trace=True)
    assert (
        (simulated.status, simulated.stdout)
        == (expected.status, expected.stdout)
        == (
            "ok",
            "[1]\n",
        )
    )
    assert simulated.trace is not None and simulated.trace["version"] == expected.trace["version"]


def test_the_worker_imports_no_django_and_needs_only_its_redis_url():
    probe = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import grader.worker, grader.jobs, grader.local_service
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("django", "config")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(ROOT)],
        env={},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    missing_url = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); from grader.worker import main; main()",
            str(ROOT),
        ],
        env={},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing_url.returncode != 0 and "GRADER_REDIS_URL" in missing_url.stderr


LOCAL_CALLER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import django
from django.conf import settings
settings.configure()
from graderclient.backends import LocalBackend
from grader import jobs
reply = LocalBackend({"local_socket": sys.argv[2]}).perform(jobs.make_job("run", "print(6 * 7)"),
                                                       timeout=60)
print(json.dumps(reply))
"""


def _services_listening_on(socket_path: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if socket_path.encode() in command and b"grader.local_service" in b" ".join(command):
            pids.append(int(entry))
    return pids


def test_web_processes_on_one_machine_share_one_local_grader_service(tmp_path):
    socket_path = str(tmp_path / "grader" / "grader.sock")
    callers = [
        subprocess.Popen(
            [sys.executable, "-c", LOCAL_CALLER, str(ROOT), socket_path],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        replies = [json.loads(caller.communicate(timeout=120)[0]) for caller in callers]
        assert [reply["outcome"]["stdout"] for reply in replies] == ["42\n"] * 3
        assert len(_services_listening_on(socket_path)) == 1
    finally:
        for pid in _services_listening_on(socket_path):
            os.kill(pid, 15)


def test_a_local_service_that_cannot_start_is_reported_not_hung(tmp_path):
    (tmp_path / "file").write_text("")
    backend = graderclient.backends.LocalBackend(
        {"local_socket": str(tmp_path / "file" / "x.sock")}
    )
    with pytest.raises(GraderUnavailable, match="could not start"):
        backend.perform(jobs.make_job("run", "print(1)"), timeout=5)


def test_a_worker_whose_grader_cannot_serve_says_so_plainly(monkeypatch):
    from grader import worker

    def broken(job):
        raise GraderUnavailable("the grader refuses to serve; its self-check found: no seccomp")

    invalid = json.loads(worker.perform_job({"kind": "run"}))
    assert invalid["error"].startswith("invalid job: ")
    monkeypatch.setattr(jobs, "perform", broken)
    reply = json.loads(worker.perform_job(jobs.make_job("run", "print(1)")))
    assert reply["unavailable"] == "the grader refuses to serve; its self-check found: no seccomp"
    with pytest.raises(GraderUnavailable, match="no seccomp"):
        graderclient._reply_checked(reply)


def test_a_jobs_reply_carries_the_outcome_as_to_dict_has_it_without_copying_the_trace(
    monkeypatch,
):
    """The reply is encoded at once: the outcome's own trace goes in it, not a deep copy of every
    step (dataclasses.asdict's), which was a share of the grader service's CPU per run."""
    made = grader.run(ALIASING_SNIPPET, trace=True)
    monkeypatch.setattr(grader, "run", lambda *args, **kwargs: made)
    reply = jobs.perform(jobs.make_job("run", ALIASING_SNIPPET, trace=True))
    assert reply["outcome"] == made.to_dict()
    assert reply["outcome"]["trace"] is made.trace
    assert graderclient.outcome_from_dict(json.loads(json.dumps(reply["outcome"]))) == made
