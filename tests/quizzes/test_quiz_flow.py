"""Quizzes end to end through the pages: list, start, answer (form post and autosave), reload,
submit, results as the feedback policy allows, history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Quiz, Response
from tests.helpers import JSON, right_answer_data, save_answer, start_quiz

pytestmark = pytest.mark.django_db


def entries(quiz):
    return list(quiz.quiz_questions.select_related("question"))


def test_quiz_list_shows_status_attempts_left_and_best_score(client, logged_in, quiz):
    response = client.get(reverse("quiz_list"))
    assert response.status_code == 200
    [(listed, status)] = response.context["rows"]
    assert listed == quiz and status.state == "open" and status.attempts_left == 2
    assert "2 attempts left" in response.text

    attempt = start_quiz(client, quiz)
    for entry in entries(quiz):
        save_answer(client, attempt, entry, right_answer_data(entry))
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    response = client.get(reverse("quiz_list"))
    [(_, status)] = response.context["rows"]
    assert status.best_score == 4 == status.max_score
    assert "best score 4 / 4" in response.text and "1 attempt left" in response.text


def test_closed_and_not_yet_open_quizzes_say_so(client, logged_in, make_quiz, typed_question):
    now = timezone.now()
    make_quiz([typed_question], slug="past", closes_at=now - timedelta(days=1))
    make_quiz([typed_question], slug="future", opens_at=now + timedelta(days=1))
    text = client.get(reverse("quiz_list")).text
    assert "closed" in text and "not yet open" in text
    detail = client.get(reverse("quiz_detail", args=["future"]))
    assert detail.context["status"].reason in detail.text
    assert reverse("quiz_start", args=["future"]) not in detail.text


def test_start_then_resume_the_same_attempt(client, logged_in, quiz):
    first = start_quiz(client, quiz)
    detail = client.get(reverse("quiz_detail", args=[quiz.slug]))
    assert "Resume attempt 1" in detail.text
    assert start_quiz(client, quiz) == first
    assert Attempt.objects.count() == 1


def test_saved_answers_survive_a_reload(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    typed, choice = entries(quiz)
    response = save_answer(client, attempt, typed, {f"q{typed.pk}-answer_text": "my\nprediction"})
    assert response["Location"].endswith(f"#q-{typed.pk}")
    save_answer(client, attempt, choice, right_answer_data(choice))

    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    forms = {item.entry.pk: item.form for item in page.context["items"]}
    assert forms[typed.pk].initial == {"answer_text": "my\nprediction"}
    assert forms[choice.pk].initial == {"choice": right_answer_data(choice)[f"q{choice.pk}-choice"]}
    assert "my\nprediction" in page.text


def test_changing_an_answer_replaces_it(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    typed = entries(quiz)[0]
    save_answer(client, attempt, typed, {f"q{typed.pk}-answer_text": "first"})
    save_answer(client, attempt, typed, {f"q{typed.pk}-answer_text": "second"})
    assert list(Response.objects.values_list("answer_text", flat=True)) == ["second"]


def test_autosave_answers_in_json_without_feedback_before_submitting(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    typed = entries(quiz)[0]
    response = save_answer(client, attempt, typed, right_answer_data(typed), **JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True and body["feedback_html"] == ""
    assert Response.objects.get().answered_at.isoformat() == body["answered_at"]


def test_autosave_reports_form_errors_as_json(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    choice = entries(quiz)[1]
    response = save_answer(client, attempt, choice, {f"q{choice.pk}-choice": "nonsense"}, **JSON)
    assert response.status_code == 400
    assert response.json()["saved"] is False and "choice" in response.json()["errors"]


def test_submit_asks_for_confirmation_then_grades(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    typed, choice = entries(quiz)
    save_answer(client, attempt, typed, right_answer_data(typed))
    confirm = client.get(reverse("attempt_submit", args=[attempt.pk]))
    assert confirm.status_code == 200
    assert confirm.context["unanswered"] == [(2, choice)]
    attempt.refresh_from_db()
    assert attempt.submitted_at is None

    response = client.post(reverse("attempt_submit", args=[attempt.pk]))
    assert response["Location"] == reverse("attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score == 2

    result = client.get(response["Location"])
    assert "Score: <strong>2 / 4</strong>" in result.text
    assert typed.question.explanation in result.text
    assert (
        client.get(reverse("attempt_take", args=[attempt.pk]))["Location"] == response["Location"]
    )


def test_feedback_after_each_answer_comes_with_the_save_and_locks_it(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = start_quiz(client, quiz)
    [entry] = entries(quiz)
    body = save_answer(client, attempt, entry, right_answer_data(entry), **JSON).json()
    assert "Right" in body["feedback_html"]
    assert typed_question.explanation in body["feedback_html"]

    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    [item] = page.context["items"]
    assert item.form is None and item.feedback.is_correct

    again = save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": "changed"}, **JSON)
    assert again.status_code == 409
    assert (
        Response.objects.get().answer_text == right_answer_data(entry)[f"q{entry.pk}-answer_text"]
    )


def test_feedback_after_close_waits_for_the_closing_time(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz(
        [typed_question],
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(hours=1),
    )
    attempt = start_quiz(client, quiz)
    [entry] = entries(quiz)
    save_answer(client, attempt, entry, right_answer_data(entry))
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result_url = reverse("attempt_result", args=[attempt.pk])

    hidden = client.get(result_url)
    assert not hidden.context["visible"] and hidden.context["items"][0].feedback is None
    assert "Score:" not in hidden.text
    assert typed_question.explanation not in hidden.text

    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    shown = client.get(result_url)
    assert shown.context["visible"] and "Score: <strong>1 / 1</strong>" in shown.text


def test_timed_attempt_shows_a_countdown_to_its_deadline(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=15)
    attempt = start_quiz(client, quiz)
    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert f'data-deadline="{attempt.deadline.isoformat()}"' in page.text
    assert "quizzes/attempt.js" in page.text


def test_history_lists_my_attempts(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    second = start_quiz(client, quiz)
    response = client.get(reverse("attempt_list"))
    rows = response.context["rows"]
    assert [row[0] for row in rows] == [second, attempt]
    assert reverse("attempt_result", args=[attempt.pk]) in response.text
    assert reverse("attempt_take", args=[second.pk]) in response.text
