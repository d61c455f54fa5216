"""The regrade page grades every changed response in memory, which reads each question's claims
and known wrong answers: in a fixed number of queries, not a few per response."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import Enrolment
from quizzes import services as quiz_services
from quizzes import versions
from quizzes.models import KnownWrongAnswer, Response
from tests.courses.test_gradebook import take

pytestmark = pytest.mark.django_db


def regrade_page_reads(client, course, quiz, section_a, instructor, make_user, *, pinned=False):
    """(changed responses, queries) of the regrade page after 2 students answered, then 6."""
    for question in quiz.questions.all():
        KnownWrongAnswer.objects.create(question=question, stdout="wrong\n", misconception="x")
    entry = quiz.quiz_questions.get(question__answer_mode="typed")
    question = entry.question
    url = reverse("course_regrade", args=[course.slug])
    client.force_login(instructor)

    def changed_responses_and_queries(students: int) -> tuple[int, int]:
        for number in range(students):
            student = make_user(f"learner{Enrolment.objects.count()}-{number}")
            Enrolment.objects.create(course=course, section=section_a, student=student)
            take(student, quiz, right=False)
        # The author edits the snippet; the grader computes the new key (the admin's path).
        question.snippet = question.snippet.replace("b.append(", "b.append(1 + ")
        question.save()
        quiz_services.refresh_answer_key(question)
        if pinned:  # and the pinned line's, which the regrade grades with
            versions.refresh_version_keys(question)
        with CaptureQueriesContext(connection) as queries:
            items = client.get(url).context["items"]
        return len(items), len(queries)

    return changed_responses_and_queries(2), changed_responses_and_queries(4)


def test_the_regrade_page_costs_the_same_with_2_or_6_changed_responses(
    client, course, quiz, section_a, instructor, make_user
):
    (two, queries_for_two), (six, queries_for_six) = regrade_page_reads(
        client, course, quiz, section_a, instructor, make_user
    )
    assert (two, six) == (2, 6)
    assert queries_for_six == queries_for_two


def test_a_pinned_course_s_regrade_reads_the_lines_keys_once(
    client, course, quiz, section_a, instructor, make_user, other_line
):
    """The page, and then the regrade itself, grade with the pinned line's keys, read once for
    all the responses (once per response before: 17 queries for 6 against 13 for 2)."""
    course.python = other_line
    course.save()
    (two, queries_for_two), (six, queries_for_six) = regrade_page_reads(
        client, course, quiz, section_a, instructor, make_user, pinned=True
    )
    assert (two, six) == (2, 6)
    assert queries_for_six == queries_for_two
    items = course_selectors.regrade_items(course)
    with CaptureQueriesContext(connection) as queries:
        changed = course_services.response_regrade(
            responses=[item.response for item in items], by=instructor
        )
    assert changed == len(items) == 6
    assert len([q for q in queries if "quizzes_storedkey" in q["sql"]]) == 1
    regraded = Response.objects.filter(pk__in=[item.response.pk for item in items])
    assert all(r.graded_python_version.startswith(other_line + ".") for r in regraded)
