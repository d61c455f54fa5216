"""The pages that show an attempt's parameterised questions as their variants read every
variant's keys in a fixed number of queries: the same with 2 parameterised questions as with 10
(variant_services.as_seen and versions.other_version_outputs read prefetched rows)."""

import csv
import io

import pytest
from django.urls import reverse

from courses import services as course_services
from quizzes import footer_versions, services
from quizzes.models import Quiz
from tests.quizzes.test_variant_storage import parameterised_questions

pytestmark = pytest.mark.django_db

# Queries per page, the same with 2 parameterised questions as with 10 (before the variants' keys
# were prefetched, 21/37, 19/35, 13/27 and 5/5 with 2/10: two more per parameterised question).
# The footer's "keys computed with Python ..." is read from the cache (quizzes/footer_versions.py;
# two queries before, the questions' and the pages' versions).
PAGE_QUERIES = {
    # session, user; the attempt; its responses; the entries with their questions, choices and
    # keys (3); the stored variants and their keys (2); the other quizzes that hold the feedback
    # of its questions back (none here; with some, their attempts, entries and times: 3 more).
    "attempt_result": 10,
    # session, user, groups; the course (owner-scoped); the attempt; the entries with their
    # questions, choices and keys (3); the stored variants and their keys (2); the responses and
    # their grade changes (2); groups again (the menu).
    "course_attempt": 13,
    # session, user, groups; the course; its responses (one query); the variants' keys, their
    # questions' choices and known wrong answers (3, for all of them: as_seen); groups again; the
    # grade changes.
    "course_regrade": 10,
    # session, user, groups; the course; the responses (one query, streamed).
    "course_responses_csv": 5,
}


@pytest.fixture
def answered(topic, course, enrolled):
    """`build(n)`: a course quiz of `n` parameterised questions, answered (wrong) and submitted by
    the enrolled student; returns the attempt."""

    def build(n: int):
        quiz = Quiz.objects.create(
            slug=f"params-{n}", title="Params", is_published=True, max_attempts=None
        )
        for order, question in enumerate(parameterised_questions(topic, n)):
            quiz.quiz_questions.create(question=question, order=order, points=1)
        course_services.course_quiz_assign(course=course, quiz=quiz)
        attempt = services.start_attempt(user=enrolled, quiz=quiz)
        for entry in quiz.quiz_questions.all():
            services.save_answer(attempt=attempt, quiz_question=entry, answer_text="wrong")
        return services.submit_attempt(attempt=attempt)

    return build


@pytest.mark.parametrize("n", [2, 10])
def test_pages_with_variants_cost_the_same_with_2_or_10_of_them(
    n, client, instructor, course, enrolled, answered, django_assert_num_queries
):
    attempt = answered(n)
    pages = {
        "attempt_result": (enrolled, reverse("attempt_result", args=[attempt.pk])),
        "course_attempt": (
            instructor,
            reverse("course_attempt", args=[course.slug, attempt.pk]),
        ),
        "course_regrade": (instructor, reverse("course_regrade", args=[course.slug])),
        "course_responses_csv": (
            instructor,
            reverse("course_responses_csv", args=[course.slug]),
        ),
    }
    footer_versions.footer_key_versions()  # the footer's, kept in the cache after a first page
    for name, (user, url) in pages.items():
        client.force_login(user)
        with django_assert_num_queries(PAGE_QUERIES[name]):
            response = client.get(url)
            body = (
                b"".join(response.streaming_content).decode()
                if response.streaming
                else response.text
            )
        assert response.status_code == 200, name
        assert "{{" not in body, name
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sum(1 for row in rows if row["variant"]) == n
