"""Long work as background tasks (django.tasks; the immediate backend here): started from the
admin or the command line, queued once the request's transaction commits, with progress and
outcome listed for the instructor."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from backgroundtasks import services
from backgroundtasks.models import TaskRecord
from content.models import ConceptPage
from quizzes.models import Question
from tests.grader.conftest import run_in_cpython
from tests.helpers import ALIASING_SNIPPET

PAGE_BODY = "Aliasing:\n\n```python\na = [1]\nb = a\nb.append(2)\nprint(a)\n```\n"


@pytest.fixture
def stale_question(typed_question):
    """A question whose stored key is wrong (as if from another interpreter)."""
    Question.objects.filter(pk=typed_question.pk).update(
        answer_key={**typed_question.answer_key, "stdout": "stale\n"}, key_python_version="3.0.0"
    )
    return typed_question


@pytest.mark.django_db
def test_an_instructor_recomputes_all_keys_in_the_background_and_sees_the_outcome(
    client, instructor, stale_question, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    changelist = reverse("admin:backgroundtasks_taskrecord_changelist")
    page = client.get(changelist)
    assert b"Recompute all answer keys" in page.content
    start = reverse("admin:backgroundtasks_taskrecord_start", args=["keys"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start, follow=True)
    assert "Started: Recompute all answer keys" in response.content.decode()
    record = TaskRecord.objects.get()
    assert record.status == TaskRecord.Status.SUCCEEDED
    assert record.progress == "1 of 1 questions"
    assert record.task_id and record.requested_by == instructor
    assert "1 changed" in record.summary and f"CHANGED {stale_question.slug}" in record.summary
    stale_question.refresh_from_db()
    assert stale_question.answer_key["stdout"] == run_in_cpython(ALIASING_SNIPPET).stdout
    listed = client.get(changelist).content.decode()
    assert "Finished" in listed and "1 of 1 questions" in listed


@pytest.mark.django_db
def test_page_outputs_are_recomputed_in_the_background(
    client, instructor, topic, django_capture_on_commit_callbacks
):
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=PAGE_BODY)
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:backgroundtasks_taskrecord_start", args=["outputs"]))
    record = TaskRecord.objects.get()
    assert record.status == TaskRecord.Status.SUCCEEDED, record.summary
    [output] = page.block_outputs.all()
    assert (
        output.outcome["stdout"] == run_in_cpython("a = [1]\nb = a\nb.append(2)\nprint(a)\n").stdout
    )


@pytest.mark.django_db
def test_a_task_is_queued_only_when_the_transaction_commits(
    stale_question, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [keys, outputs] = services.start_full_refresh(force=True, user=None)
    assert TaskRecord.objects.get(pk=keys.pk).status == TaskRecord.Status.QUEUED
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert {r.status for r in TaskRecord.objects.all()} == {TaskRecord.Status.SUCCEEDED}


@pytest.mark.django_db
def test_a_failing_task_says_why(stale_question, monkeypatch, django_capture_on_commit_callbacks):
    from grader import GraderUnavailable
    from graderclient import backends

    def down(self, job, *, timeout):
        raise GraderUnavailable("no grader worker is running")

    monkeypatch.setattr(backends.InProcessBackend, "perform", down)
    with django_capture_on_commit_callbacks(execute=True):
        record = services.task_start(
            name=services.KEYS, task=services.tasks.recompute_answer_keys, user=None
        )
    record.refresh_from_db()
    assert record.status == TaskRecord.Status.FAILED
    assert record.summary == "GraderUnavailable: no grader worker is running"


@pytest.mark.django_db
def test_students_cannot_start_tasks(client, student):
    client.force_login(student)
    response = client.post(reverse("admin:backgroundtasks_taskrecord_start", args=["keys"]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not TaskRecord.objects.exists()


@pytest.mark.django_db
def test_the_command_can_queue_the_work_in_the_background(
    stale_question, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("refresh_answer_keys", "--background")
    assert "Queued: Recompute all answer keys" in capsys.readouterr().out
    assert {r.status for r in TaskRecord.objects.all()} == {TaskRecord.Status.SUCCEEDED}
    stale_question.refresh_from_db()
    assert stale_question.answer_key["stdout"] != "stale\n"
