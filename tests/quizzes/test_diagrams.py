"""Memory-diagram traces: stored with keys and page outputs, shown only where the key may be.

Every trace here comes from the real grader (grader.run(..., trace=True)); the checks compare it
with the key the same grader computed, or look for it in the pages, never with typed-in output.
"""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import grader
from content import markdown
from content import services as content_services
from content.models import ConceptPage
from grader.trace import full_steps
from quizzes import services
from quizzes.models import Question, Quiz
from tests.helpers import JSON, REJECTED_SNIPPET, save_answer, start_quiz

pytestmark = pytest.mark.django_db

# The data block json_script writes inside each diagram.
TRACE_SCRIPT = re.compile(r'<script type="application/json">(.*?)</script>', re.DOTALL)


def traces_in(html: str) -> list[dict]:
    """The traces of the diagrams drawn on a page, in page order."""
    return [json.loads(data) for data in TRACE_SCRIPT.findall(html)]


def shows_no_diagram(html: str) -> bool:
    return "memdiagram" not in html and "refcount_definition" not in html


@pytest.fixture
def grader_runs(monkeypatch):
    """Every grader run made by the services, as the `trace` flag it was made with."""
    runs = []
    real_run = grader.run

    def recording_run(source, **options):
        runs.append(options.get("trace", False))
        return real_run(source, **options)

    monkeypatch.setattr(grader, "run", recording_run)
    return runs


# --- stored traces -----------------------------------------------------------------------------


def test_key_is_stored_with_the_trace_of_its_snippet(typed_question, raising_question):
    for question in (typed_question, raising_question):
        question.refresh_from_db()
        assert "trace" not in question.answer_key, "the key itself carries no trace"
        trace = question.key_trace
        assert trace["steps"], "the snippet ran, so there is something to draw"
        # The traced run printed what the plain run printed (the key).
        assert full_steps(trace)[-1]["stdout"] == question.answer_key["stdout"]
    assert full_steps(raising_question.key_trace)[-1]["event"] == "exception"


def test_trace_is_recomputed_with_the_key_and_only_then(typed_question, grader_runs):
    assert not services.refresh_answer_key(typed_question)
    assert grader_runs == []

    typed_question.snippet = "x = [1]\ny = x[:]\nprint(x is y)\n"
    typed_question.save()
    assert services.refresh_answer_key(typed_question)
    assert grader_runs == [False, True], "one plain run for the key, one traced run"
    typed_question.refresh_from_db()
    assert full_steps(typed_question.key_trace)[-1]["stdout"] == typed_question.answer_key["stdout"]
    assert len(typed_question.snippet.splitlines()) == max(
        step["line"] for step in full_steps(typed_question.key_trace)
    )


def test_a_key_stored_without_a_trace_gets_one(typed_question):
    Question.objects.filter(pk=typed_question.pk).update(key_trace=None)
    typed_question.refresh_from_db()
    assert services.refresh_answer_key(typed_question)
    typed_question.refresh_from_db()
    assert typed_question.key_trace["steps"]


def test_a_refused_snippet_has_no_trace_and_no_traced_run(make_question, grader_runs):
    question = make_question(REJECTED_SNIPPET, published=False)
    question.refresh_from_db()
    assert question.answer_key["status"] == "rejected"
    assert question.key_trace is None
    assert grader_runs == [False]
    assert not services.refresh_answer_key(question), "no trace is not a reason to run again"


def test_each_page_block_is_stored_with_its_trace(topic):
    body = "```python\na = [1]\nb = a\nprint(a is b)\n```\n\n```python\nprint(len('abc'))\n```\n"
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=body)
    assert content_services.refresh_page_outputs(page) == 2
    for block in page.block_outputs.order_by("index"):
        assert "trace" not in block.outcome
        assert full_steps(block.trace)[-1]["stdout"] == block.outcome["stdout"]

    page.block_outputs.filter(index=1).update(trace=None)
    ran = content_services.refresh_page_outputs(page)
    assert ran == 1, "only the block without a trace runs again"


def test_a_trace_of_the_previous_format_is_refreshed_and_its_key_kept(typed_question, topic):
    """Version 1 traces (whole steps, stored before the compact form) are run again by a key
    refresh; the key itself does not change."""
    first_step = full_steps(typed_question.key_trace)[0]
    old = {**typed_question.key_trace, "version": 1, "steps": [first_step]}
    Question.objects.filter(pk=typed_question.pk).update(key_trace=old)
    typed_question.refresh_from_db()
    key = typed_question.answer_key
    assert services.refresh_answer_key(typed_question), "the old trace makes the key run again"
    typed_question.refresh_from_db()
    assert typed_question.key_trace["version"] == grader.trace.TRACE_VERSION
    printed = ("status", "stdout", "exception", "exception_line")
    assert [typed_question.answer_key[f] for f in printed] == [key[f] for f in printed]
    body = "```python\nprint(1)\n```\n"
    page = ConceptPage.objects.create(topic=topic, slug="v1", title="V1", body=body)
    content_services.refresh_page_outputs(page)
    block = page.block_outputs.get()
    page.block_outputs.update(trace={**block.trace, "version": 1, "steps": full_steps(block.trace)})
    assert content_services.refresh_page_outputs(page) == 1


# --- where diagrams show --------------------------------------------------------------------


def test_concept_page_has_one_diagram_per_block_with_its_own_trace(client, topic):
    body = (
        "Aliasing:\n\n```python\na = [1]\nb = a\nprint(a is b)\n```\n\n"
        "A call:\n\n```python\ndef f(x):\n    return x\n\nprint(f(2))\n```\n\n"
        "Not Python:\n\n```text\nplain\n```\n"
    )
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=body)
    content_services.refresh_page_outputs(page)
    html = client.get(page.get_absolute_url()).text
    stored = [block.trace for block in page.block_outputs.order_by("index")]
    assert traces_in(html) == stored
    first, second = [m.start() for m in re.finditer('<section class="memdiagram"', html)]
    assert html.index("Aliasing:") < first < html.index("A call:") < second
    assert second < html.index("Not Python:"), "a diagram follows its own block"


def test_concept_page_never_draws_a_stale_trace(topic):
    page = ConceptPage.objects.create(
        topic=topic, slug="p", title="P", body="```python\nx = 1\nprint(x)\n```\n"
    )
    content_services.refresh_page_outputs(page)
    page.body = "```python\ny = 2\nprint(y)\n```\n"
    assert shows_no_diagram(markdown.render_concept_page(page))


def test_practice_feedback_shows_the_diagram_of_the_question(client, logged_in, typed_question):
    answered = client.post(
        reverse("practice_question", args=[typed_question.pk]), {"answer_text": "no idea"}
    )
    feedback = client.get(answered["Location"])
    assert traces_in(feedback.text) == [typed_question.key_trace]
    assert shows_no_diagram(client.get(reverse("practice_question", args=[typed_question.pk])).text)


def test_after_submit_quiz_shows_diagrams_only_on_the_result(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    take_url = reverse("attempt_take", args=[attempt.pk])
    assert shows_no_diagram(client.get(take_url).text)
    for entry in quiz.quiz_questions.all():
        saved = save_answer(client, attempt, entry, **JSON).json()
        assert saved["saved"] and shows_no_diagram(json.dumps(saved))
    assert shows_no_diagram(client.get(take_url).text)

    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    keys = [entry.question.key_trace for entry in quiz.quiz_questions.order_by("order")]
    assert traces_in(result.text) == keys


def test_after_close_quiz_hides_diagrams_until_it_closes(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz(
        [typed_question],
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(hours=1),
    )
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    save_answer(client, attempt, entry)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result_url = reverse("attempt_result", args=[attempt.pk])
    assert shows_no_diagram(client.get(result_url).text)

    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert traces_in(client.get(result_url).text) == [typed_question.key_trace]


def test_feedback_after_each_answer_brings_the_diagram_with_the_save(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = start_quiz(client, quiz)
    take_url = reverse("attempt_take", args=[attempt.pk])
    assert shows_no_diagram(client.get(take_url).text)
    [entry] = quiz.quiz_questions.all()
    saved = save_answer(client, attempt, entry, **JSON).json()
    assert traces_in(saved["feedback_html"]) == [typed_question.key_trace]
    assert traces_in(client.get(take_url).text) == [typed_question.key_trace]


def test_an_answer_graded_before_the_snippet_changed_shows_no_diagram(
    client, logged_in, quiz, typed_question
):
    attempt = start_quiz(client, quiz)
    for entry in quiz.quiz_questions.all():
        save_answer(client, attempt, entry)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    typed_question.snippet = "print('changed')\n"
    typed_question.save()
    services.refresh_answer_key(typed_question)
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    # Its old key is still shown; the new snippet's trace would contradict it.
    assert typed_question.key_trace not in traces_in(result.text)
    assert len(traces_in(result.text)) == 1, "the other question's diagram is still drawn"


# --- the Python version of the keys -------------------------------------------------------------


def test_footer_and_how_page_name_the_python_version_of_the_keys(client, topic, typed_question):
    version = typed_question.key_python_version
    assert f"Answer keys computed with Python {version}." in client.get(reverse("home")).text
    how = client.get(reverse("how_answers_are_checked")).text
    assert f"computed with <strong>Python {version}</strong>" in how

    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body="```python\n1\n```")
    content_services.refresh_page_outputs(page)
    Question.objects.filter(pk=typed_question.pk).update(key_python_version="3.11.0")
    home = client.get(reverse("home")).text
    assert f"several Python versions (3.11.0, {version})" in home


def test_versions_are_read_once_per_page(client, typed_question, django_assert_max_num_queries):
    client.get(reverse("how_answers_are_checked"))  # warm up sessions and the like
    with django_assert_max_num_queries(2):  # one query per kind of stored output
        client.get(reverse("how_answers_are_checked"))
