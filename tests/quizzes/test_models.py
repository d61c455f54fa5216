"""Model constraints that protect the data whatever code writes it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils import timezone

from quizzes.models import Attempt, QuizQuestion, Response

pytestmark = pytest.mark.django_db


def test_quiz_must_close_after_it_opens(make_quiz, typed_question):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        make_quiz([typed_question], opens_at=now, closes_at=now - timedelta(minutes=1))


def test_a_question_appears_once_per_quiz(quiz, typed_question):
    with pytest.raises(IntegrityError):
        QuizQuestion.objects.create(quiz=quiz, question=typed_question, order=9)


def test_attempt_numbers_are_unique_per_user_and_quiz(quiz, student):
    fields = {"quiz": quiz, "user": student, "number": 1, "started_at": timezone.now()}
    Attempt.objects.create(**fields)
    with pytest.raises(IntegrityError):
        Attempt.objects.create(**fields)


def test_one_response_per_question_per_attempt(quiz, student):
    attempt = Attempt.objects.create(quiz=quiz, user=student, number=1, started_at=timezone.now())
    entry = quiz.quiz_questions.first()
    Response.objects.create(attempt=attempt, quiz_question=entry, answered_at=timezone.now())
    with pytest.raises(IntegrityError):
        Response.objects.create(attempt=attempt, quiz_question=entry, answered_at=timezone.now())


def test_questions_in_a_quiz_cannot_be_deleted(quiz, typed_question):
    with pytest.raises(ProtectedError):
        typed_question.delete()


def test_string_forms_name_the_objects(quiz, student, typed_question):
    attempt = Attempt.objects.create(quiz=quiz, user=student, number=1, started_at=timezone.now())
    assert str(attempt) == f"student - {quiz.title} #1"
    assert str(typed_question) == typed_question.title
    assert str(quiz.quiz_questions.first()) == f"{quiz.title}: {typed_question.title}"


def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
