"""Management commands: seed_demo, load_content, refresh_answer_keys, write_pygments_css.

export_content is tested with the round trip in test_export.py."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

import grader
from content import runs
from content import services as content_services
from content.models import CodeBlockOutput, ConceptPage
from quizzes import services
from quizzes.models import Question, Response

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent_and_documented():
    run("seed_demo")
    run("seed_demo")
    User = get_user_model()
    assert User.objects.count() == 2
    student = authenticate(username="student", password="memory-model")
    instructor = authenticate(username="instructor", password="memory-model")
    assert student and not student.is_staff
    assert instructor.is_staff and not instructor.is_superuser
    assert list(instructor.groups.values_list("name", flat=True)) == ["Instructors"]
    assert instructor.has_perm("quizzes.change_question")


def test_seed_demo_on_every_start_keeps_what_was_changed_since():
    """`make run` calls seed_demo on every start: a demo password changed (or an account
    deactivated) in the admin stayed changed only until the next restart."""
    run("seed_demo")
    User = get_user_model()
    instructor = User.objects.get(username="instructor")
    instructor.set_password("changed-by-its-owner")
    instructor.save()
    User.objects.filter(username="student").update(is_active=False)

    out = run("seed_demo")
    assert "Kept instructor" in out and "Kept student" in out and "--reset" in out
    assert authenticate(username="instructor", password="changed-by-its-owner")
    assert not User.objects.get(username="student").is_active

    out = run("seed_demo", "--reset")
    assert "Reset instructor" in out and "Reset student" in out
    assert authenticate(username="instructor", password="memory-model")
    assert authenticate(username="student", password="memory-model")


def test_load_content_reports_a_missing_directory(tmp_path):
    with pytest.raises(CommandError, match="not a directory"):
        run("load_content", str(tmp_path / "missing"))


def test_load_content_refuses_malformed_fixtures(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "x.toml").write_text("[topic]\n")
    with pytest.raises(CommandError, match="malformed; nothing was loaded"):
        run("load_content", str(tmp_path))


PROSE_TOPIC = """
[topic]
slug = "identity"
title = "Identity"
order = 1

[[pages]]
slug = "identity-words"
title = "Identity in words"
body = '''
Every object has an identity.
'''
"""


def test_load_content_keeps_admin_edits_unless_told_to_overwrite(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "01-identity.toml").write_text(PROSE_TOPIC)
    assert "pages: 1 new, 0 updated, 0 unchanged, 0 skipped" in run("load_content", str(tmp_path))
    ConceptPage.objects.update(body="The instructor's words.\n")

    kept = run("load_content", str(tmp_path))
    assert "pages: 0 new, 0 updated, 0 unchanged, 1 skipped" in kept
    assert "SKIPPED page identity-words: changed since it was last loaded; kept as it is." in kept
    assert ConceptPage.objects.get().body == "The instructor's words.\n"

    replaced = run("load_content", str(tmp_path), "--overwrite")
    assert "OVERWRITTEN page identity-words" in replaced
    assert ConceptPage.objects.get().body == "Every object has an identity.\n"


def test_refresh_reports_changes_and_invalid_questions_without_touching_attempts(
    student, quiz, typed_question, choice_question, caplog
):
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = quiz.quiz_questions.get(question=choice_question)
    services.save_answer(
        attempt=attempt, quiz_question=entry, choice=choice_question.choices.first()
    )
    services.submit_attempt(attempt=attempt)
    graded_before = list(Response.objects.values())
    # Simulate an edit that bypassed the admin, and a key from an older interpreter.
    Question.objects.filter(pk=choice_question.pk).update(snippet="print('other')\n")
    Question.objects.filter(pk=typed_question.pk).update(key_python_version="3.11.9")

    output = run("refresh_answer_keys")

    assert f"CHANGED {choice_question.slug}" in output
    assert f"INVALID {choice_question.slug} (unpublished)" in output
    assert f"CHANGED {typed_question.slug}" not in output  # same outcome under a new version
    assert "1 key(s) changed, 1 question(s) invalid" in output
    typed_question.refresh_from_db()
    assert typed_question.key_python_version == runs.current_python_version()
    assert list(Response.objects.values()) == graded_before
    # What an operator reads in the log: the changed key, the withdrawn question, the summary.
    logged = {(r.name, r.levelname, r.getMessage()) for r in caplog.records}
    changed = next(m for n, _, m in logged if n == "quizzes.services" and "key changed" in m)
    assert changed.startswith(f"Question {choice_question.slug}: the answer key changed from ")
    assert changed.endswith(f"to ok 'other' (Python {runs.current_python_version()})")
    assert ("quizzes.services", "WARNING", changed) in logged
    assert any(
        (name, level) == ("quizzes.services", "WARNING")
        and message.startswith(f"Question {choice_question.slug} unpublished: ")
        for name, level, message in logged
    )
    assert (
        "content.management.commands.refresh_answer_keys",
        "INFO",
        f"refresh_answer_keys (Python {runs.current_python_version()}): 2 key(s) and 0 page "
        "output(s) recomputed, 1 key(s) changed, 1 question(s) invalid",
    ) in logged


def test_refresh_recomputes_page_outputs(topic, caplog):
    page = ConceptPage.objects.create(
        topic=topic, slug="p", title="P", body="```python\nprint(2 ** 10)\n```\n"
    )
    content_services.refresh_page_outputs(page)
    CodeBlockOutput.objects.update(python_version="3.11.9", outcome={"status": "ok"})
    output = run("refresh_answer_keys", "--only-stale")
    assert "1 code block output(s)" in output
    stored = CodeBlockOutput.objects.get()
    assert stored.python_version == runs.current_python_version()
    assert stored.outcome["stdout"] == grader.run("print(2 ** 10)\n").stdout
    assert [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "content.services"
    ] == [("INFO", "Concept page p: ran 1 of its 1 code block(s) and stored their outputs")] * 2


@pytest.mark.django_db(transaction=True)
def test_refresh_runs_no_grader_call_inside_a_transaction(typed_question, topic, grader_calls):
    page = ConceptPage.objects.create(
        topic=topic, slug="p", title="P", body="```python\nprint(2 ** 10)\n```\n"
    )
    content_services.refresh_page_outputs(page)
    Question.objects.update(key_python_version="3.11.9")
    CodeBlockOutput.objects.update(python_version="3.11.9")
    grader_calls.clear()

    assert "1 answer key(s) and 1 code block output(s)" in run(
        "refresh_answer_keys", "--only-stale"
    )
    run("refresh_answer_keys")

    plain_runs = [call for call in grader_calls if call[0] != "predict_misconceptions"]
    assert len(plain_runs) == 8, "a plain and a traced run per key and per block, twice"
    assert ("predict_misconceptions", False) in grader_calls, "the key's predictions"
    assert [call for call in grader_calls if call[1]] == [], "grader calls inside a transaction"
    assert CodeBlockOutput.objects.get().python_version == runs.current_python_version()


def test_write_pygments_css_regenerates_the_committed_file(tmp_path, monkeypatch):
    from content.management.commands import write_pygments_css

    committed = write_pygments_css.STYLESHEET
    target = tmp_path / "pygments.css"
    monkeypatch.setattr(write_pygments_css, "STYLESHEET", target)
    run("write_pygments_css")
    assert target.read_text() == committed.read_text()
    assert ".highlight .k" in target.read_text()  # the keyword style Pygments emits
