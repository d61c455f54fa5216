"""make loadtest's scenario, run for a few students against a live server: every student logs
in, starts the quiz, autosaves, submits and opens the result, with no error (no timing checked:
the figures are a benchmark's, printed by `make loadtest`)."""

import io
import json
import os
import re
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.core.management import call_command

from quizzes.models import Attempt, Response

pytestmark = pytest.mark.django_db(transaction=True)

STUDENTS = 5


@pytest.fixture
def one_request_at_a_time(live_server):
    """The live server's threads share the test's in-memory SQLite connection, where two writes
    at once fail instead of queueing as they do on a file (`make run`): serve one at a time."""
    server = live_server.thread.httpd
    app = server.get_app()
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    server.set_app(serialised)
    yield live_server
    server.set_app(app)


def test_a_few_students_take_the_quiz_through_the_benchmark_without_an_error(
    one_request_at_a_time, quiz, tmp_path
):
    password_file = tmp_path / "password"
    call_command(
        "create_load_students",
        count=STUDENTS,
        quiz=quiz.slug,
        password_file=password_file,
        stdout=io.StringIO(),
    )
    environment = {
        **os.environ,
        "LOADTEST_QUIZ": quiz.slug,
        "LOADTEST_PASSWORD_FILE": str(password_file),
        "LOADTEST_SAVES": "2",
        "LOADTEST_SAVE_WAIT": "0.01,0.05",
        "LOADTEST_SPIKE_SECONDS": "0.5",
    }
    run = subprocess.run(
        [sys.executable, "-m", "loadtest", "--host", one_request_at_a_time.url]
        + ["--users", str(STUDENTS), "--spawn-rate", str(STUDENTS), "--time-limit", "120"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for name in ("login", "start", "attempt page", "save", "submit", "result"):
        assert any(line.startswith(name + " ") for line in run.stdout.splitlines()), name
    assert f"exam opened -> attempt page: {STUDENTS} of {STUDENTS} students" in run.stdout
    assert ", 0 errors" in run.stdout
    # Every save is counted in one of the exam's phases (spike, answering, submitting).
    lines = run.stdout.splitlines()
    saves = int(next(line for line in lines if line.startswith("save ")).split()[1])
    by_phase = re.findall(r"^saves (\w+) \(.*?\): (\d+),", run.stdout, re.M)
    assert by_phase and sum(int(count) for _, count in by_phase) == saves, run.stdout
    submitted = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    assert submitted.count() == STUDENTS
    # Each student saved both questions: the typed one twice (a draft, then the answer).
    assert Response.objects.filter(attempt__in=submitted).count() == 2 * STUDENTS


def test_the_students_are_spread_over_a_clusters_web_processes():
    """`--host "URL1 URL2"` (make cluster's two web processes): students alternate, as behind
    the reverse proxy. Run in a subprocess: Locust patches the standard library for gevent."""
    program = (
        "import json; from locust.env import Environment; "
        "from loadtest.scenario import Student; "
        "environment = Environment(user_classes=[Student], host='http://a:1 http://b:2'); "
        "Student.host = environment.host; "
        "print(json.dumps([Student(environment).client.base_url for _ in range(4)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["http://a:1", "http://b:2", "http://a:1", "http://b:2"]
