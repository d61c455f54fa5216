"""Students and variants: one variant per question and attempt, drawn from the secret and kept
across reloads, results, regrades and the instructor's views; no other variant's key shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import selectors as course_selectors
from courses import services as course_services
from quizzes import grading, variant_services
from quizzes.models import PracticeAnswer, Quiz, Response, StoredKey
from tests.helpers import DOUBLING_WORDS, start_quiz

pytestmark = pytest.mark.django_db

WORDS = DOUBLING_WORDS
DOUBLED = [word * 2 for word in WORDS]  # what each variant prints: its key


def snippet_shown(client, attempt) -> str:
    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    return str(page.context["items"][0].context["snippet_html"])


def attempt_with_variant_other_than_the_first(client, quiz, question):
    """Start attempts until one draws a variant other than #0 (whose key is also the
    question's own), so that using the question's key instead would show."""
    for _ in range(20):
        attempt = start_quiz(client, quiz)
        if variant_services.draw(question, f"attempt:{attempt.pk}").index != 0:
            return attempt
        client.post(reverse("attempt_submit", args=[attempt.pk]))
    raise AssertionError("20 attempts all drew variant #0")


def test_the_attempt_page_shows_the_drawn_variant_on_every_reload_and_no_key(
    client, logged_in, make_quiz, doubling
):
    quiz = make_quiz([doubling])  # feedback after submitting
    attempt = start_quiz(client, quiz)
    variant = variant_services.draw(doubling, f"attempt:{attempt.pk}")
    page = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert "{{" not in page
    assert not any(key in page for key in DOUBLED)  # no key before the policy allows
    snippet = snippet_shown(client, attempt)
    assert variant.params["word"] in snippet
    assert not any(word in snippet for word in WORDS if word != variant.params["word"])
    assert snippet_shown(client, attempt) == snippet


def test_the_attempt_page_reads_every_variant_and_key_in_two_queries(
    client, logged_in, make_quiz, doubling, small_ints
):
    """The variants of all the page's parameterised questions in one query and their keys in
    another (two per question before), each question still showing its own draw."""
    counts = []
    for questions in ([doubling], [doubling, small_ints]):
        quiz = make_quiz(questions, slug=f"quiz-{len(questions)}")
        attempt = start_quiz(client, quiz)
        url = reverse("attempt_take", args=[attempt.pk])
        client.get(url)  # the session's first read, the user's groups and the like
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        counts.append(len(captured))
        for item, question in zip(page.context["items"], questions, strict=True):
            drawn = variant_services.draw(question, f"attempt:{attempt.pk}")
            assert item.entry.question.seen_variant == drawn
    assert counts[0] == counts[1], "a second parameterised question adds no query"


def test_an_answer_keeps_its_variant_through_submit_results_and_regrade(
    client, logged_in, make_quiz, doubling, instructor
):
    quiz = make_quiz([doubling], max_attempts=None)
    attempt = attempt_with_variant_other_than_the_first(client, quiz, doubling)
    entry = quiz.quiz_questions.get()
    drawn = variant_services.draw(doubling, f"attempt:{attempt.pk}")
    right = drawn.params["word"] * 2
    client.post(
        reverse("attempt_answer", args=[attempt.pk, entry.pk]), {f"q{entry.pk}-answer_text": right}
    )
    response = Response.objects.get(attempt=attempt)
    assert response.variant == drawn
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    response.refresh_from_db()
    assert response.is_correct is True
    assert response.graded_key == StoredKey.objects.get(variant=drawn).answer_key
    result = client.get(reverse("attempt_result", args=[attempt.pk])).text
    assert right in result
    assert not any(key in result for key in DOUBLED if key != right)  # no other variant's key
    # A regrade compares with the variant's key, not the question's (the first variant's).
    assert course_services.response_regrade(responses=[response], by=instructor) == 0
    response.refresh_from_db()
    assert (response.is_correct, response.variant) == (True, drawn)


def test_a_choice_variant_is_graded_against_its_own_rendered_choices(
    client, logged_in, make_quiz, small_ints
):
    quiz = make_quiz([small_ints], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    drawn = variant_services.draw(small_ints, f"attempt:{attempt.pk}")
    expected = "True" if drawn.params["n"] <= 256 else "False"
    right = small_ints.choices.get(text=expected)
    reply = client.post(
        reverse("attempt_answer", args=[attempt.pk, entry.pk]), {f"q{entry.pk}-choice": right.pk}
    )
    assert reply.status_code == 302
    response = Response.objects.get(attempt=attempt)
    assert (response.variant, response.is_correct) == (drawn, True)
    assert str(drawn.params["n"]) in snippet_shown(client, attempt)


def test_every_variant_is_drawn_over_many_attempts_and_the_draw_is_stable(doubling):
    drawn = [variant_services.draw(doubling, f"attempt:{n}").index for n in range(400)]
    assert drawn == [variant_services.draw(doubling, f"attempt:{n}").index for n in range(400)]
    counts = [drawn.count(index) for index in range(4)]
    assert min(counts) > 60, counts  # 100 expected each


def test_practice_grades_the_shown_variant_and_its_feedback_keeps_it(
    client, logged_in, doubling, student
):
    page = client.get(reverse("practice_question", args=[doubling.pk])).text
    shown = variant_services.practice_variant(student, doubling)
    assert f"{shown.params['word']}" in page and "{{" not in page
    right = shown.params["word"] * 2
    reply = client.post(reverse("practice_question", args=[doubling.pk]), {"answer_text": right})
    answer = PracticeAnswer.objects.get()
    assert reply["Location"] == reverse("practice_feedback", args=[answer.pk])
    assert (answer.variant, answer.is_correct) == (shown, True)
    feedback = client.get(reply["Location"]).text
    assert right in feedback
    assert not any(key in feedback for key in DOUBLED if key != right)


def test_an_instructor_sees_which_variant_a_student_got(
    client, logged_in, make_quiz, doubling, instructor
):
    quiz = make_quiz([doubling])
    attempt = start_quiz(client, quiz)
    drawn = variant_services.draw(doubling, f"attempt:{attempt.pk}")
    entries = course_selectors.attempt_entries(attempt)
    assert variant_services.seen_variant_label(entries[0].question) == (
        f"#{drawn.index} (word={drawn.params['word']!r})"
    )
    assert grading.expected_text(entries[0].question.answer_key) == drawn.params["word"] * 2 + "\n"


def test_edit_and_run_opens_the_variant_the_student_answered(client, logged_in, doubling, student):
    shown = variant_services.practice_variant(student, doubling)
    client.post(reverse("practice_question", args=[doubling.pk]), {"answer_text": "x"})
    page = client.get(reverse("playground:editor") + f"?question={doubling.pk}").text
    assert "{{" not in page
    assert f"word = &#x27;{shown.params['word']}&#x27;" in page


def test_a_typed_save_before_feedback_does_not_render_the_variant(
    client, logged_in, make_quiz, doubling
):
    """Most of an exam's saves: a typed answer to a quiz whose feedback waits for the submit.
    The variant is stored with the answer, and its choices and keys are not read (rendering
    it cost two queries of every such save); the submit grades it against the variant's key."""
    quiz = make_quiz([doubling], feedback_policy=Quiz.FeedbackPolicy.AFTER_SUBMIT)
    attempt = attempt_with_variant_other_than_the_first(client, quiz, doubling)
    entry = quiz.quiz_questions.get()
    drawn = variant_services.draw(doubling, f"attempt:{attempt.pk}")
    right = drawn.params["word"] * 2
    url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
    with CaptureQueriesContext(connection) as saved:
        reply = client.post(url, {f"q{entry.pk}-answer_text": right, "draft": "1"})
    assert reply.status_code == 302
    read = " ".join(query["sql"] for query in saved.captured_queries)
    assert "quizzes_storedkey" not in read and "quizzes_choice" not in read
    response = Response.objects.get(attempt=attempt)
    assert (response.variant, response.answer_text, response.graded_key) == (drawn, right, None)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    response.refresh_from_db()
    assert response.is_correct is True
    assert response.graded_key == StoredKey.objects.get(variant=drawn).answer_key
