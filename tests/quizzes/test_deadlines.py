"""An open attempt's deadline follows its quiz's current times (quizzes.deadlines): closing a quiz
earlier closes its open attempts at the new time, and the countdown shows the new deadline."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import rules, services
from quizzes.deadlines import effective_deadline, follow_quiz_times
from quizzes.models import Attempt, Quiz
from tests.helpers import JSON, save_answer, start_quiz

pytestmark = pytest.mark.django_db


def quiz_change_post(quiz: Quiz, **changes) -> dict:
    """The admin's change form of `quiz` as the browser posts it, with `changes`."""
    times = {name: changes.pop(name, getattr(quiz, name)) for name in ("opens_at", "closes_at")}
    data = {
        "title": quiz.title,
        "slug": quiz.slug,
        "description": quiz.description,
        "time_limit_minutes": quiz.time_limit_minutes or "",
        "max_attempts": quiz.max_attempts or "",
        "feedback_policy": quiz.feedback_policy,
        "is_published": "on",
        "_save": "Save",
    }
    for name, moment in times.items():
        moment = timezone.localtime(moment) if moment else None
        data[f"{name}_0"] = f"{moment:%Y-%m-%d}" if moment else ""
        data[f"{name}_1"] = f"{moment:%H:%M:%S}" if moment else ""
    data.update(changes)
    entries = list(quiz.quiz_questions.all())
    data |= {
        "quiz_questions-TOTAL_FORMS": len(entries),
        "quiz_questions-INITIAL_FORMS": len(entries),
        "quiz_questions-MIN_NUM_FORMS": 0,
        "quiz_questions-MAX_NUM_FORMS": 1000,
    }
    for index, entry in enumerate(entries):
        prefix = f"quiz_questions-{index}-"
        data |= {
            prefix + "id": entry.pk,
            prefix + "quiz": quiz.pk,
            prefix + "order": entry.order,
            prefix + "question": entry.question_id,
            prefix + "points": entry.points,
        }
    return data


def admin_save(instructor, quiz, **changes):
    """An instructor saves the quiz in the admin, from their own browser."""
    browser = Client()
    browser.force_login(instructor)
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    response = browser.post(url, quiz_change_post(quiz, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    quiz.refresh_from_db()
    return response


def test_closing_a_quiz_earlier_closes_its_open_attempts_at_the_new_time(
    client, logged_in, other_student, instructor, make_quiz, typed_question
):
    now = timezone.now()
    quiz = make_quiz(
        [typed_question],
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=now + timedelta(days=1),
    )
    entry = quiz.quiz_questions.get()
    finished = services.start_attempt(user=other_student, quiz=quiz)
    services.submit_attempt(attempt=finished)
    attempt = start_quiz(client, quiz)
    new_close = (now - timedelta(seconds=5)).replace(microsecond=0)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=new_close - timedelta(minutes=5))
    admin_save(instructor, quiz, closes_at=new_close)

    # The quiz counts as closed, so the finished attempt's feedback shows: the open one is over.
    assert rules.feedback_visible(attempt=Attempt.objects.get(pk=finished.pk))
    refused = save_answer(client, attempt, entry, **JSON)
    assert refused.status_code == 409 and not refused.json()["saved"]
    attempt.refresh_from_db()
    assert attempt.submitted_at == new_close
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert result.context["visible"] and not attempt.responses.exists()


def test_a_quiz_closed_by_any_path_closes_its_open_attempts(
    client, logged_in, make_quiz, typed_question
):
    """Not only the admin: a closing time changed elsewhere (a fixture, the shell) holds too."""
    quiz = make_quiz([typed_question], closes_at=timezone.now() + timedelta(days=1))
    attempt = start_quiz(client, quiz)
    closed = timezone.now() - timedelta(seconds=1)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=closed - timedelta(minutes=1))
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=closed)
    assert save_answer(client, attempt, quiz.quiz_questions.get(), **JSON).status_code == 409
    attempt.refresh_from_db()
    assert attempt.submitted_at == closed


def test_the_countdown_shows_the_deadline_the_quiz_times_make_now(
    client, logged_in, instructor, make_quiz, typed_question
):
    now = timezone.now()
    quiz = make_quiz([typed_question], time_limit_minutes=60, closes_at=now + timedelta(hours=2))
    attempt = start_quiz(client, quiz)
    take = reverse("attempt_take", args=[attempt.pk])
    assert client.get(take).context["deadline"] == attempt.started_at + timedelta(minutes=60)

    earlier = (now + timedelta(minutes=30)).replace(microsecond=0)
    admin_save(instructor, quiz, closes_at=earlier)
    attempt.refresh_from_db()
    assert attempt.deadline == earlier
    assert f'data-deadline="{earlier.isoformat()}"' in client.get(take).text
    saved = save_answer(client, attempt, quiz.quiz_questions.get(), **JSON).json()
    assert saved["deadline"] == earlier.isoformat()

    # A later closing time gives the time back, up to the time limit.
    admin_save(instructor, quiz, closes_at=now + timedelta(hours=3))
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=60)
    assert client.get(take).context["deadline"] == attempt.deadline


def test_a_shorter_time_limit_moves_open_attempts_too(student, make_quiz, typed_question):
    quiz = make_quiz([typed_question], time_limit_minutes=60)
    attempt = services.start_attempt(user=student, quiz=quiz)
    quiz.time_limit_minutes = 20
    quiz.save()
    assert follow_quiz_times(quiz) == 1
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=20)


def test_a_later_closing_time_does_not_reopen_an_attempt_past_its_deadline(
    student, make_quiz, typed_question
):
    now = timezone.now()
    quiz = make_quiz([typed_question], time_limit_minutes=5)
    attempt = services.start_attempt(user=student, quiz=quiz, now=now - timedelta(minutes=10))
    quiz.time_limit_minutes = 60
    quiz.save()
    assert follow_quiz_times(quiz, now=now) == 0
    expired = services.expire_overdue(attempt, now=now)
    assert expired.submitted_at == now - timedelta(minutes=5)


def test_a_closing_time_before_the_start_ends_the_attempt_at_its_start(
    student, make_quiz, typed_question
):
    now = timezone.now()
    quiz = make_quiz([typed_question], closes_at=now + timedelta(hours=1))
    services.start_attempt(user=student, quiz=quiz, now=now)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=now - timedelta(hours=1))
    attempt = Attempt.objects.select_related("quiz").get()
    assert effective_deadline(attempt) == attempt.started_at
    assert services.expire_overdue(attempt, now=now + timedelta(seconds=1)).submitted_at == now
