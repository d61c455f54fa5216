"""Facility per variant and the flag for variants much harder or easier than their siblings:
the pure rule on hand-checkable data, then the item analysis of a quiz students took."""

import pytest
from django.urls import reverse

from analytics import selectors
from analytics.variant_facility import EASIER, HARDER, variant_facilities
from quizzes import grading, services, variant_services
from quizzes.models import Quiz
from tests.helpers import make_variant_question


def test_a_hand_checked_example():
    # A: 10/10 right, B: 2/10, C: 9/10 (1 point each).
    scores = {"A": [1.0] * 10, "B": [1.0] * 2 + [0.0] * 8, "C": [1.0] * 9 + [0.0]}
    a, b, c = variant_facilities(scores, 1.0)
    assert (a.facility, b.facility, c.facility) == (1.0, 0.2, 0.9)
    # B: siblings 19/20 = 0.95, gap -0.75; pooled 21/30 = 0.7, SE = sqrt(.7*.3*(1/10+1/20))
    # = 0.1775, z = -4.23: much harder.
    assert b.siblings_facility == pytest.approx(0.95) and b.flag == HARDER
    # A: siblings 11/20 = 0.55, gap 0.45, z = 2.54: much easier.
    assert a.siblings_facility == pytest.approx(0.55) and a.flag == EASIER
    # C: siblings 12/20 = 0.6, gap 0.3 >= 0.25 but z = 1.69 < 1.96: chance, not flagged.
    assert c.siblings_facility == pytest.approx(0.6) and c.flag == ""


@pytest.mark.parametrize(
    ("scores", "why"),
    [
        ({"A": [1.0] * 4, "B": [0.0] * 20}, "fewer than 5 responses"),
        ({"A": [1.0] * 20, "B": [0.0] * 4}, "siblings with fewer than 5 responses"),
        ({"A": [1.0] * 16 + [0.0] * 4, "B": [1.0] * 12 + [0.0] * 8}, "a gap of only 0.2"),
    ],
)
def test_no_flag_without_enough_responses_or_gap(scores, why):
    assert [row.flag for row in variant_facilities(scores, 1.0)] == ["", ""], why


def test_points_are_divided_by_the_maximum():
    (row,) = variant_facilities({"#0 (n=1)": [2.0, 0.0, 1.0]}, 2.0)
    assert row.facility == pytest.approx(0.5) and row.siblings_facility is None


@pytest.mark.django_db
def test_item_analysis_reports_facility_per_variant_given(doubling, make_user, make_quiz):
    question = doubling
    quiz = make_quiz([question], points=2)
    entry = quiz.quiz_questions.get()
    expected: dict[int, list[float]] = {}
    for number in range(12):
        student = make_user(f"learner{number}")
        attempt = services.start_attempt(user=student, quiz=Quiz.objects.get(pk=quiz.pk))
        variant = variant_services.draw(question, f"attempt:{attempt.pk}")
        seen = variant_services.as_seen(question, variant)
        # Only the students given the first variant answer right.
        text = grading.expected_text(seen.answer_key) if variant.index == 0 else "wrong"
        services.save_answer(attempt=attempt, quiz_question=entry, answer_text=text)
        services.submit_attempt(attempt=attempt)
        expected.setdefault(variant.index, []).append(2.0 if variant.index == 0 else 0.0)
    (row,) = selectors.quiz_analysis(quiz).rows
    labels = {v.index: variant_services.variant_label(v) for v in question.variants.all()}
    assert [(v.label, v.n) for v in row.variants] == [
        (labels[index], len(points)) for index, points in sorted(expected.items())
    ]
    for shown in row.variants:
        assert shown.facility == (1.0 if shown.label == labels[0] else 0.0)


@pytest.mark.django_db
def test_the_analysis_page_shows_the_variant_table(client, instructor, course, enrol, topic):
    from courses import services as course_services

    question = make_variant_question(
        topic,
        slug="copies",
        title="Copies",
        snippet="import copy\n\na = [[1]]\nb = getattr(copy, {{ how }})(a)\nprint(a[0] is b[0])\n",
        explanation="Shallow or deep.",
        domains={"how": ["copy", "deepcopy"]},
    )
    quiz = Quiz.objects.create(slug="copy-quiz", title="Copy quiz", is_published=True)
    quiz.quiz_questions.create(question=question, order=0, points=1)
    course_services.course_quiz_assign(course=course, quiz=quiz)
    student = enrol("learner")
    attempt = services.start_attempt(user=student, quiz=quiz)
    services.save_answer(attempt=attempt, quiz_question=quiz.quiz_questions.get(), answer_text="x")
    services.submit_attempt(attempt=attempt)
    client.force_login(instructor)
    page = client.get(reverse("quiz_analysis", args=[course.slug, quiz.slug]))
    assert page.status_code == 200
    given = variant_services.draw(question, f"attempt:{attempt.pk}")
    assert 'class="table table-sm w-auto variant-facility"' in page.text
    assert variant_services.variant_label(given).replace("'", "&#x27;") in page.text
