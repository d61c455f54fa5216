"""Typed answers through the pages: "prints nothing" as an answer of its own, drafts saved while
typing, and feedback that shows where a wrong answer first differs.

Keys come from the real grader (tests/conftest.py make_question); right answers are read from them.
"""

import pytest
from django.urls import reverse

from quizzes import grading, services
from quizzes.answer_modes import typed
from quizzes.models import PracticeAnswer, Quiz, Response
from tests.helpers import JSON, RAISING_SNIPPET, save_answer, start_quiz

pytestmark = pytest.mark.django_db

SILENT = "x = [1]\ny = x\n"  # binds two names, prints nothing
INDENTED = 'print("  indented")\nprint("next")\n'


@pytest.fixture
def silent_question(make_question):
    question = make_question(SILENT)
    assert question.answer_key["status"] == "ok" and question.answer_key["stdout"] == ""
    return question


def practise(client, question, **data):
    return client.post(reverse("practice_question", args=[question.pk]), data)


def feedback_page(client, response):
    assert response.status_code == 302, response.content
    return client.get(response["Location"])


# --- "The program prints nothing" -------------------------------------------------------------


def test_practice_says_prints_nothing_and_is_right(client, logged_in, silent_question):
    page = client.get(reverse("practice_question", args=[silent_question.pk]))
    assert "The program prints nothing" in page.text
    assert "required" not in page.text.split('name="answer_text"')[1].split(">")[0]

    feedback = feedback_page(client, practise(client, silent_question, prints_nothing="on"))
    answer = PracticeAnswer.objects.get()
    assert answer.says_prints_nothing and answer.answer_text == "" and answer.is_correct
    assert "You said: <strong>prints nothing</strong>" in feedback.text
    assert "Right" in feedback.text and "The program prints nothing." in feedback.text


def test_prints_nothing_is_wrong_for_a_program_that_prints(client, logged_in, typed_question):
    feedback = feedback_page(client, practise(client, typed_question, prints_nothing="on"))
    answer = PracticeAnswer.objects.get()
    assert answer.says_prints_nothing and not answer.is_correct
    assert "You said: <strong>prints nothing</strong>" in feedback.text
    assert "Not quite" in feedback.text
    assert "answer-difference" not in feedback.text  # the real output beside it says the rest


def test_prints_nothing_is_wrong_for_a_program_that_only_raises(client, logged_in, make_question):
    question = make_question("d = {[1]: 2}\n")
    assert question.answer_key["stdout"] == "" and question.answer_key["exception"]
    practise(client, question, prints_nothing="on")
    assert PracticeAnswer.objects.get().is_correct is False


def test_prints_nothing_grades_as_the_empty_output_under_the_rules(make_question, student):
    for snippet in (SILENT, "print()\n", "print('x')\n", RAISING_SNIPPET):
        question = make_question(snippet)
        answer = services.answer_practice(user=student, question=question, says_prints_nothing=True)
        assert answer.is_correct == grading.answer_matches("", question.answer_key), snippet
        assert answer.is_correct == (
            grading.normalise(grading.expected_text(question.answer_key)) == []
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer_text": ""}, typed.BLANK_TYPED_ANSWER),
        ({"answer_text": "  \n "}, typed.BLANK_TYPED_ANSWER),
        ({"answer_text": "[1]", "prints_nothing": "on"}, typed.TEXT_AND_PRINTS_NOTHING),
    ],
)
def test_blank_or_contradictory_answers_are_form_errors(
    client, logged_in, silent_question, data, message
):
    response = practise(client, silent_question, **data)
    assert response.status_code == 400
    assert message in response.context["form"].errors["answer_text"]
    assert not PracticeAnswer.objects.exists()


def test_services_refuse_blank_contradictory_or_misplaced_prints_nothing(
    student, silent_question, choice_question
):
    def refused(question, **answer):
        with pytest.raises(services.InvalidAnswer) as error:
            services.answer_practice(user=student, question=question, **answer)
        return error.value.message

    assert refused(silent_question, answer_text=" \n") == typed.BLANK_TYPED_ANSWER
    assert (
        refused(silent_question, answer_text="[1]", says_prints_nothing=True)
        == typed.TEXT_AND_PRINTS_NOTHING
    )
    choice = choice_question.choices.first()
    assert "typed answer" in refused(choice_question, choice=choice, says_prints_nothing=True)
    assert not PracticeAnswer.objects.exists()


def test_quiz_prints_nothing_without_javascript_survives_a_reload_and_is_graded(
    client, logged_in, make_quiz, silent_question
):
    quiz = make_quiz([silent_question])
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    response = save_answer(client, attempt, entry, {f"q{entry.pk}-prints_nothing": "on"})
    assert response.status_code == 302
    saved = Response.objects.get()
    assert saved.says_prints_nothing and saved.answer_text == ""

    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    [item] = page.context["items"]
    assert item.form.initial == {"answer_text": "", "prints_nothing": True}
    box = page.text.split(f'name="q{entry.pk}-prints_nothing"')[1].split(">")[0]
    assert "checked" in box

    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert "You said: <strong>prints nothing</strong>" in result.text
    assert "Score: <strong>1 / 1</strong>" in result.text


def test_quiz_prints_nothing_by_autosave(client, logged_in, make_quiz, silent_question):
    quiz = make_quiz([silent_question])
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    data = {f"q{entry.pk}-prints_nothing": "on", "draft": "1"}
    body = save_answer(client, attempt, entry, data, **JSON).json()
    assert body["saved"] is True
    assert Response.objects.get().says_prints_nothing

    blank = save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": ""}, **JSON)
    assert blank.status_code == 400
    assert typed.BLANK_TYPED_ANSWER in str(blank.json()["errors"])
    assert Response.objects.get().says_prints_nothing  # the saved answer is kept


# --- drafts saved while typing ------------------------------------------------------------------


def test_a_draft_is_neither_checked_nor_locked_with_feedback_after_each_answer(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    field = f"q{entry.pk}-answer_text"
    right = grading.expected_text(typed_question.answer_key)

    draft = save_answer(client, attempt, entry, {field: right[:3], "draft": "1"}, **JSON).json()
    assert draft["saved"] and draft["feedback_html"] == ""
    saved = Response.objects.get()
    assert saved.graded_key is None and saved.is_correct is None
    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert page.context["items"][0].form is not None  # still open to change
    assert "Draft saved" in page.text

    checked = save_answer(client, attempt, entry, {field: right}, **JSON).json()
    assert "Right" in checked["feedback_html"]
    again = save_answer(client, attempt, entry, {field: "changed", "draft": "1"}, **JSON)
    assert again.status_code == 409
    assert Response.objects.get().answer_text == right


def test_a_draft_left_unchecked_is_graded_on_submit(client, logged_in, make_quiz, typed_question):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    right = grading.expected_text(typed_question.answer_key)
    save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": right, "draft": "1"}, **JSON)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.score == 1 and Response.objects.get().is_correct


# --- where a wrong typed answer differs ---------------------------------------------------------


def test_practice_feedback_marks_missing_leading_spaces(client, logged_in, make_question):
    question = make_question(INDENTED)
    first, second = grading.expected_text(question.answer_key).splitlines()
    feedback = feedback_page(
        client, practise(client, question, answer_text=f"{first.lstrip()}\n{second}")
    )
    difference = feedback.context["feedback"].difference
    assert difference.position == (1, 1) and difference.kind == "indentation"
    assert "line 1</strong>, <strong>character 1</strong>" in feedback.text
    assert '<pre class="diff-expected mb-0"><mark>·</mark>·indented</pre>' in feedback.text
    assert "The spaces or tabs at the start of the line differ" in feedback.text


def test_quiz_result_marks_a_different_exception_message(
    client, logged_in, make_quiz, raising_question
):
    quiz = make_quiz([raising_question])
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    output, exception = grading.expected_text(raising_question.answer_key).splitlines()
    wrong = exception.split(":")[0] + ": unhashable list"
    save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": f"{output}\n{wrong}"})
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    difference = result.context["items"][0].feedback.difference
    assert difference.line == 2 and difference.kind == "exception_message"
    assert "The exception's message differs" in result.text


def test_no_difference_is_shown_for_right_answers_or_before_feedback_is_allowed(
    client, logged_in, make_quiz, make_question
):
    question = make_question(INDENTED)
    right = grading.expected_text(question.answer_key)
    feedback = feedback_page(client, practise(client, question, answer_text=right + "   \n\n"))
    assert feedback.context["feedback"].difference is None
    assert "answer-difference" not in feedback.text

    quiz = make_quiz([question], feedback_policy=Quiz.FeedbackPolicy.AFTER_SUBMIT)
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    body = save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": "indented"}, **JSON)
    assert body.json()["feedback_html"] == ""
    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert "answer-difference" not in page.text and "·indented" not in page.text
