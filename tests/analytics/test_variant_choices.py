"""Item analysis of a parameterised choice question: each student's choice is labelled by the
variant they were given (its own key and rendered choices), not by the first variant's; the
shares per variant are listed, the facility per variant kept; in a fixed number of queries."""

import pytest
from django.urls import reverse

from analytics import selectors
from analytics.presentation import RIGHT_ANSWER
from quizzes import grading, services, variant_services
from quizzes.models import AttemptVariant, Quiz

pytestmark = pytest.mark.django_db

# The labels of small_ints' choices where they are wrong: "True" for an int outside the cache,
# "False" for one inside it.
SHARED = "equal-values-are-one-object"
NEVER_SHARED = "ints are never shared, even small ones"


@pytest.fixture
def labelled_small_ints(small_ints):
    small_ints.choices.filter(text="True").update(misconception=SHARED)
    small_ints.choices.filter(text="False").update(misconception=NEVER_SHARED)
    return small_ints


def take(make_user, quiz, students: int, answer: str) -> dict[int, int]:
    """`students` students each answer `answer` and submit; how many were given each variant
    index."""
    entry = quiz.quiz_questions.get()
    choice = entry.question.choices.get(text=answer)
    given: dict[int, int] = {}
    for number in range(students):
        student = make_user(f"learner{quiz.pk}-{number}")
        attempt = services.start_attempt(user=student, quiz=Quiz.objects.get(pk=quiz.pk))
        services.save_answer(attempt=attempt, quiz_question=entry, choice=choice)
        services.submit_attempt(attempt=attempt)
        index = AttemptVariant.objects.get(attempt=attempt).variant.index
        given[index] = given.get(index, 0) + 1
    return given


def test_choices_are_labelled_by_the_variant_each_student_was_given(
    labelled_small_ints, make_user, make_quiz
):
    question = labelled_small_ints
    quiz = make_quiz([question])
    given = take(make_user, quiz, 16, "True")
    variants = {v.index: v for v in question.variants.all()}
    inside = sum(count for index, count in given.items() if variants[index].params["n"] <= 256)
    outside = 16 - inside
    assert inside and outside, given  # both kinds drawn (16 students, 4 variants)
    (row,) = selectors.quiz_analysis(quiz).rows
    groups = {group.label: group.count for group in row.choice_groups if group.count}
    assert groups == {RIGHT_ANSWER: inside, SHARED: outside}
    assert row.unanswered == 0
    # Per variant: the choice as that variant's key labels it, with that variant's count.
    for shown in row.variant_choices:
        variant = next(
            v for v in variants.values() if variant_services.variant_label(v) == shown.label
        )
        seen = variant_services.as_seen(question, variant)
        right_text = grading.expected_text(seen.answer_key).strip()
        (chosen,) = [g for g in shown.groups if g.count]
        assert chosen.count == shown.n == given[variant.index]
        assert chosen.label == (RIGHT_ANSWER if right_text == "True" else SHARED)
        assert [c.text for c in chosen.choices] == ["True"]
    # The facility per variant stays: 1 inside the cache, 0 outside.
    facility = {v.label: v.facility for v in row.variants}
    for variant in variants.values():
        if variant.index in given:
            expected = 1.0 if variant.params["n"] <= 256 else 0.0
            assert facility[variant_services.variant_label(variant)] == expected


def test_the_page_shows_the_shares_per_variant(
    client, instructor, course, enrol, labelled_small_ints
):
    from courses import services as course_services

    quiz = Quiz.objects.create(slug="ints-quiz", title="Ints quiz", is_published=True)
    entry = quiz.quiz_questions.create(question=labelled_small_ints, order=0, points=1)
    course_services.course_quiz_assign(course=course, quiz=quiz)
    for number in range(4):
        student = enrol(f"learner{number}")
        attempt = services.start_attempt(user=student, quiz=quiz)
        choice = labelled_small_ints.choices.get(text="False")
        services.save_answer(attempt=attempt, quiz_question=entry, choice=choice)
        services.submit_attempt(attempt=attempt)
    client.force_login(instructor)
    page = client.get(reverse("quiz_analysis", args=[course.slug, quiz.slug])).text
    given = {row.variant for row in AttemptVariant.objects.select_related("variant")}
    for variant in given:
        label = variant_services.variant_label(variant)
        assert f"Students given variant {label}" in page
    assert 'class="small choice-variant"' in page


@pytest.mark.parametrize("students", [4, 12])
def test_the_analysis_costs_the_same_with_4_or_12_students(
    students, labelled_small_ints, make_user, make_quiz, django_assert_num_queries
):
    quiz = make_quiz([labelled_small_ints])
    take(make_user, quiz, students, "False")
    # The entries, their choices, the attempts, the responses; the variants the attempts were
    # given and those variants' keys.
    with django_assert_num_queries(6):
        selectors.quiz_analysis(quiz, all_attempts=True)
