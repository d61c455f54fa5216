"""The Redis backend against a real redis-server and real grader workers (grader/worker.py):
a job goes through the queue to a worker and its outcome comes back; a worker killed mid-job
leaves the job to another; nobody answering is said plainly, within the timeout."""

import threading

import pytest
from django.urls import reverse

from grader import GraderUnavailable, Limits, jobs
from graderclient.backends import RedisBackend
from quizzes.models import Question
from tests.grader.conftest import run_in_cpython
from tests.helpers import ALIASING_SNIPPET, question_post
from tests.redis_fixtures import wait_for

# About a second of CPU in the sandbox: long enough to kill a worker in the middle of it. The
# machine running the tests may be busy: generous limits keep it from timing out meanwhile.
SLOW_SNIPPET = "print(sum(range(3 * 10**7)))\n"
PATIENT = Limits(cpu_seconds=10, wall_seconds=30)


def slow_job_under_way(client: RedisBackend) -> tuple[threading.Thread, list]:
    """Send SLOW_SNIPPET through `client` from a thread and return once a worker has started
    it: the thread, which ends with the reply, and the list the reply is put in."""
    from rq import Queue
    from rq.registry import StartedJobRegistry

    replies: list = []
    waiting = threading.Thread(
        target=lambda: replies.append(
            client.perform(jobs.make_job("run", SLOW_SNIPPET, limits=PATIENT), timeout=180)
        )
    )
    waiting.start()
    registry = StartedJobRegistry(queue=Queue("grader-test", connection=client.connection))
    wait_for(registry.get_job_ids, 60, "the worker to start the job")
    return waiting, replies


def backend(url: str, timeout_queue: str = "grader-test") -> RedisBackend:
    return RedisBackend({"redis_url": url, "queue": timeout_queue})


def test_a_job_goes_through_the_queue_to_a_worker_and_back(grader_workers):
    grader_workers.start("first")
    client = backend(grader_workers.url)
    reply = client.perform(jobs.make_job("run", ALIASING_SNIPPET, trace=True), timeout=60)
    assert reply["outcome"]["stdout"] == run_in_cpython(ALIASING_SNIPPET).stdout
    assert reply["outcome"]["trace"]["steps"]
    assert reply["python_version"] == reply["outcome"]["python_version"]
    assert reply["worker"] == "first"
    assert client.python_version() == reply["python_version"]
    assert client.worker_versions() == {"first": reply["python_version"]}
    varies = client.perform(
        jobs.make_job("output_varies", "print({'a', 'b', 'c', 'd'})"), timeout=60
    )
    assert varies["varies"] is True


def test_a_job_whose_worker_is_killed_mid_run_finishes_on_another(grader_workers):
    grader_workers.start("doomed")
    waiting, replies = slow_job_under_way(backend(grader_workers.url))
    grader_workers.kill("doomed")
    grader_workers.start("survivor")
    waiting.join(timeout=200)
    assert not waiting.is_alive()
    [reply] = replies
    assert reply["worker"] == "survivor"
    assert reply["outcome"]["status"] == "ok", reply
    assert reply["outcome"]["stdout"] == run_in_cpython(SLOW_SNIPPET).stdout


def test_no_worker_answering_is_reported_within_the_timeout(redis_url):
    client = backend(redis_url)
    with pytest.raises(GraderUnavailable, match="no grader worker is running"):
        client.perform(jobs.make_job("run", "print(1)"), timeout=2)
    # The job nobody waits for is taken off the queue: a worker starting later does not run it.
    from rq import Queue

    assert Queue("grader-test", connection=client.connection).count == 0
    assert client.python_version() == ""


def test_an_unreachable_queue_is_reported_without_its_password():
    client = RedisBackend({"redis_url": "redis://:s3cret@127.0.0.1:1/0"})
    with pytest.raises(GraderUnavailable) as raised:
        client.perform(jobs.make_job("run", "print(1)"), timeout=2)
    assert "s3cret" not in str(raised.value) and "127.0.0.1:1" in str(raised.value)


@pytest.mark.django_db
def test_the_admin_form_says_when_no_worker_answers(client, instructor, topic, settings, redis_url):
    settings.GRADER = {
        **settings.GRADER,
        "backend": "redis",
        "redis_url": redis_url,
        "queue": "grader-test",
        "timeout_seconds": 2,
    }
    client.force_login(instructor)
    response = client.post(
        reverse("admin:quizzes_question_add"), question_post(topic, "print(1)\n")
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith("The grader is unavailable, so nothing was saved: no grader worker")
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_an_admin_save_gets_its_key_from_a_worker(
    client, instructor, topic, settings, grader_workers
):
    grader_workers.start("only")
    settings.GRADER = {
        **settings.GRADER,
        "backend": "redis",
        "redis_url": grader_workers.url,
        "queue": "grader-test",
    }
    client.force_login(instructor)
    response = client.post(
        reverse("admin:quizzes_question_add"), question_post(topic, ALIASING_SNIPPET)
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.answer_key["stdout"] == run_in_cpython(ALIASING_SNIPPET).stdout
    assert question.key_python_version == backend(grader_workers.url).python_version()
    assert question.key_trace["steps"]
    # The misconception predictions came back from the worker too: under "assignment copies",
    # `b = a` copies, so appending to b leaves a as it was.
    copied = ALIASING_SNIPPET.replace("b = a\n", "import copy\nb = copy.deepcopy(a)\n")
    predicted = question.key_predictions["assignment-copies"]
    assert predicted["stdout"] == run_in_cpython(copied).stdout


def test_a_job_naming_a_line_goes_to_that_lines_workers(grader_workers):
    """One worker queue per interpreter line: a worker started with GRADER_PYTHON serves only
    its line's queue, and the client lists the lines the living workers serve."""
    import grader
    from grader import oracle

    others = grader.interpreters()[1:]
    if not others:
        pytest.skip("one interpreter configured (set GRADER_INTERPRETERS, as make test does)")
    other = others[0]
    line = grader.version_line(grader.python_version(other))
    grader_workers.start("default")
    grader_workers.start("other", python=other)
    client = backend(grader_workers.url)
    default_line = grader.version_line(client.python_version())
    assert client.python_lines() == [default_line, line]
    snippet = "import gc\nprint(gc.get_threshold()[0])\n"
    reply = client.perform(jobs.make_job("run", snippet, python=line), timeout=120)
    assert reply["worker"] == "other"
    assert reply["python_version"].startswith(line + ".")
    assert reply["outcome"]["stdout"] == oracle.run_script(snippet, other).stdout
    plain = client.perform(jobs.make_job("run", snippet), timeout=120)
    assert plain["worker"] == "default"
    assert plain["python_version"].startswith(default_line + ".")
