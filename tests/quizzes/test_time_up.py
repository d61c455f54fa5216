"""A student whose time ran out is told so on every page, which show the attempt ended without
storing it (a GET never writes); the next POST or the expire_attempts command stores it, dated
at its deadline, as the pages showed it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes import rules, services
from quizzes.models import Attempt, Response
from tests.helpers import right_answer_data, save_answer, start_quiz

pytestmark = pytest.mark.django_db

TIME_IS_UP = "Time is up: your answers were submitted"


def run_out_of_time(attempt):
    """Move the attempt's deadline a second into the past, as if its time had run out."""
    past = timezone.now() - timedelta(seconds=1)
    # It started before its deadline (quizzes.deadlines never ends an attempt before its start).
    started = past - timedelta(minutes=10)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=started, deadline=past)


def test_result_says_time_is_up_when_the_deadline_passed(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    save_answer(client, attempt, entry, right_answer_data(entry))
    run_out_of_time(attempt)

    # The countdown reloads the page at zero: the attempt is over, the page sends on.
    taken = client.get(reverse("attempt_take", args=[attempt.pk]))
    result_url = reverse("attempt_result", args=[attempt.pk])
    assert taken["Location"] == result_url

    for _ in range(2):  # the same on every visit, graded in memory: a GET writes nothing
        result = client.get(result_url)
        assert TIME_IS_UP in result.text
        assert "Score: <strong>1 / 1</strong>" in result.text
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None
    assert Response.objects.get().graded_key is None

    # The next POST stores what the pages showed.
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.score == 1
    assert Response.objects.get().is_correct
    assert TIME_IS_UP in client.get(result_url).text


def test_result_of_an_attempt_submitted_in_time_does_not(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert result.status_code == 200
    assert TIME_IS_UP not in result.text and "Submitted" in result.text


def test_an_attempt_past_its_deadline_is_over_on_every_page_without_a_write(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10, max_attempts=1)
    attempt = start_quiz(client, quiz)
    run_out_of_time(attempt)
    for page in ("quiz_list", "attempt_list"):
        assert client.get(reverse(page)).status_code == 200
    detail = client.get(reverse("quiz_detail", args=[quiz.slug]))
    assert "You have used all your attempts." in detail.text
    attempt.refresh_from_db()
    assert attempt.submitted_at is None, "a GET stored the expiry"
    assert TIME_IS_UP in client.get(reverse("attempt_result", args=[attempt.pk])).text


def test_starting_again_stores_the_expired_attempt_first(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10, max_attempts=2)
    attempt = start_quiz(client, quiz)
    run_out_of_time(attempt)
    second = start_quiz(client, quiz)
    assert second.pk != attempt.pk
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.score == 0


def test_the_expire_attempts_command_stores_every_expired_attempt(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    save_answer(client, attempt, entry, right_answer_data(entry))
    call_command("expire_attempts", stdout=StringIO())
    assert Attempt.objects.get().submitted_at is None, "an attempt in time is left alone"
    run_out_of_time(attempt)
    out = StringIO()
    call_command("expire_attempts", stdout=out)
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.score == 1
    assert "1 attempt" in out.getvalue()


def test_closing_time_counts_as_the_deadline(client, logged_in, make_quiz, typed_question):
    quiz = make_quiz([typed_question], closes_at=timezone.now() + timedelta(hours=1))
    attempt = start_quiz(client, quiz)
    later = attempt.deadline + timedelta(minutes=5)
    submitted = services.expire_overdue(attempt, now=later)
    assert rules.ran_out_of_time(submitted)


def test_ran_out_of_time_reads_only_stored_times(student, make_quiz, typed_question):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    now = timezone.now()
    attempt = services.start_attempt(user=student, quiz=quiz, now=now)
    assert not rules.ran_out_of_time(attempt)  # not submitted
    in_time = services.submit_attempt(attempt=attempt, now=attempt.deadline - timedelta(seconds=1))
    assert not rules.ran_out_of_time(in_time)
    Attempt.objects.filter(pk=attempt.pk).update(submitted_at=None)
    at_deadline = services.submit_attempt(attempt=attempt, now=attempt.deadline)
    assert rules.ran_out_of_time(at_deadline)

    untimed = make_quiz([typed_question], slug="untimed")
    attempt = services.start_attempt(user=student, quiz=untimed)
    assert not rules.ran_out_of_time(services.submit_attempt(attempt=attempt))


def test_the_submission_time_reads_without_a_doubled_full_stop(
    client, logged_in, make_quiz, typed_question
):
    """Django's default format ends an afternoon time with "p.m.": a sentence's own full stop
    after it read "7:17 p.m.." on a fresh site."""
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    # Yesterday afternoon, with the deadline moved along: an afternoon later today would fall
    # after the deadline stored at the start, and the page would then print that deadline.
    afternoon = (timezone.now() - timedelta(days=1)).replace(hour=15, minute=30)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=afternoon,
        deadline=afternoon + timedelta(minutes=10),
        submitted_at=afternoon + timedelta(minutes=5),
    )
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert "p.m." in result.text and "p.m.." not in result.text
