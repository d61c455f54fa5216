"""A snippet that prints or raises a NUL character: its key, trace, page output and the keys
answers were graded against are stored faithfully (PostgreSQL's jsonb refuses NUL: a DataError
and a 500 in the admin), and students see the NUL as ␀. `make test-postgres` runs this file on
PostgreSQL too."""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script

from content import services as content_services
from content.models import CodeBlockOutput, ConceptPage
from grader.trace import full_steps
from quizzes import services
from quizzes.fields import NulEscapingEncoder, NulRestoringDecoder
from quizzes.models import PracticeAnswer, Question, Response
from quizzes.nul import ESCAPE, NUL, NUL_SIGN, _map_strings, escape_nul, restore_nul, visible_nul
from quizzes.templatetags.outputs import trace_json_script

pytestmark = pytest.mark.django_db

# Prints a NUL between two letters, keeps one in a name, then raises with NUL in the message.
NUL_SNIPPET = "s = 'a' + chr(0) + 'b'\nprint(s)\nraise ValueError(chr(0))\n"
# The escape character itself and what an escaped NUL looks like must come back unchanged.
TRICKY_SNIPPET = "print(chr(0xFFFF) + '0' + chr(0xFFFF) * 2 + chr(0) + chr(0xFFFF))\n"


def run_cpython(source: str) -> tuple[str, str | None]:
    """What `python -I snippet.py` prints, and the last traceback line if it raised."""
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "snippet.py"
        path.write_text(source, encoding="utf-8")
        finished = subprocess.run(
            [sys.executable, "-I", str(path)], capture_output=True, text=True, timeout=60
        )
    lines = [line for line in finished.stderr.splitlines() if line.strip()]
    return finished.stdout, lines[-1] if finished.returncode else None


def test_escaping_round_trips_and_leaves_other_strings_alone():
    value = {
        "stdout": f"a{NUL}b{ESCAPE}0{ESCAPE}{ESCAPE}{NUL}",
        f"key{NUL}": [NUL, ESCAPE, f"{ESCAPE}0", 1, None, {"x": ESCAPE * 3}],
        "plain": "nothing to escape \\u0000",
    }
    escaped = escape_nul(value)
    assert NUL not in repr(escaped)
    assert restore_nul(escaped) == value
    assert escaped["plain"] == value["plain"]
    assert restore_nul({"status": "ok", "stdout": "[1, 2]\n"}) == {
        "status": "ok",
        "stdout": "[1, 2]\n",
    }


# Strings of every kind the fast paths must not miss: NUL and ESCAPE anywhere (dict keys too),
# ESCAPE as its JSON escape in either case, and look-alikes that are neither.
AWKWARD_STRINGS = [
    "",
    "plain",
    NUL,
    f"a{NUL}b",
    ESCAPE,
    f"{ESCAPE}0",
    f"{ESCAPE}{ESCAPE}",
    "\\uffff",
    "\\u0000",
    "\\uFFFF0",
    "\u2400",
]


def awkward_values():
    for text in AWKWARD_STRINGS:
        yield text
        yield {"stdout": text, "steps": [{"names": {text: [1, text]}}, None, 2.5]}
        yield [{"k": "v"}, [text, "x"], {text or "empty": {"deep": [text]}}]


def json_texts(value):
    """`value` as the database hands it back: as dumped (SQLite, ASCII escapes), with the
    characters themselves (PostgreSQL's jsonb output), and with upper-case escapes."""
    dumped = json.dumps(value, cls=NulEscapingEncoder)
    yield dumped
    yield json.dumps(json.loads(dumped), ensure_ascii=False)
    # Only the escapes themselves (after an even number of backslashes), not a string's text.
    yield re.sub(r"(?<!\\)((?:\\\\)*)\\uffff", r"\1\\uFFFF", dumped)


@pytest.mark.parametrize("value", list(awkward_values()), ids=repr)
def test_decoding_skips_the_walk_only_when_it_would_change_nothing(value):
    for text in json_texts(value):
        assert json.loads(text, cls=NulRestoringDecoder) == restore_nul(json.loads(text))
        assert json.loads(text, cls=NulRestoringDecoder) == value


@pytest.mark.parametrize("value", list(awkward_values()), ids=repr)
def test_visible_nul_skips_the_walk_only_when_it_would_change_nothing(value):
    walked = _map_strings(value, lambda text: text.replace(NUL, NUL_SIGN))
    assert visible_nul(value) == walked


@pytest.mark.parametrize("snippet", [NUL_SNIPPET, TRICKY_SNIPPET], ids=["nul", "escape-char"])
def test_a_key_with_nul_is_stored_as_the_grader_computed_it(make_question, snippet):
    question = make_question(snippet)
    stored = Question.objects.get(pk=question.pk)
    stdout, exception = run_cpython(snippet)
    assert (stored.answer_key["stdout"], stored.answer_key["exception"]) == (stdout, exception)
    assert stored.answer_key == question.answer_key
    assert stored.key_trace == question.key_trace
    printed = full_steps(stored.key_trace)[-1]["stdout"]
    assert printed == stdout and NUL in printed


def test_a_concept_page_block_printing_nul_is_stored(topic):
    page = ConceptPage.objects.create(
        topic=topic, slug="nul", title="NUL", body=f"Text.\n\n```python\n{NUL_SNIPPET}```\n"
    )
    content_services.refresh_page_outputs(page)
    stored = CodeBlockOutput.objects.get(page=page)
    assert (stored.outcome["stdout"], stored.outcome["exception"]) == run_cpython(NUL_SNIPPET)
    assert NUL in full_steps(stored.trace)[-1]["stdout"]


def test_answers_keep_the_key_they_were_graded_against(make_question, make_quiz, student):
    question = make_question(NUL_SNIPPET)
    practice = services.answer_practice(user=student, question=question, answer_text="a b")
    assert PracticeAnswer.objects.get(pk=practice.pk).graded_key == question.answer_key
    quiz = make_quiz([question], feedback_policy="each_answer")
    attempt = services.start_attempt(user=student, quiz=quiz, now=timezone.now())
    entry = quiz.quiz_questions.get()
    saved = services.save_answer(attempt=attempt, quiz_question=entry, answer_text="a b")
    assert Response.objects.get(pk=saved.pk).graded_key == question.answer_key


def test_students_see_nul_as_a_visible_sign(client, logged_in, make_question, topic):
    question = make_question(NUL_SNIPPET)
    answered = client.post(reverse("practice_question", args=[question.pk]), {"answer_text": "x"})
    feedback = client.get(answered["Location"]).content.decode()
    assert f"a{NUL_SIGN}b" in feedback and f"ValueError: {NUL_SIGN}" in feedback
    page = ConceptPage.objects.create(
        topic=topic, slug="nul", title="NUL", body=f"```python\n{NUL_SNIPPET}```\n"
    )
    content_services.refresh_page_outputs(page)
    concept = client.get(reverse("concept_detail", args=[page.slug])).content.decode()
    assert f"a{NUL_SIGN}b" in concept and f"ValueError: {NUL_SIGN}" in concept
    for html in (feedback, concept):
        assert NUL not in html and "\\u0000" not in html  # nor in the diagrams' JSON
        diagram_json = html.split('type="application/json"', 1)[1]
        assert "a\\u2400b" in diagram_json  # json_script writes ␀ as \u2400


def test_the_admin_saves_a_question_printing_nul(client, instructor, topic):
    client.force_login(instructor)
    data = {
        "topic": topic.pk,
        "title": "Prints NUL",
        "slug": "prints-nul",
        "answer_mode": "typed",
        "difficulty": 1,
        "prompt": "What does this print?",
        "snippet": NUL_SNIPPET,
        "explanation": "chr(0) is a character like any other.",
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    response = client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 302
    question = Question.objects.get(slug="prints-nul")
    assert question.answer_key["stdout"] == run_cpython(NUL_SNIPPET)[0]
    change = client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert f"a{NUL_SIGN}b" in change.content.decode()


@pytest.mark.parametrize(
    "value",
    [*awkward_values(), {"steps": [{"stdout": "<script>&</script>", "x": [1, "a>b"]}]}],
    ids=repr,
)
def test_a_trace_s_script_is_what_visible_nul_and_json_script_make(value):
    assert trace_json_script(value) == json_script(visible_nul(value))
