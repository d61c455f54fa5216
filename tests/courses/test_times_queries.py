"""A student's times for a course's quiz (courses.hooks.times_for) read only what exists: one
query when the course gives no section its own times and the quiz no accommodation that counts
here, as on an exam day's every start, page and autosave; the section times and the
accommodations each add theirs only when there are some. The times read are the same."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses import services
from courses.models import Enrolment
from quizzes.deadlines import quiz_times
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db


def fresh(quiz):
    return Quiz.objects.get(pk=quiz.pk)


def test_a_course_quiz_with_no_section_times_or_accommodations_costs_one_query(
    course, quiz, enrolled, django_assert_num_queries
):
    loaded = fresh(quiz)
    with django_assert_num_queries(1):
        times = quiz_times(loaded, enrolled.pk)
    assert times.closes_at == quiz.closes_at and times.time_limit_minutes == quiz.time_limit_minutes


def test_section_times_are_read_when_there_are_some(
    course, quiz, enrolled, section_a, django_assert_num_queries
):
    closes_at = timezone.now() + timedelta(hours=1)
    course_quiz = course.course_quizzes.get(quiz=quiz)
    services.section_times_set(course_quiz=course_quiz, section=section_a, closes_at=closes_at)
    loaded = fresh(quiz)
    with django_assert_num_queries(2):
        times = quiz_times(loaded, enrolled.pk)
    assert times.closes_at == closes_at


def test_an_own_accommodation_is_read_when_there_is_one(
    course, quiz, enrolled, django_assert_num_queries
):
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=30)
    services.accommodation_set(course=course, student=enrolled, quiz=quiz, time_multiplier=2)
    loaded = fresh(quiz)
    with django_assert_num_queries(2):
        times = quiz_times(loaded, enrolled.pk)
    assert times.time_limit_minutes == 60


def test_another_student_s_later_closing_is_read_for_when_feedback_shows(
    course, quiz, enrolled, other_student, section_b, django_assert_num_queries
):
    now = timezone.now()
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=now + timedelta(hours=1))
    Enrolment.objects.create(course=course, section=section_b, student=other_student)
    later = now + timedelta(hours=3)
    services.accommodation_set(course=course, student=other_student, quiz=quiz, closes_at=later)
    loaded = fresh(quiz)
    with django_assert_num_queries(2):
        times = quiz_times(loaded, enrolled.pk)
    assert times.closes_at == now + timedelta(hours=1)
    assert times.feedback_after == later


def test_another_student_s_accommodation_without_a_closing_time_is_not_read(
    course, quiz, enrolled, other_student, section_b, django_assert_num_queries
):
    Enrolment.objects.create(course=course, section=section_b, student=other_student)
    services.accommodation_set(course=course, student=other_student, quiz=quiz, extra_attempts=2)
    loaded = fresh(quiz)
    with django_assert_num_queries(1):
        times = quiz_times(loaded, enrolled.pk)
    assert times.max_attempts == quiz.max_attempts


def test_a_student_in_two_courses_that_assign_the_quiz_has_the_first_course_s_times(
    instructor, quiz, student, django_assert_num_queries
):
    """The first course by id (courses.hooks' rule), not by title: the course made first is
    "Zeta", whose title sorts last."""
    now = timezone.now()
    closes = {}
    for title, hours in (("Zeta", 2), ("Alpha", 5)):
        course = services.course_create(
            title=title, slug=title.lower(), instructors=[instructor], sections=["A"]
        )
        closes[title] = now + timedelta(hours=hours)
        services.course_quiz_assign(course=course, quiz=quiz, closes_at=closes[title])
        Enrolment.objects.create(course=course, section=course.sections.get(), student=student)
    loaded = fresh(quiz)
    with django_assert_num_queries(1):
        times = quiz_times(loaded, student.pk)
    assert times.closes_at == closes["Zeta"]
