"""The attempt page's pieces rendered once per process (quizzes.fragments): the same bytes as the
templates rendered directly, never one student's order, answer or variant on another's page,
never stale after an edit, and never a key before the policy allows."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

import grader
from quizzes import choice_order, fragments, grading
from quizzes.models import AttemptVariant, Question, QuizQuestion
from tests.helpers import DOUBLING_WORDS, save_answer, start_quiz

pytestmark = pytest.mark.django_db

SECRET_TEXT = "only-ada-typed-this\nline two"


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts from cold caches (they are per process and outlive a test's rows)."""
    for cache in fragments.ALL:
        cache.clear()
    yield
    for cache in fragments.ALL:
        cache.clear()


@pytest.fixture
def exam(make_quiz, typed_question, choice_question, true_false_question):
    """Every answer mode; feedback after submitting (the exam's policy)."""
    return make_quiz([typed_question, choice_question, true_false_question], max_attempts=None)


def page(client, attempt):
    response = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert response.status_code == 200
    return response


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def radio_order(html: str, entry: QuizQuestion) -> list[int]:
    return [int(pk) for pk in re.findall(rf'name="q{entry.pk}-choice" value="(\d+)"', html)]


def test_the_pieces_are_the_templates_rendered_directly(client, logged_in, exam):
    """Every item of the page, cold and warm, with and without saved answers, is what
    _question.html and _answer_fields.html render for it."""
    attempt = start_quiz(client, exam)
    entries = list(exam.quiz_questions.select_related("question"))
    typed, choice, _ = entries
    save_answer(client, attempt, choice)  # a chosen radio button
    save_answer(client, attempt, typed, {f"q{typed.pk}-answer_text": SECRET_TEXT})
    for _ in range(2):  # the first load renders and caches, the second reads the caches
        items = page(client, attempt).context["items"]
        assert len(items) == 3
        for item in items:
            assert item.body_html == render_to_string("quizzes/_question.html", item.context)
            fields = render_to_string("quizzes/_answer_fields.html", {"form": item.form})
            assert item.fields_html == fields


def test_a_second_student_s_page_renders_no_question_or_form_template(
    client, exam, student, other_student
):
    """The pin of the saving: the class loads the same questions, rendered once."""
    client.force_login(student)
    first = page(client, start_quiz(client, exam))
    assert template_names(first).count("quizzes/_question.html") == 3
    client.force_login(other_student)
    second = page(client, start_quiz(client, exam))
    names = template_names(second)
    assert "quizzes/_question.html" not in names
    # The typed and true/false forms are the same for both; the choice form only if the two
    # students' orders of its choices happen to be the same.
    assert names.count("quizzes/_answer_fields.html") <= 1


def test_each_student_sees_their_own_choice_order_and_answers_only(
    client, exam, student, other_student
):
    entries = list(exam.quiz_questions.select_related("question"))
    typed, choice, true_false = entries
    client.force_login(student)
    ada = start_quiz(client, exam)
    save_answer(client, ada, choice)
    save_answer(client, ada, true_false, {f"q{true_false.pk}-answer_text": "false"})
    save_answer(client, ada, typed, {f"q{typed.pk}-answer_text": SECRET_TEXT})
    ada_page = page(client, ada).text
    client.force_login(other_student)
    bob = start_quiz(client, exam)
    bob_page = page(client, bob).text

    for attempt, html in ((ada, ada_page), (bob, bob_page)):
        shown = choice_order.shuffled(
            choice.question.choices.all(), seed=attempt.choice_seed, question_id=choice.question_id
        )
        assert radio_order(html, choice) == [c.pk for c in shown]
    # Ada's saved answers are on her page...
    right = grading.matching_choices(choice.question, choice.question.answer_key)[0]
    assert f'value="{right.pk}" id="id_q{choice.pk}-choice_' in ada_page
    assert re.search(rf'value="{right.pk}" id="[^"]+" checked', ada_page)
    assert re.search(r'value="false" id="[^"]+" checked', ada_page)
    assert SECRET_TEXT in ada_page
    # ... and none of them on Bob's, who answered nothing; nor is her text kept in a cache.
    assert not re.search(r'id="[^"]+" checked', bob_page)
    assert SECRET_TEXT not in bob_page
    cached = [*fragments.answer_fields._items.values(), *fragments.question_bodies._items.values()]
    assert cached and not any("only-ada-typed-this" in html for html in cached)


def test_each_variant_has_its_own_body(client, make_quiz, doubling, student, other_student):
    quiz = make_quiz([doubling])
    entry = quiz.quiz_questions.get()
    snippets = []
    for user, index in ((student, 0), (other_student, 1)):
        client.force_login(user)
        attempt = start_quiz(client, quiz)
        AttemptVariant.objects.filter(attempt=attempt).update(
            variant=doubling.variants.get(index=index)
        )
        body = str(page(client, attempt).context["items"][0].body_html)
        assert f"q-{entry.pk}" and DOUBLING_WORDS[index] in body
        snippets.append(body)
    assert DOUBLING_WORDS[0] not in snippets[1] and DOUBLING_WORDS[1] not in snippets[0]


def test_an_edited_question_shows_at_once(client, logged_in, exam):
    attempt = start_quiz(client, exam)
    assert "What does this print?" in page(client, attempt).text
    Question.objects.filter(pk__in=exam.quiz_questions.values("question")).update(
        prompt="Edited: which output?"
    )
    html = page(client, attempt).text
    assert "Edited: which output?" in html
    assert "What does this print?" not in html


def test_no_key_or_explanation_reaches_the_cached_pieces(client, logged_in, exam):
    attempt = start_quiz(client, exam)
    html = page(client, attempt).text
    for entry in exam.quiz_questions.select_related("question"):
        assert entry.question.explanation not in html
    cached = "".join([*fragments.question_bodies._items.values()])
    assert "An assignment binds" not in cached  # the fixtures' explanation
    assert "misconception" not in cached


def test_a_posted_form_with_errors_is_rendered_fresh(client, logged_in, exam):
    """A bound form (its errors, its posted value) is never cached nor served from the cache."""
    attempt = start_quiz(client, exam)
    choice = exam.quiz_questions.get(question__answer_mode=Question.AnswerMode.CHOICE)
    page(client, attempt)
    cached = len(fragments.answer_fields)
    reply = save_answer(client, attempt, choice, {f"q{choice.pk}-choice": "999999"})
    assert reply.status_code == 400
    assert "Choose one of the outputs listed." in reply.text
    assert len(fragments.answer_fields) == cached


def test_the_cache_is_bounded():
    cache = fragments.RenderedCache(2)
    for n in range(5):
        cache.get_or_render(n, lambda n=n: str(n))
    assert len(cache) == 2
    assert cache.get_or_render(4, lambda: "rendered again") == "4"
    assert cache.get_or_render(0, lambda: "rendered again") == "rendered again"


# Sources whose traces the diagram's frame must draw as the template does: plain, with markup in
# the source, cut short (more steps than a trace records), and one that prints a NUL.
DIAGRAM_SOURCES = [
    "a = [1, 2]\nb = a\nb.append(3)\nprint(a)\n",
    "s = '<script>&amp;</script>'\nt = s\nprint(s is t, '<b>')\n",
    "total = 0\nfor n in range(100000):\n    total += n\nprint(total)\n",
    "print('a' + chr(0) + 'b')\n",
]


@pytest.mark.parametrize("source", DIAGRAM_SOURCES, ids=range(len(DIAGRAM_SOURCES)))
def test_a_diagram_is_the_template_rendered_directly(source):
    trace = grader.run(source, trace=True).trace
    assert trace and trace.get("steps")
    direct = render_to_string(fragments.DIAGRAM_TEMPLATE, {"trace": trace, "source": source})
    assert fragments.diagram_html(trace, source) == direct  # cold
    assert fragments.diagram_html(trace, source) == direct  # from the frame rendered once


def test_a_diagram_with_no_steps_is_what_the_template_shows():
    for trace in (None, {}, {"steps": []}, {"steps": [], "notice": "Too long to record."}):
        direct = render_to_string(fragments.DIAGRAM_TEMPLATE, {"trace": trace, "source": "x"})
        assert fragments.diagram_html(trace, "x") == direct


def test_two_traces_of_one_frame_each_carry_their_own_script():
    """Same source, same number of steps: one frame, but each page gets its own trace."""
    source = "x = [0]\nprint(x)\n"
    first = grader.run(source, trace=True).trace
    second = {**first, "steps": [dict(step, marker="second") for step in first["steps"]]}
    assert fragments.diagram_html(first, source) != fragments.diagram_html(second, source)
    for trace in (first, second):
        direct = render_to_string(fragments.DIAGRAM_TEMPLATE, {"trace": trace, "source": source})
        assert fragments.diagram_html(trace, source) == direct
