"""A started attempt's variants are stored when it starts, for every parameterised question,
answered or not: reloads, answers, results, regrades and the instructor's view read them, so
neither a regeneration nor a new secret changes which variant a started attempt shows; and the
start stays a fixed number of queries (exam day's hot path)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import selectors as course_selectors
from quizzes import grading, services, variant_services
from quizzes.models import Attempt, AttemptVariant, Question, Quiz, Response
from tests.helpers import DOUBLING_WORDS
from tests.quizzes.test_query_counts import AUTOSAVE_QUERIES, START_QUERIES

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def given(attempt: Attempt):
    return AttemptVariant.objects.get(attempt=attempt).variant


def shown_word(page: str) -> str:
    """The one word of `doubling` a page shows, quoted as its snippet and prompt write it."""
    (word,) = [w for w in DOUBLING_WORDS if f"'{w}'" in page or f"&#x27;{w}&#x27;" in page]
    return word


def another_secret(settings, question, attempt) -> str:
    """A SECRET_KEY under which this attempt's draw is another variant (a rotated secret)."""
    stored = given(attempt)
    for number in range(50):
        secret = f"rotated-{number}-" + "x" * 40
        settings.SECRET_KEY = secret
        if variant_services.draw(question, f"attempt:{attempt.pk}") != stored:
            return secret
    raise AssertionError("50 secrets all drew the stored variant")


def test_a_start_stores_the_variant_of_every_parameterised_question(
    student, make_quiz, doubling, small_ints, typed_question
):
    quiz = make_quiz([doubling, small_ints, typed_question])
    attempt = services.start_attempt(user=student, quiz=quiz)
    rows = {row.quiz_question.question: row.variant for row in attempt.given_variants.all()}
    assert rows == {
        doubling: variant_services.draw(doubling, f"attempt:{attempt.pk}"),
        small_ints: variant_services.draw(small_ints, f"attempt:{attempt.pk}"),
    }
    # Resuming the open attempt stores nothing more.
    assert services.start_attempt(user=student, quiz=quiz) == attempt
    assert attempt.given_variants.count() == 2


def test_an_unanswered_question_of_a_submitted_attempt_keeps_its_variant_through_regeneration(
    client, student, make_quiz, doubling
):
    quiz = make_quiz([doubling])
    attempt = services.start_attempt(user=student, quiz=quiz)
    services.submit_attempt(attempt=attempt)  # the question left unanswered
    client.force_login(student)
    url = reverse("attempt_result", args=[attempt.pk])
    word = shown_word(client.get(url).text)
    assert word == given(attempt).params["word"]
    # The author reorders the words and regenerates: every variant's values would change.
    doubling.parameters = {"domains": {"word": DOUBLING_WORDS[::-1]}}
    doubling.save()
    problems = variant_services.variants_regenerate(doubling)
    assert problems and "were given variant" in problems[0]
    assert shown_word(client.get(url).text) == word


def test_a_new_secret_changes_no_started_attempts_variant(
    client, settings, student, instructor, make_quiz, doubling
):
    quiz = make_quiz([doubling], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = services.start_attempt(user=student, quiz=quiz)
    stored = given(attempt)
    another_secret(settings, doubling, attempt)
    client.force_login(student)
    take_url = reverse("attempt_take", args=[attempt.pk])
    assert shown_word(client.get(take_url).text) == stored.params["word"]
    # The answer is graded as the stored variant, and the response keeps it.
    entry = quiz.quiz_questions.get()
    right = stored.params["word"] * 2
    client.post(
        reverse("attempt_answer", args=[attempt.pk, entry.pk]), {f"q{entry.pk}-answer_text": right}
    )
    response = Response.objects.get(attempt=attempt)
    assert (response.variant, response.is_correct) == (stored, True)
    # The instructor's view of the attempt shows the same variant.
    (seen,) = course_selectors.attempt_entries(attempt)
    assert seen.question.seen_variant == stored
    assert grading.expected_text(seen.question.answer_key) == right + "\n"


def test_regenerating_while_an_attempt_is_open_keeps_its_variant_and_may_add_others(
    student, make_quiz, doubling
):
    """An open attempt no longer blocks every regeneration: its variant is stored, so only a
    change to that variant is refused; new variants after it are added."""
    quiz = make_quiz([doubling])
    attempt = services.start_attempt(user=student, quiz=quiz)
    stored = given(attempt)
    doubling.parameters = {"domains": {"word": [*DOUBLING_WORDS, "ham"]}}
    doubling.save()
    assert variant_services.variants_regenerate(doubling) == []
    assert doubling.variants.count() == len(DOUBLING_WORDS) + 1
    assert given(attempt) == stored
    stored.refresh_from_db()
    assert stored.params == given(attempt).params


def parameterised_questions(topic, count: int) -> list[Question]:
    questions = []
    for number in range(count):
        question = Question.objects.create(
            topic=topic,
            slug=f"param-{number}",
            title=f"Param {number}",
            snippet="print({{ n }} * 2)\n",
            answer_mode=Question.AnswerMode.TYPED,
            explanation="Doubling.",
            parameters={"domains": {"n": [1, 2]}},
            is_published=True,
        )
        services.refresh_answer_key(question)
        questions.append(question)
    return questions


# A start of a quiz with parameterised questions: START_QUERIES (tests/quizzes/
# test_query_counts.py: its question order is read joined to the variants, no query more), and
# one INSERT of every question's variant: the same with 2 parameterised questions as with 10.
VARIANT_START_QUERIES = START_QUERIES + 1


@pytest.mark.parametrize("n", [2, 10])
def test_a_start_stores_its_variants_in_a_fixed_number_of_queries_of_the_students_rows(
    n, client, student, topic, make_quiz, typed_question, django_assert_num_queries
):
    quiz = make_quiz([typed_question, *parameterised_questions(topic, n)])
    client.force_login(student)
    with (
        django_assert_num_queries(VARIANT_START_QUERIES),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.post(reverse("quiz_start", args=[quiz.slug])).status_code == 302
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert [sql.split()[:3] for sql in writes] == [
        ["UPDATE", '"auth_user"', "SET"],  # the lock: the student's own row
        ["INSERT", "INTO", '"quizzes_attempt"'],
        ["INSERT", "INTO", '"quizzes_attemptvariant"'],  # rows of that attempt only
    ]
    attempt = Attempt.objects.get(user=student, quiz=quiz)
    assert attempt.given_variants.count() == n


# An autosave of a parameterised question: AUTOSAVE_QUERIES (test_query_counts), and the
# attempt's stored variant (with the row), kept on the answer. A typed answer that is not graded
# now leaves the variant unrendered (its keys and the question's choices were read too: + 3).
# The same on every save.
VARIANT_AUTOSAVE_QUERIES = AUTOSAVE_QUERIES["typed"] + 1


def test_an_autosave_of_a_parameterised_question_costs_a_fixed_number_of_queries(
    client, student, make_quiz, doubling, django_assert_num_queries
):
    quiz = make_quiz([doubling])
    client.force_login(student)
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = quiz.quiz_questions.get()
    url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
    for _first_save_then_a_replacement in range(2):
        with django_assert_num_queries(VARIANT_AUTOSAVE_QUERIES):
            reply = client.post(
                url, {f"q{entry.pk}-answer_text": "x"}, HTTP_ACCEPT="application/json"
            )
        assert reply.json()["saved"] is True
    assert Response.objects.get(attempt=attempt).variant == given(attempt)
