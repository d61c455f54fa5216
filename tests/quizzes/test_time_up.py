"""A student whose time ran out is told so on the result page, decided from the stored attempt
(submit_attempt dates an overdue attempt at its deadline), whichever request submitted it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, Response
from tests.conftest import right_answer_data, save_answer, start_quiz

pytestmark = pytest.mark.django_db

TIME_IS_UP = "Time is up: your answers were submitted"


def run_out_of_time(attempt):
    """Move the attempt's deadline a second into the past, as if its time had run out."""
    past = timezone.now() - timedelta(seconds=1)
    # It started before its deadline (quizzes.deadlines never ends an attempt before its start).
    started = past - timedelta(minutes=10)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=started, deadline=past)


def test_result_says_time_is_up_after_the_deadline_submitted_it(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    save_answer(client, attempt, entry, right_answer_data(entry))
    run_out_of_time(attempt)

    # The countdown reloads the page at zero: the attempt is submitted, the page sends on.
    taken = client.get(reverse("attempt_take", args=[attempt.pk]))
    result_url = reverse("attempt_result", args=[attempt.pk])
    assert taken["Location"] == result_url
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.score == 1

    for _ in range(2):  # the same on every later visit: it is read from the stored attempt
        result = client.get(result_url)
        assert TIME_IS_UP in result.text
        assert "Score: <strong>1 / 1</strong>" in result.text
    assert Response.objects.get().is_correct


def test_result_of_an_attempt_submitted_in_time_does_not(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert result.status_code == 200
    assert TIME_IS_UP not in result.text and "Submitted" in result.text


def test_the_submission_time_reads_without_a_doubled_full_stop(
    client, logged_in, make_quiz, typed_question
):
    """Django's default format ends an afternoon time with "p.m.": a sentence's own full stop
    after it read "7:17 p.m.." on a fresh site."""
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    afternoon = timezone.now().replace(hour=15, minute=30)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=afternoon, submitted_at=afternoon)
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert "p.m." in result.text and "p.m.." not in result.text


def test_an_attempt_expired_from_another_page_says_so_too(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    run_out_of_time(attempt)
    client.get(reverse("quiz_list"))  # the quiz's status submits overdue attempts
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert TIME_IS_UP in client.get(reverse("attempt_result", args=[attempt.pk])).text


def test_closing_time_counts_as_the_deadline(client, logged_in, make_quiz, typed_question):
    quiz = make_quiz([typed_question], closes_at=timezone.now() + timedelta(hours=1))
    attempt = start_quiz(client, quiz)
    later = attempt.deadline + timedelta(minutes=5)
    submitted = services.expire_overdue(attempt, now=later)
    assert services.ran_out_of_time(submitted)


def test_ran_out_of_time_reads_only_stored_times(student, make_quiz, typed_question):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    now = timezone.now()
    attempt = services.start_attempt(user=student, quiz=quiz, now=now)
    assert not services.ran_out_of_time(attempt)  # not submitted
    in_time = services.submit_attempt(attempt=attempt, now=attempt.deadline - timedelta(seconds=1))
    assert not services.ran_out_of_time(in_time)
    Attempt.objects.filter(pk=attempt.pk).update(submitted_at=None)
    at_deadline = services.submit_attempt(attempt=attempt, now=attempt.deadline)
    assert services.ran_out_of_time(at_deadline)

    untimed = make_quiz([typed_question], slug="untimed")
    attempt = services.start_attempt(user=student, quiz=untimed)
    assert not services.ran_out_of_time(services.submit_attempt(attempt=attempt))
