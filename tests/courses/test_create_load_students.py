"""create_load_students makes a load benchmark's students (one password, hashed once at full
cost, kept in a file), enrols them in the quiz's courses and clears their attempts at the quiz, so
the benchmark can run again."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from courses.models import Enrolment
from quizzes import services
from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


def create(quiz, password_file, count=3):
    out = io.StringIO()
    call_command(
        "create_load_students", count=count, quiz=quiz.slug, password_file=password_file, stdout=out
    )
    return out.getvalue()


def test_students_share_a_password_kept_in_the_file_and_can_log_in(quiz, tmp_path):
    password_file = tmp_path / "var" / "password"
    out = create(quiz, password_file)
    password = password_file.read_text().strip()
    assert len(password) >= 16 and oct(password_file.stat().st_mode)[-3:] == "600"
    assert "loadtest-001..loadtest-003 (3 new, 0 enrolled" in out
    users = get_user_model().objects.filter(username__startswith="loadtest-")
    assert users.count() == 3
    assert not users.filter(is_staff=True).exists()
    assert authenticate(username="loadtest-002", password=password) is not None
    assert authenticate(username="loadtest-002", password="wrong") is None


def test_running_it_again_keeps_the_password_and_clears_their_attempts(quiz, student, tmp_path):
    password_file = tmp_path / "password"
    create(quiz, password_file)
    password = password_file.read_text()
    user = get_user_model().objects.get(username="loadtest-001")
    services.submit_attempt(attempt=services.start_attempt(user=user, quiz=quiz))
    services.start_attempt(user=student, quiz=quiz)  # a real student's attempt stays

    out = create(quiz, password_file)
    assert password_file.read_text() == password
    assert "(0 new, 0 enrolled in quiz's courses); 1 earlier attempt(s)" in out
    assert not Attempt.objects.filter(user=user).exists()
    assert Attempt.objects.filter(user=student).count() == 1


def test_an_unknown_quiz_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No published quiz"):
        call_command(
            "create_load_students", quiz="nope", password_file=tmp_path / "p", stdout=io.StringIO()
        )


def test_students_are_enrolled_in_the_quizs_course_and_can_start_it(
    course, quiz, enrolled, tmp_path
):
    """A quiz assigned to a course (every fixture quiz once seed_demo ran, as on `make run` and
    the cluster) is taken only by its course's students: the benchmark's students join it."""
    out = create(quiz, tmp_path / "password")
    assert "(3 new, 3 enrolled in" in out
    users = get_user_model().objects.filter(username__startswith="loadtest-")
    section = course.sections.order_by("pk").first()
    assert Enrolment.objects.filter(student__in=users, course=course, section=section).count() == 3
    for user in users:
        services.start_attempt(user=user, quiz=quiz)
    assert "(0 new, 0 enrolled in" in create(quiz, tmp_path / "password")
    assert Enrolment.objects.filter(course=course).count() == 4  # the real student kept
