"""Every student page and the instructor's results page costs a bounded number of queries: the
same with 2 quizzes, questions and responses as with 10 (no query per row), and a GET writes
nothing, not even for an attempt whose time ran out."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content import services as content_services
from content.models import ConceptPage
from quizzes import footer_versions, selectors, services
from quizzes.models import Attempt, Choice, Question, Quiz, QuizQuestion, Response

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def answer_every_question(attempt: Attempt, typed: str) -> None:
    """Each question of the attempt's quiz answered: its first choice, or the `typed` text."""
    for entry in attempt.quiz.quiz_questions.select_related("question"):
        choice = entry.question.choices.first()
        services.save_answer(
            attempt=attempt, quiz_question=entry, answer_text="" if choice else typed, choice=choice
        )


def build_course(n: int, topic, student, other_student, key_source: Question) -> dict:
    """`n` quizzes of `n` questions each (every answer mode), each quiz answered by two
    students, one attempt submitted, one past its deadline; practice answers too."""
    questions = []
    for number in range(n):
        mode = [Question.AnswerMode.TYPED, Question.AnswerMode.CHOICE][number % 2]
        question = Question.objects.create(
            topic=topic,
            slug=f"q{number}",
            title=f"Q{number}",
            snippet=key_source.snippet,
            answer_mode=mode,
            explanation="The rule.",
            is_published=True,
        )
        # The key computed by the grader for the same snippet (one run for the whole course).
        services.store_answer_key(question, key_source.answer_key, trace=key_source.key_trace)
        if mode == Question.AnswerMode.CHOICE:
            Choice.objects.create(question=question, text="[1, 2, 3]\nTrue", order=0)
            Choice.objects.create(question=question, text="[1, 2]\nFalse", order=1)
        questions.append(question)
    page = ConceptPage.objects.create(
        topic=topic, slug="page", title="Page", body="```python\nprint(1)\n```\n"
    )
    content_services.refresh_page_outputs(page)
    attempts = []
    for number in range(n):
        quiz = Quiz.objects.create(
            slug=f"quiz{number}",
            title=f"Quiz {number}",
            is_published=True,
            max_attempts=None,
            time_limit_minutes=30,
            feedback_policy=[
                Quiz.FeedbackPolicy.AFTER_SUBMIT,
                Quiz.FeedbackPolicy.AFTER_EACH_ANSWER,
            ][number % 2],
        )
        for order, question in enumerate(questions):
            QuizQuestion.objects.create(quiz=quiz, question=question, order=order)
        for user in (student, other_student):
            attempt = services.start_attempt(user=user, quiz=quiz)
            answer_every_question(attempt, "[1, 2, 3]\nTrue")
            attempts.append(attempt)
        services.submit_attempt(attempt=attempts[-2])
        overdue = attempts[-1]  # other_student's: left open past its deadline
        Attempt.objects.filter(pk=overdue.pk).update(
            started_at=timezone.now() - timedelta(hours=2),
            deadline=timezone.now() - timedelta(hours=1),
        )
    for question in [*questions, key_source]:
        choice = question.choices.first()
        services.answer_practice(
            user=student,
            question=question,
            answer_text="" if choice else "[1, 2, 3]\nTrue",
            choice=choice,
        )
    # A third attempt of the student's, still open, for the attempt pages.
    open_attempt = services.start_attempt(user=student, quiz=Quiz.objects.get(slug="quiz0"))
    return {
        "quiz": Quiz.objects.get(slug="quiz0"),
        "submitted": attempts[0],
        "open": open_attempt,
        "question": key_source,  # in no quiz, so open to practice
        "page": page,
        "practice": student.practice_answers.get(question=key_source),
    }


def student_pages(course, topic) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "how_answers_are_checked": reverse("how_answers_are_checked"),
        "concept_list": reverse("concept_list"),
        "concept_detail": reverse("concept_detail", args=[course["page"].slug]),
        "practice_topics": reverse("practice_topics"),
        "practice_topic": reverse("practice_topic", args=[topic.slug]),
        "practice_question": reverse("practice_question", args=[course["question"].pk]),
        "practice_feedback": reverse("practice_feedback", args=[course["practice"].pk]),
        "quiz_list": reverse("quiz_list"),
        "quiz_detail": reverse("quiz_detail", args=[course["quiz"].slug]),
        "attempt_list": reverse("attempt_list"),
        "attempt_take": reverse("attempt_take", args=[course["open"].pk]),
        "attempt_submit": reverse("attempt_submit", args=[course["open"].pk]),
        "attempt_result": reverse("attempt_result", args=[course["submitted"].pk]),
    }


@pytest.fixture
def course_of(topic, student, other_student, typed_question):
    def build(n):
        return build_course(n, topic, student, other_student, typed_question)

    return build


# Queries per page (the session, the user and their groups included), whatever the size of the
# course: the same with 2 quizzes of 2 questions as with 10 of 10. The courses hooks add a few:
# the user's course topics (one) and their times per page's quizzes (one per batch). The footer's
# key versions are read from the cache (quizzes/footer_versions.py; two queries before).
STUDENT_PAGE_QUERIES = {
    "home": 11,
    "how_answers_are_checked": 2,
    "concept_list": 4,
    "concept_detail": 16,
    "practice_topics": 11,
    "practice_topic": 16,
    "practice_question": 10,
    "practice_feedback": 15,  # + the other Python versions' keys (issue 18)
    "quiz_list": 10,
    "quiz_detail": 14,
    "attempt_list": 9,
    # session, user, the attempt with its quiz, the student's times, the responses, the questions
    # with their choices. No key guard (six queries: the
    # guarding quizzes, their attempts and questions, their times) before feedback may show.
    "attempt_take": 7,
    "attempt_submit": 8,  # + the other Python versions' keys (issue 18)
    # + the other Python versions' keys (issue 18); + GUARD_QUERIES when another quiz that holds
    # its feedback back holds one of the attempt's questions (with 10 quizzes, not with 2)
    "attempt_result": 8,
}
# The key guards: the guarding quizzes' attempts and questions, and the student's times of them
# (the guarding quizzes themselves are one query, which every result page makes).
GUARD_QUERIES = 3
RESULTS_PAGE_QUERIES = 12
ATTEMPT_ADMIN_PAGE_QUERIES = 11


@pytest.mark.parametrize("n", [2, 10])
def test_student_pages_cost_the_same_with_2_or_10_of_everything(
    n, client, student, topic, course_of, django_assert_num_queries
):
    course = course_of(n)
    client.force_login(student)
    pages = student_pages(course, topic)
    assert pages.keys() == STUDENT_PAGE_QUERIES.keys()
    footer_versions.footer_key_versions()  # the footer's, kept in the cache after a first page
    for name, url in pages.items():
        expected = STUDENT_PAGE_QUERIES[name]
        if name == "attempt_result" and guarded_elsewhere(course["submitted"]):
            expected += GUARD_QUERIES
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code in (200, 302), name


def guarded_elsewhere(attempt) -> bool:
    """Whether another quiz that holds its feedback back holds one of the attempt's questions."""
    return (
        Quiz.objects.filter(
            feedback_policy__in=selectors.DEFERRED_POLICIES,
            quiz_questions__question_id__in=attempt.quiz.quiz_questions.values("question_id"),
        )
        .exclude(pk=attempt.quiz_id)
        .exists()
    )


@pytest.mark.parametrize("n", [2, 10])
def test_the_results_page_costs_the_same_with_2_or_10_of_everything(
    n, client, instructor, student, topic, course_of, django_assert_num_queries
):
    course = course_of(n)
    client.force_login(instructor)
    url = reverse("admin:quizzes_quiz_results", args=[course["quiz"].pk])
    ContentType.objects.clear_cache()
    with django_assert_num_queries(RESULTS_PAGE_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [2, 10])
def test_an_attempts_admin_page_costs_the_same_with_2_or_10_responses(
    n, client, instructor, student, topic, course_of, django_assert_num_queries
):
    course = course_of(n)
    client.force_login(instructor)
    url = reverse("admin:quizzes_attempt_change", args=[course["submitted"].pk])
    ContentType.objects.clear_cache()  # the admin's content-type lookup, counted every time
    with django_assert_num_queries(ATTEMPT_ADMIN_PAGE_QUERIES):
        assert client.get(url).status_code == 200


def test_a_get_writes_nothing_for_an_attempt_past_its_deadline(
    client, other_student, topic, course_of
):
    course = course_of(2)
    client.force_login(other_student)
    overdue = Attempt.objects.filter(user=other_student, submitted_at__isnull=True).first()
    urls = [
        reverse("quiz_list"),
        reverse("quiz_detail", args=[overdue.quiz.slug]),
        reverse("attempt_list"),
        reverse("attempt_result", args=[overdue.pk]),
        reverse("practice_topics"),
        reverse("concept_detail", args=[course["page"].slug]),
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
        course_writes = [sql for sql in writes if "quizzes_" in sql]
        assert not course_writes, (url, course_writes)
    overdue.refresh_from_db()
    assert overdue.submitted_at is None


# The two requests of exam day (issue 14): a start and an autosave cost the same whatever the
# size of the quiz, and an autosave to a quiz that holds feedback back builds no feedback.
# A start: session, user, quiz; SAVEPOINT, the student's row locked (UPDATE; not the quiz's, which
# every student shares), the quiz again with whether the student sees it (a quiz of no course, or
# of one of the student's: an EXISTS read with it), the student's attempts at it (one query for
# the overdue ones, the open one, the attempts counted against their times and the next number),
# the quiz's questions (one query for their number, their points and the order); the student's
# times (courses' CourseQuiz, with whether any section times or accommodations are to be read);
# the INSERT; RELEASE. (16 before the perf branch: the attempts were read three times and the
# questions counted, summed and listed apart; 12 before the diet branch: the visibility check
# was a query of its own.)
START_QUERIES = 11
# An autosave: session, user, the attempt, the entry; SAVEPOINT, the attempt locked and read with
# its quiz (SELECT ... FOR UPDATE OF the attempt on PostgreSQL; SQLite's transaction holds the
# write lock from its start), the student's times (courses' CourseQuiz: the deadline check), the
# response, the INSERT, RELEASE. The reply's deadline reads the times kept on the service's
# attempt row (save_answer hands it back on the response), not again. A choice adds its
# question's choices, read once for the form and the posted choice (OutputChoiceField.to_python;
# it was read again by its pk before). (One more before the diet branch: the attempt was claimed
# by a no-op UPDATE, then read.)
AUTOSAVE_QUERIES = {"typed": 10, "choice": 11}


@pytest.mark.parametrize("n", [2, 10])
def test_a_start_and_an_autosave_cost_the_same_with_2_or_10_questions(
    n, client, other_student, topic, course_of, django_assert_num_queries
):
    course = course_of(n)
    quiz = course["quiz"]
    assert quiz.feedback_policy == Quiz.FeedbackPolicy.AFTER_SUBMIT
    Attempt.objects.filter(user=other_student, quiz=quiz).delete()
    client.force_login(other_student)
    with django_assert_num_queries(START_QUERIES):
        assert client.post(reverse("quiz_start", args=[quiz.slug])).status_code == 302
    attempt = Attempt.objects.get(user=other_student, quiz=quiz)
    for entry in quiz.quiz_questions.select_related("question")[:2]:
        choice = entry.question.choices.first()
        data = {f"q{entry.pk}-choice": choice.pk} if choice else {f"q{entry.pk}-answer_text": "1"}
        url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
        for _first_save_then_a_replacement in range(2):  # INSERT, then UPDATE
            with django_assert_num_queries(AUTOSAVE_QUERIES[entry.question.answer_mode]):
                response = client.post(url, data, HTTP_ACCEPT="application/json")
            assert response.json()["saved"] is True


def test_the_footer_s_key_versions_are_read_without_joins_or_a_row_per_question(
    typed_question, choice_question
):
    """Every page's footer (quizzes.context_processors): one DISTINCT over the column itself,
    not over the models' ordering too (which joined topics and pages and sent back a row per
    question and per output block)."""
    with CaptureQueriesContext(connection) as captured:
        versions = selectors.stored_key_versions()
    assert versions == {typed_question.key_python_version}
    assert len(captured) == 2
    for query in captured.captured_queries:
        assert "JOIN" not in query["sql"] and "ORDER BY" not in query["sql"], query["sql"]


# A submit: session, user, the attempt; SAVEPOINT, the claim (UPDATE ... WHERE not submitted),
# the attempt with its quiz, the student's times (the deadline), the questions' points, the
# responses with their questions, variants and choices, their questions' choices and known wrong
# answers (prefetched), the grades of every answer graded now (one executemany: one UPDATE per
# answer before), the attempt's score, RELEASE.
SUBMIT_QUERIES = 14


@pytest.mark.parametrize("n", [2, 10])
def test_a_submit_costs_the_same_with_2_or_10_answers(
    n, client, other_student, topic, course_of, django_assert_num_queries
):
    course = course_of(n)
    quiz = course["quiz"]
    Attempt.objects.filter(user=other_student, quiz=quiz).delete()
    attempt = services.start_attempt(user=other_student, quiz=quiz)
    answer_every_question(attempt, "1")
    client.force_login(other_student)
    with django_assert_num_queries(SUBMIT_QUERIES):
        client.post(reverse("attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    graded = Response.objects.filter(attempt=attempt, graded_key__isnull=False)
    assert attempt.submitted_at is not None and graded.count() == n
