"""The courses app's side of quizzes.hooks: a student's times for quizzes, the quizzes they see
and the topics they practise.

A quiz assigned to no course is open to everyone (the shared library's quizzes, as before
courses). A quiz assigned to a course is seen only by that course's students (and authors). A
student in no course therefore sees the quizzes of no course and practises every topic; a
student in courses practises the topics of their courses (a course that lists no topic: all).
A student in two courses that both assign a quiz has the times of the first course (by id).
"""

import functools
from collections import defaultdict
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import roles
from courses import times
from courses.models import Accommodation, Course, CourseQuiz, Enrolment, SectionTimes
from quizzes.hooks import QuizTimes, own_times


class CourseHooks:
    def times_for(self, quizzes: list, user_id: int | None) -> dict[int, QuizTimes]:
        """At most three queries however many quizzes; one for quizzes of no course, and for
        those whose course gives no section its own times and the quiz no accommodation that
        counts here (an exam's usual case: every request of the class reads its times)."""
        if not quizzes:
            return {}
        quiz_ids = [quiz.pk for quiz in quizzes]
        # CourseQuiz rows with the three annotations of the statement.
        course_quizzes: list[Any] = list(
            CourseQuiz.objects.raw(
                _course_quizzes_sql(len(quiz_ids)), [user_id, user_id, *quiz_ids]
            )
        )
        if not course_quizzes:
            return {quiz.pk: own_times(quiz) for quiz in quizzes}
        all_times = []
        if any(cq.has_section_times for cq in course_quizzes):
            all_times = list(SectionTimes.objects.filter(course_quiz__in=course_quizzes))
        accommodations = []
        if any(cq.has_accommodations for cq in course_quizzes):
            # An accommodation applies while its quiz is assigned to its course; another
            # student's counts only by its closing time (the last close, after which feedback
            # shows).
            counted = Q(student_id=user_id) | Q(closes_at__isnull=False)
            accommodations = list(
                Accommodation.objects.filter(
                    quiz_id__in=quiz_ids, course_id__in={cq.course_id for cq in course_quizzes}
                ).filter(counted)
            )
        by_quiz = defaultdict(list)
        for course_quiz in course_quizzes:
            by_quiz[course_quiz.quiz_id].append(course_quiz)
        result = {}
        for quiz in quizzes:
            assigned = by_quiz[quiz.pk]
            cq_ids = {cq.pk for cq in assigned}
            quiz_times = [t for t in all_times if t.course_quiz_id in cq_ids]
            quiz_accommodations = [a for a in accommodations if a.quiz_id == quiz.pk]
            own = next((cq for cq in assigned if cq.own_section is not None), None)
            section_times = None
            if own is not None:
                section_id = own.own_section
                section_times = next(
                    (
                        t
                        for t in quiz_times
                        if t.course_quiz_id == own.pk and t.section_id == section_id
                    ),
                    None,
                )
            accommodation = None
            if own is not None:
                accommodation = next(
                    (
                        a
                        for a in quiz_accommodations
                        if a.student_id == user_id and a.course_id == own.course_id
                    ),
                    None,
                )
            result[quiz.pk] = times.student_times(
                quiz,
                course_quiz=own,
                section_times=section_times,
                accommodation=accommodation,
                feedback_after=times.last_close(quiz, assigned, quiz_times, quiz_accommodations),
            )
        return result

    def visible_quizzes(self, user, quizzes: QuerySet) -> QuerySet:
        if roles.is_instructor(user):
            return quizzes
        assigned = CourseQuiz.objects.filter(quiz=OuterRef("pk"))
        if not user.is_authenticated:
            return quizzes.filter(~Exists(assigned))
        own = assigned.filter(course__enrolments__student=user)
        return quizzes.filter(~Exists(assigned) | Exists(own))

    def practice_topic_ids(self, user) -> set[int] | None:
        """Kept on the request's user object: pages ask more than once."""
        if not user.is_authenticated:
            return None
        if "_practice_topic_ids" not in user.__dict__:
            user.__dict__["_practice_topic_ids"] = _practice_topic_ids(user)
        return user.__dict__["_practice_topic_ids"]

    def attempts_seen_by(self, user, attempts: QuerySet) -> QuerySet:
        """An instructor sees the attempts at quizzes of no course (the shared library's, as
        before courses) and those of their own courses' students at their courses' quizzes,
        never another instructor's class; a superuser sees every attempt."""
        if user.is_superuser:
            return attempts
        assigned = CourseQuiz.objects.filter(quiz=OuterRef("quiz"))
        own = assigned.filter(
            course__instructors=user, course__enrolments__student=OuterRef("user")
        )
        return attempts.filter(~Exists(assigned) | Exists(own))


@functools.cache
def _course_quizzes_sql(quiz_count: int) -> str:
    """The course quizzes of `quiz_count` quizzes, each with the student's section in its course
    and whether its course gives any section times or any accommodation that counts for the
    student (theirs, or another's closing time): the query every exam request makes, written
    out once per quiz count. Built by the ORM it cost a save about a quarter of its CPU, in
    building the same SQL again on every request. Parameters: the student's id twice, then the
    quiz ids. The first course by id comes first (the rule of this module's docstring; the ORM
    query it replaces ordered by the course's title)."""
    course_quiz = CourseQuiz._meta.db_table
    enrolment = Enrolment._meta.db_table
    section_times = SectionTimes._meta.db_table
    accommodation = Accommodation._meta.db_table
    placeholders = ", ".join(["%s"] * quiz_count)
    return f"""
        SELECT cq.*,
            (SELECT e.section_id FROM {enrolment} e
              WHERE e.course_id = cq.course_id AND e.student_id = %s) AS own_section,
            EXISTS(SELECT 1 FROM {section_times} st
              WHERE st.course_quiz_id = cq.id) AS has_section_times,
            EXISTS(SELECT 1 FROM {accommodation} a
              WHERE a.quiz_id = cq.quiz_id AND a.course_id = cq.course_id
                AND (a.student_id = %s OR a.closes_at IS NOT NULL)) AS has_accommodations
        FROM {course_quiz} cq
        WHERE cq.quiz_id IN ({placeholders})
        ORDER BY cq.course_id"""


def _practice_topic_ids(user) -> set[int] | None:
    rows = Course.objects.filter(enrolments__student=user).values_list("pk", "topics")
    by_course: dict[int, set[int]] = defaultdict(set)
    for course_id, topic_id in rows:
        by_course[course_id].add(topic_id)
    if not by_course or any(None in topics for topics in by_course.values()):
        return None  # no course, or a course of every topic
    if roles.is_instructor(user):
        return None
    return set().union(*by_course.values())
