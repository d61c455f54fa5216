"""Reads of courses, never a write: the courses a user teaches or attends, a roster, a course's
quizzes and times, its students' responses (the gradebook's and item analysis' one source), the
gradebook and the responses a changed key would grade differently. Each in a fixed number of
queries however many students, quizzes or responses."""

import copy
from collections import defaultdict
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery, Sum, prefetch_related_objects
from django.utils import timezone

from courses import times
from courses.models import Accommodation, Course, CourseQuiz, Enrolment, Section, SectionTimes
from courses.presentation import (
    Gradebook,
    GradebookCell,
    GradebookColumn,
    GradebookRow,
    RegradeItem,
)
from quizzes import grading, rules, variant_services, versions
from quizzes.models import Attempt, Quiz, QuizQuestion, Response
from quizzes.services import outcomes_differ

SORTS = ("name", "section", "total")  # and "quiz-<course quiz id>"


def owned_courses(user) -> QuerySet[Course]:
    """The courses `user` teaches: every instructor page reads courses through this."""
    return Course.objects.owned_by(user)


def enrolled_courses(user) -> QuerySet[Course]:
    return Course.objects.filter(enrolments__student=user).distinct()


def course_roster(course: Course) -> list[Enrolment]:
    """Enrolments with student and section; each with `accommodations` (their accommodations
    in this course, with the quiz). Two queries."""
    enrolments = list(
        course.enrolments.select_related("student", "section").order_by(
            "section__name", "student__username"
        )
    )
    by_student = defaultdict(list)
    for accommodation in course.accommodations.select_related("quiz").order_by("quiz__title"):
        by_student[accommodation.student_id].append(accommodation)
    for enrolment in enrolments:
        enrolment.accommodations = by_student.get(enrolment.student_id, [])  # type: ignore[attr-defined]
    return enrolments


def course_quizzes(course: Course) -> list[CourseQuiz]:
    """The course's quizzes in order, each with its quiz and `points_total`. One query."""
    points = Quiz.objects.filter(pk=OuterRef("quiz")).annotate(total=Sum("quiz_questions__points"))
    return list(
        course.course_quizzes.select_related("quiz")
        .annotate(points_total=Subquery(points.values("total")[:1]))
        .order_by("order", "quiz__title")
    )


def course_responses(
    *, course: Course, quiz: Quiz | None = None, section: Section | None = None
) -> QuerySet[Response]:
    """The responses of the course's students in submitted attempts of the course's quizzes
    (of `quiz`, of `section`), each with `section_name`, its attempt and user, question and
    chosen choice: one query. The responses export reads this; item analysis will too."""
    enrolled = Enrolment.objects.filter(course=course)
    if section is not None:
        enrolled = enrolled.filter(section=section)
    section_name = Enrolment.objects.filter(course=course, student=OuterRef("attempt__user"))
    responses = Response.objects.filter(
        attempt__submitted_at__isnull=False,
        attempt__quiz__in=CourseQuiz.objects.filter(course=course).values("quiz"),
        attempt__user__in=enrolled.values("student"),
    )
    if quiz is not None:
        responses = responses.filter(attempt__quiz=quiz)
    return (
        responses.select_related(
            "attempt__user", "attempt__quiz", "quiz_question__question", "choice", "variant"
        )
        # A question's trace (a memory diagram, often kilobytes of JSON) is no use here.
        .defer("quiz_question__question__key_trace", "attempt__question_order")
        .annotate(section_name=Subquery(section_name.values("section__name")[:1]))
        .order_by(
            "attempt__user__username",
            "attempt__quiz__title",
            "attempt__number",
            "quiz_question__order",
            "quiz_question_id",
        )
    )


def _points_total(course_quiz: CourseQuiz) -> int:
    return getattr(course_quiz, "points_total", None) or 0  # course_quizzes' annotation


def _counted(attempts: list[Attempt], policy: str) -> Attempt | None:
    scored = [a for a in attempts if a.score is not None]
    if not scored:
        return None
    if policy == Quiz.ScorePolicy.LAST:
        return max(scored, key=lambda a: (a.submitted_at, a.number))
    return max(scored, key=lambda a: (a.score, -a.number))


def gradebook(
    course: Course,
    *,
    section: Section | None = None,
    sort: str = "name",
    descending: bool = False,
    now: datetime | None = None,
) -> Gradebook:
    """Students × quizzes with the score that counts, late and missing marked: five queries
    however many students, quizzes or attempts (pinned by tests/courses)."""
    now = now or timezone.now()
    rows_of = course.enrolments.select_related("student", "section")
    if section is not None:
        rows_of = rows_of.filter(section=section)
    enrolments = list(rows_of)
    columns = [GradebookColumn(cq, _points_total(cq)) for cq in course_quizzes(course)]
    quiz_ids = [column.quiz.pk for column in columns]
    student_ids = [e.student_id for e in enrolments]
    attempts = defaultdict(list)
    submitted = Attempt.objects.filter(
        quiz_id__in=quiz_ids, user_id__in=student_ids, submitted_at__isnull=False
    )
    for attempt in submitted:
        attempts[(attempt.user_id, attempt.quiz_id)].append(attempt)
    section_times = {
        (t.course_quiz_id, t.section_id): t
        for t in SectionTimes.objects.filter(course_quiz__course=course)
    }
    accommodations = {
        (a.student_id, a.quiz_id): a for a in Accommodation.objects.filter(course=course)
    }
    rows = []
    for enrolment in enrolments:
        cells = []
        for column in columns:
            cq, quiz = column.course_quiz, column.quiz
            st = section_times.get((cq.pk, enrolment.section_id))
            base = times.student_times(
                quiz, course_quiz=cq, section_times=st, accommodation=None, feedback_after=None
            )
            own = times.student_times(
                quiz,
                course_quiz=cq,
                section_times=st,
                accommodation=accommodations.get((enrolment.student_id, quiz.pk)),
                feedback_after=None,
            )
            taken = attempts.get((enrolment.student_id, quiz.pk), [])
            counted = _counted(taken, quiz.score_policy)
            if counted is not None:
                counted.quiz = quiz
            cells.append(
                GradebookCell(
                    column=column,
                    counted=counted,
                    attempts=len(taken),
                    closes_at=own.closes_at,
                    late=bool(
                        counted
                        and base.closes_at
                        and counted.submitted_at
                        and counted.submitted_at > base.closes_at
                    ),
                    missing=counted is None and own.closes_at is not None and now >= own.closes_at,
                    ran_out_of_time=bool(counted and rules.ran_out_of_time(counted)),
                )
            )
        rows.append(GradebookRow(enrolment=enrolment, cells=cells))
    _sort(rows, columns, sort, descending)
    return Gradebook(columns=columns, rows=rows, sort=sort, descending=descending)


def _sort(rows: list[GradebookRow], columns, sort: str, descending: bool) -> None:
    """By the chosen column (descending when asked), students of equal value by name."""
    rows.sort(key=lambda r: r.student.get_username().casefold())
    if sort == "section":
        rows.sort(key=lambda r: r.enrolment.section.name.casefold(), reverse=descending)
    elif sort == "total":
        rows.sort(key=lambda r: r.total, reverse=descending)
    elif sort.startswith("quiz-"):
        index = next((i for i, c in enumerate(columns) if c.sort_key == sort), None)
        if index is not None:
            rows.sort(key=lambda r: _score_key(r.cells[index].score), reverse=descending)
    elif descending:
        rows.reverse()


def _score_key(score: int | None) -> int:
    return -1 if score is None else score  # nothing submitted sorts below zero


def student_attempts(course: Course, student) -> list[Attempt]:
    """The student's attempts of the course's quizzes, newest first."""
    return list(
        Attempt.objects.filter(
            user=student, quiz__in=CourseQuiz.objects.filter(course=course).values("quiz")
        )
        .select_related("quiz")
        .order_by("quiz__title", "number")
    )


def course_attempt(course: Course, pk: int) -> Attempt | None:
    """An attempt of a course quiz by a student of the course; None for any other."""
    return (
        Attempt.objects.filter(
            pk=pk,
            quiz__in=CourseQuiz.objects.filter(course=course).values("quiz"),
            user__in=Enrolment.objects.filter(course=course).values("student"),
        )
        .select_related("quiz", "user")
        .first()
    )


def attempt_entries(attempt: Attempt) -> list[QuizQuestion]:
    """The attempt's quiz questions (with question and choices) in the order it showed them."""
    entries = (
        QuizQuestion.objects.filter(quiz=attempt.quiz_id)
        .select_related("question")
        .prefetch_related("question__choices", "question__stored_keys")
    )
    by_id = {entry.pk: entry for entry in entries}
    order = [pk for pk in attempt.question_order if pk in by_id] or list(by_id)
    return variant_services.entries_as_seen(attempt, [by_id[pk] for pk in order])


def attempt_responses(attempt: Attempt) -> dict[int, Response]:
    """The attempt's responses by quiz question id, with choice, override author and history."""
    responses = attempt.responses.select_related("choice", "override_by").prefetch_related(
        "grade_changes__changed_by"
    )
    return {response.quiz_question_id: response for response in responses}


def regrade_items(course: Course) -> list[RegradeItem]:
    """Every submitted response of the course whose stored key would grade differently from
    its question's current (valid) key, with the grade it has and the grade it would get.
    Grades in memory only (copies): nothing is saved."""
    items = []
    responses = list(course_responses(course=course))
    # What grading reads of each question beyond its row (a true/false claim, the known wrong
    # answers of a typed one): two queries, not two per response regraded.
    stale = [
        r
        for r in responses
        if r.variant_id is None
        and outcomes_differ(r.graded_key, r.quiz_question.question.answer_key)
    ]
    prefetch_related_objects(
        [response.quiz_question.question for response in stale], "choices", "known_wrong_answers"
    )
    # A variant's response is compared with its variant's key (as_seen: the variant's keys, the
    # question's choices rendered): three queries for all of them, none without variants.
    given = [response for response in responses if response.variant_id is not None]
    prefetch_related_objects(
        given,
        "variant__stored_keys",
        "quiz_question__question__choices",
        "quiz_question__question__known_wrong_answers",
    )
    with versions.pins_read_once():  # the course pins read once for all the answers
        # The pinned line's keys, read for every answer at once.
        prefetch_related_objects(
            responses, *versions.grading_keys_prefetches("quiz_question__question")
        )
        for response in responses:
            # A variant's response is compared with, and regraded against, that variant's key.
            question = variant_services.as_seen(response.quiz_question.question, response.variant)
            if not grading.is_valid_key(question.answer_key):
                continue
            if not outcomes_differ(response.graded_key, question.answer_key):
                continue
            regraded = copy.copy(response)
            regraded.choice = variant_services.seen_choice(question, response.choice)
            grading.grade_response(regraded, question, response.quiz_question.points)
            items.append(
                RegradeItem(
                    response=response,
                    old_correct=response.is_correct,
                    old_points=response.points_awarded,
                    new_correct=regraded.is_correct,
                    new_points=regraded.points_awarded,
                    old_key=response.graded_key or {},
                    new_key=question.answer_key,
                )
            )
    return items
