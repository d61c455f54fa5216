"""courses.services and the times they give students (through quizzes.deadlines.quiz_times):
join codes, enrolment, per-section times, accommodations moving an open attempt's deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Enrolment
from quizzes import rules
from quizzes import services as quiz_services
from quizzes.deadlines import effective_deadline, quiz_times
from quizzes.models import Attempt, Quiz
from tests.helpers import save_answer, start_quiz

pytestmark = pytest.mark.django_db


def fresh(quiz):
    return Quiz.objects.get(pk=quiz.pk)


def test_join_codes_are_long_random_and_regenerable(course):
    codes = {services.new_join_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(code) >= 16 for code in codes)
    old = course.join_code
    new = services.course_join_code_regenerate(course=course)
    assert new != old
    course.refresh_from_db()
    assert course.join_code == new


def test_joining_needs_the_current_code_and_a_section(course, section_b, other_student):
    with pytest.raises(services.CourseError, match="not valid"):
        services.enrolment_join(user=other_student, code="nope")
    with pytest.raises(services.CourseError, match="section"):
        services.enrolment_join(user=other_student, code=course.join_code)
    enrolment = services.enrolment_join(
        user=other_student, code=course.join_code, section=section_b
    )
    assert enrolment.section == section_b
    again = services.enrolment_join(user=other_student, code=course.join_code)
    assert again.pk == enrolment.pk
    old = course.join_code
    services.course_join_code_regenerate(course=course)
    with pytest.raises(services.CourseError):
        services.enrolment_join(user=other_student, code=old)


def test_a_section_closing_earlier_overrides_the_quiz(course, quiz, enrolled, section_a):
    now = timezone.now()
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=now + timedelta(days=2))
    course_quiz = course.course_quizzes.get(quiz=quiz)
    services.section_times_set(
        course_quiz=course_quiz, section=section_a, closes_at=now + timedelta(hours=1)
    )
    assert quiz_times(fresh(quiz), enrolled.pk).closes_at == now + timedelta(hours=1)
    # A student of no section of this course keeps the quiz's own times.
    assert quiz_times(fresh(quiz), None).closes_at == now + timedelta(days=2)


def test_an_accommodation_multiplies_the_limit_and_moves_an_open_attempt(course, quiz, enrolled):
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=30)
    start = timezone.now()
    attempt = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz), now=start)
    assert attempt.deadline == start + timedelta(minutes=30)
    services.accommodation_set(
        course=course, student=enrolled, quiz=quiz, time_multiplier=1.5, extra_minutes=5
    )
    times = quiz_times(fresh(quiz), enrolled.pk)
    assert times.time_limit_minutes == 50
    attempt = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    assert attempt.deadline == start + timedelta(minutes=50)
    assert effective_deadline(attempt) == start + timedelta(minutes=50)
    # Saving an answer after the old deadline is accepted now: the server enforces the new one.
    entry = quiz.quiz_questions.first()
    quiz_services.save_answer(
        attempt=attempt, quiz_question=entry, answer_text="x", now=start + timedelta(minutes=40)
    )


def test_extra_attempts_and_extended_closing(course, quiz, enrolled):
    now = timezone.now()
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=now + timedelta(hours=1), max_attempts=2)
    services.accommodation_set(
        course=course,
        student=enrolled,
        quiz=quiz,
        closes_at=now + timedelta(hours=3),
        extra_attempts=1,
    )
    times = quiz_times(fresh(quiz), enrolled.pk)
    assert times.max_attempts == 3
    assert times.closes_at == now + timedelta(hours=3)
    # Feedback after closing waits for the last student's closing time.
    assert times.feedback_after == now + timedelta(hours=3)
    later = now + timedelta(hours=2)
    attempt = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz), now=later)
    assert attempt.deadline == now + timedelta(hours=3)


def test_accommodations_only_for_students_and_quizzes_of_the_course(
    course, quiz, other_student, make_quiz, typed_question
):
    with pytest.raises(services.CourseError, match="not enrolled"):
        services.accommodation_set(course=course, student=other_student, quiz=quiz)


ROSTER = """username,section
student,A
other@example.org,b
ghost,A
student,B
mallory,C
,A
"""


def test_a_roster_preview_says_per_row_what_would_happen_and_changes_nothing(
    course, student, make_user
):
    make_user("other", email="Other@example.org")
    preview = services.roster_preview(course=course, text=ROSTER)
    rows = {row.line: row for row in preview.rows}
    assert rows[2].action == "add" and rows[2].section.name == "A"
    assert rows[3].action == "add" and rows[3].section.name == "B"  # email, any case
    assert "No account" in rows[4].error
    assert "already on line 2" in rows[5].error
    assert "No account" in rows[6].error
    assert "No username" in rows[7].error
    assert not Enrolment.objects.exists()
    with pytest.raises(services.CourseError, match="Nothing was changed"):
        services.roster_apply(course=course, text=ROSTER)
    assert not Enrolment.objects.exists()


def test_a_roster_applies_adds_and_moves(course, enrolled, make_user):
    make_user("mallory")
    preview = services.roster_apply(course=course, text="student,B\nmallory,a\n")
    assert [row.action for row in preview.rows] == ["move", "add"]
    sections = dict(Enrolment.objects.values_list("student__username", "section__name"))
    assert sections == {"student": "B", "mallory": "A"}


def test_the_service_refuses_a_course_quiz_to_a_student_of_no_course(quiz, course, other_student):
    with pytest.raises(quiz_services.QuizUnavailable, match="course you are not in"):
        quiz_services.start_attempt(user=other_student, quiz=fresh(quiz))


def test_feedback_after_closing_waits_for_the_last_section(
    client, course, quiz, enrolled, section_a, section_b, other_student
):
    """Section A closes first; section B still answers: A's students see no key until B's
    closing time (here the quiz's own) has passed."""
    now = timezone.now()
    Quiz.objects.filter(pk=quiz.pk).update(
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE, closes_at=now + timedelta(hours=3)
    )
    course_quiz = course.course_quizzes.get(quiz=quiz)
    services.section_times_set(
        course_quiz=course_quiz, section=section_a, closes_at=now + timedelta(seconds=2)
    )
    Enrolment.objects.create(course=course, section=section_b, student=other_student)
    client.force_login(enrolled)
    attempt = start_quiz(client, quiz)
    for entry in quiz.quiz_questions.all():
        save_answer(client, attempt, entry)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    attempt = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    later = now + timedelta(hours=1)
    assert quiz_times(attempt.quiz, enrolled.pk).closes_at < later
    assert not rules.feedback_visible(attempt=attempt, now=later)
    assert rules.feedback_visible(attempt=attempt, now=now + timedelta(hours=3))
