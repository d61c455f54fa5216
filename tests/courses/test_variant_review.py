"""An instructor sees, in a student's attempt in the gradebook, which variant the student was
given, with that variant's snippet and the key it was graded against; the responses export says
which variant each answer was given to."""

import csv
import io

import pytest
from django.urls import reverse

from courses import services as course_services
from quizzes import grading, services, variant_services
from quizzes.models import Quiz
from tests.helpers import DOUBLING, make_variant_question

pytestmark = pytest.mark.django_db


def test_the_attempt_view_and_the_export_name_the_variant(
    client, instructor, course, enrolled, topic
):
    question = make_variant_question(topic, **DOUBLING)
    quiz = Quiz.objects.create(slug="doubling-quiz", title="Doubling quiz", is_published=True)
    entry = quiz.quiz_questions.create(question=question, order=0, points=1)
    course_services.course_quiz_assign(course=course, quiz=quiz)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    variant = variant_services.draw(question, f"attempt:{attempt.pk}")
    seen = variant_services.as_seen(question, variant)
    right = grading.expected_text(seen.answer_key)
    services.save_answer(attempt=attempt, quiz_question=entry, answer_text=right)
    services.submit_attempt(attempt=attempt)

    client.force_login(instructor)
    page = client.get(reverse("course_attempt", args=[course.slug, attempt.pk])).text
    label = variant_services.variant_label(variant).replace("'", "&#x27;")
    assert f'<span class="variant-given">variant {label}</span>' in page
    assert variant.params["word"] * 2 in page and "{{" not in page

    export = client.get(reverse("course_responses_csv", args=[course.slug]))
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    (row,) = [r for r in rows if r["question_slug"] == "doubling"]
    assert row["variant"] == variant_services.variant_label(variant)
    assert row["correct"] == "true" and row["answer"] == right
