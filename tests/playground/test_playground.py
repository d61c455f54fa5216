"""The playground (issue 17 §1-§2): runs through graderclient, refusals as the grader gives
them, limits with a message, saved programs private until shared, and "Edit and run" links
that never show what the page they come from would not."""

import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

import grader
from content.models import ConceptPage
from grader.constants import MAX_SOURCE_BYTES
from graderclient import limits
from playground.models import SavedProgram
from quizzes.models import Quiz
from tests.helpers import ALIASING_SNIPPET, RAISING_SNIPPET, REJECTED_SNIPPET

EDITOR = reverse("playground:editor")
PYTHON312 = Path("/root/.pyenv/versions/3.12.1/bin/python")


def run(client, source, action="run", **extra):
    return client.post(EDITOR, {"source": source, "action": action, **extra})


def textarea_value(response) -> str:
    match = re.search(r'<textarea name="source"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert match, "the page has no source textarea"
    return match.group(1)


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(EDITOR)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(EDITOR, {"source": "print(1)"}).status_code == 302


def test_the_editor_page_works_as_a_plain_form(client, logged_in):
    page = client.get(EDITOR).text
    assert '<textarea name="source"' in page and "data-playground-editor" in page
    assert "playground/editor.bundle.js" in page
    assert 'name="action" value="run"' in page


@pytest.mark.skipif(not PYTHON312.exists(), reason="the CPython 3.12 oracle is not installed")
def test_a_run_shows_what_plain_python_prints_and_the_diagram(client, logged_in):
    real = subprocess.run(  # noqa: S603 - a fixed interpreter and a test snippet
        [str(PYTHON312), "-I", "-c", ALIASING_SNIPPET], capture_output=True, text=True, check=True
    ).stdout
    response = run(client, ALIASING_SNIPPET)
    assert response.status_code == 200
    output = re.search(r'<pre class="playground-output[^"]*">(.*?)</pre>', response.text, re.S)
    assert output and output.group(1) == escape(real)
    assert 'class="memdiagram"' in response.text
    assert "playground-status badge text-bg-success" in response.text


def test_an_exception_is_shown_with_its_line(client, logged_in):
    expected = grader.run(RAISING_SNIPPET)
    response = run(client, RAISING_SNIPPET)
    assert expected.exception and expected.exception_line
    assert escape(expected.exception) in response.text
    assert f"(line {expected.exception_line})" in response.text
    flagged = re.findall(
        r'id="source-line-(\d+)" class="playground-line playground-line-flagged"', response.text
    )
    assert flagged == [str(expected.exception_line)]


REFUSED = [
    REJECTED_SNIPPET,
    "import subprocess\nsubprocess.run(['ls'])\n",
    "x = 1\nopen('/etc/passwd').read()\n",
    "x = 1\ny = 2\n__import__('socket')\n",
    "().__class__.__bases__[0].__subclasses__()\n",
]


@pytest.mark.parametrize("source", REFUSED)
def test_the_playground_refuses_what_the_grader_refuses(client, logged_in, source):
    expected = grader.run(source)
    assert expected.status == "rejected" and expected.reasons
    response = run(client, source)
    assert response.status_code == 200
    assert 'playground-status badge text-bg-danger">rejected<' in response.text
    for reason in expected.reasons:
        assert escape(reason) in response.text or escape(reason.split(":", 1)[1]) in response.text
    lines = {int(m) for r in expected.reasons for m in re.findall(r"^line (\d+):", r)}
    flagged = set(
        map(int, re.findall(r'id="source-line-(\d+)" class="[^"]*flagged', response.text))
    )
    assert lines and flagged == lines


def test_the_playground_rate_holds_with_a_message(client, logged_in, settings):
    settings.RATE_LIMITS = {"playground": (3, 60)}
    for _ in range(3):
        assert run(client, "print(1)\n").status_code == 200
    refused = run(client, "print(1)\n")
    assert refused.status_code == 429
    assert "the most one person may" in refused.text
    assert "print(1)" in textarea_value(refused)  # nothing typed is lost


def test_the_grader_cap_gives_a_message_not_an_error(client, logged_in, monkeypatch):
    monkeypatch.setattr(limits, "SLOT_WAIT_SECONDS", 0.0)
    monkeypatch.setattr(limits, "_take_slot", lambda token: None)
    response = run(client, "print(1)\n")
    assert response.status_code == 429
    assert "the grader is busy" in response.text


def test_no_grader_answering_gives_a_message(client, logged_in, monkeypatch):
    import graderclient

    def down(*args, **kwargs):
        raise grader.GraderUnavailable("no worker")

    monkeypatch.setattr(graderclient, "run", down)
    response = run(client, "print(1)\n")
    assert response.status_code == 503 and "not answering" in response.text


def test_an_empty_or_oversized_program_is_a_form_error(client, logged_in):
    assert run(client, "").status_code == 400
    huge = run(client, "#" * (MAX_SOURCE_BYTES + 1))
    assert huge.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_runs_and_saves_happen_outside_any_transaction(client, student, grader_calls):
    client.force_login(student)
    run(client, ALIASING_SNIPPET)
    run(client, ALIASING_SNIPPET, action="save")
    assert [call for call in grader_calls if call[0] == "run"]
    assert all(not in_transaction for _, in_transaction in grader_calls)


# --- Saved programs ------------------------------------------------------------------------


def save(client, source=ALIASING_SNIPPET) -> SavedProgram:
    response = run(client, source, action="save")
    program = SavedProgram.objects.latest("pk")
    assert response["Location"] == reverse("playground:program", args=[program.link])
    return program


def test_a_saved_program_opens_read_only_with_its_diagram(client, logged_in):
    program = save(client)
    assert len(program.link) >= 12 and program.outcome["status"] == "ok"
    page = client.get(reverse("playground:program", args=[program.link])).text
    assert 'class="memdiagram"' in page and "<textarea" not in page
    assert f"?from={program.link}" in page  # edit a copy


def test_links_are_unguessable(client, logged_in):
    links = {save(client, f"print({n})\n").link for n in range(3)}
    assert len(links) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12,}", link) for link in links)


def test_a_saved_program_is_private_until_shared(client, logged_in, other_student):
    program = save(client)
    url = reverse("playground:program", args=[program.link])
    client.force_login(other_student)
    assert client.get(url).status_code == 404
    assert client.get(EDITOR, {"from": program.link}).status_code == 404
    client.force_login(program.owner)
    client.post(reverse("playground:program_share", args=[program.link]), {"shared": "1"})
    client.force_login(other_student)
    assert client.get(url).status_code == 200
    assert textarea_value(client.get(EDITOR, {"from": program.link})).strip()


def test_only_the_owner_shares_or_deletes(client, logged_in, other_student):
    program = save(client)
    program.is_shared = True
    program.save()
    client.force_login(other_student)
    delete = reverse("playground:program_delete", args=[program.link])
    share = reverse("playground:program_share", args=[program.link])
    assert client.post(delete).status_code == 404
    assert client.post(share, {"shared": "0"}).status_code == 404
    program.refresh_from_db()
    assert program.is_shared
    client.force_login(program.owner)
    assert client.get(delete).status_code == 405  # a GET never deletes
    assert client.post(delete).status_code == 302
    assert not SavedProgram.objects.filter(pk=program.pk).exists()


# --- "Edit and run" links and prefill ------------------------------------------------------

BLOCK = "a = [1]\nb = a\nb.append(2)\nprint(a)\n"


def test_a_concept_block_opens_prefilled_and_reset_brings_it_back(client, logged_in, topic):
    page = ConceptPage.objects.create(
        topic=topic, slug="aliases", title="Aliases", body=f"Text\n\n```python\n{BLOCK}```\n"
    )
    html = client.get(page.get_absolute_url()).text
    link = f"{EDITOR}?page=aliases&amp;block=0"
    assert link in html and "Edit and run" in html
    opened = client.get(EDITOR, {"page": "aliases", "block": "0"})
    assert textarea_value(opened) == BLOCK
    reset = run(client, "print('changed')\n", action="reset", original=BLOCK)
    assert textarea_value(reset) == BLOCK
    assert client.get(EDITOR, {"page": "aliases", "block": "1"}).status_code == 404
    assert client.get(EDITOR, {"page": "aliases", "block": "x"}).status_code == 404


def test_a_withheld_concept_block_has_no_link_and_cannot_be_opened(
    client, logged_in, topic, make_question, make_quiz
):
    question = make_question(BLOCK)
    make_quiz([question], feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE)
    page = ConceptPage.objects.create(
        topic=topic, slug="aliases", title="Aliases", body=f"```python\n{BLOCK}```\n"
    )
    html = client.get(page.get_absolute_url()).text
    assert "code-output-withheld" in html and "Edit and run" not in html
    assert client.get(EDITOR, {"page": "aliases", "block": "0"}).status_code == 404


def test_a_practice_question_opens_prefilled_after_its_feedback(client, logged_in, typed_question):
    feedback = client.post(
        reverse("practice_question", args=[typed_question.pk]),
        {"answer_text": "nothing"},
        follow=True,
    )
    assert f"{EDITOR}?question={typed_question.pk}" in feedback.text
    opened = client.get(EDITOR, {"question": typed_question.pk})
    assert textarea_value(opened) == typed_question.snippet


@pytest.mark.parametrize(
    "policy", [Quiz.FeedbackPolicy.AFTER_CLOSE, Quiz.FeedbackPolicy.AFTER_SUBMIT]
)
def test_a_question_whose_feedback_waits_has_no_link_and_no_prefill(
    client, logged_in, make_question, make_quiz, policy
):
    question = make_question(ALIASING_SNIPPET)
    quiz = make_quiz([question], feedback_policy=policy)
    from tests.helpers import save_answer, start_quiz

    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    save_answer(client, attempt, entry)
    take = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert "?question=" not in take and "Edit and run" not in take
    assert client.get(EDITOR, {"question": question.pk}).status_code == 404
    assert client.get(EDITOR, {"question": "99999"}).status_code == 404


def test_the_editor_page_admits_only_its_own_styles(client, logged_in):
    response = client.get(EDITOR)
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", policy)
    assert nonce and "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert f'nonce="{nonce.group(1)}"' in response.text  # handed to the editor script only


def test_a_quiz_question_gets_its_link_once_the_attempt_is_submitted(
    client, logged_in, make_question, make_quiz
):
    from tests.helpers import save_answer, start_quiz

    question = make_question(ALIASING_SNIPPET)
    quiz = make_quiz([question], feedback_policy=Quiz.FeedbackPolicy.AFTER_SUBMIT)
    attempt = start_quiz(client, quiz)
    save_answer(client, attempt, quiz.quiz_questions.get())
    assert client.get(EDITOR, {"question": question.pk}).status_code == 404
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result = client.get(reverse("attempt_result", args=[attempt.pk])).text
    assert f"{EDITOR}?question={question.pk}" in result
    assert textarea_value(client.get(EDITOR, {"question": question.pk})) == question.snippet
