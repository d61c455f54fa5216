"""The regrade page grades every changed response in memory, which reads each question's claims
and known wrong answers: in a fixed number of queries, not a few per response."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Enrolment
from quizzes import services as quiz_services
from quizzes.models import KnownWrongAnswer
from tests.courses.test_gradebook import take

pytestmark = pytest.mark.django_db


def test_the_regrade_page_costs_the_same_with_2_or_6_changed_responses(
    client, course, quiz, section_a, instructor, make_user
):
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
        with CaptureQueriesContext(connection) as queries:
            items = client.get(url).context["items"]
        return len(items), len(queries)

    two, queries_for_two = changed_responses_and_queries(2)
    six, queries_for_six = changed_responses_and_queries(4)
    assert (two, six) == (2, 6)
    assert queries_for_six == queries_for_two
