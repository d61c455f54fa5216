"""State changes: keys, page outputs, attempts (limits, deadlines, submit once), practice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content import runs
from content import services as content_services
from content.models import ConceptPage
from quizzes import grading, rules, selectors, services
from quizzes.grading import expected_text
from quizzes.models import Attempt, Question, Quiz, Response

pytestmark = pytest.mark.django_db


def right_answer(question: Question) -> dict:
    """The answer a student who predicted correctly would send, read from the real key."""
    key = question.answer_key
    if question.answer_mode == Question.AnswerMode.CHOICE:
        return {"choice": grading.matching_choices(question, key)[0]}
    if question.answer_mode == Question.AnswerMode.TRUE_FALSE:
        return {"answer_text": grading.true_false_answer(question.choices.get(), key)}
    return {"answer_text": expected_text(key)}


def entries(attempt: Attempt):
    return {e.question_id: e for e in attempt.quiz.quiz_questions.all()}


# --- Keys and outputs -------------------------------------------------------------------------


def test_key_is_the_grader_outcome_with_hash_and_version(typed_question):
    key = typed_question.answer_key
    assert key["status"] == "ok" and key["python_version"] == runs.current_python_version()
    assert typed_question.key_source_hash == grading.source_hash(typed_question.snippet)
    assert typed_question.key_python_version == runs.current_python_version()
    assert "trace" not in key


def test_key_recomputed_only_when_snippet_or_version_changes(typed_question):
    assert not services.refresh_answer_key(typed_question)
    assert services.refresh_answer_key(typed_question, force=True)

    typed_question.snippet = "print('changed')\n"
    assert services.refresh_answer_key(typed_question)
    typed_question.refresh_from_db()
    assert typed_question.answer_key["stdout"] == "changed\n"

    Question.objects.filter(pk=typed_question.pk).update(key_python_version="3.11.0")
    typed_question.refresh_from_db()
    assert services.refresh_answer_key(typed_question)
    assert typed_question.key_python_version == runs.current_python_version()


def test_only_ok_and_raised_outcomes_are_valid_keys(make_question, raising_question):
    assert services.question_problems(raising_question) == []
    rejected = make_question("import os\n")
    assert rejected.answer_key["status"] == "rejected"
    assert "rejected" in services.question_problems(rejected)[0]


def test_recompute_question_withdraws_a_question_that_became_invalid(choice_question):
    Question.objects.filter(pk=choice_question.pk).update(snippet="print('something else')\n")
    choice_question.refresh_from_db()
    result = services.recompute_question(choice_question)
    assert result.ran and result.changed and result.unpublished
    assert "0 do" in result.problems[0]
    choice_question.refresh_from_db()
    assert not choice_question.is_published


def test_page_outputs_follow_the_blocks(topic):
    body = "Intro\n\n```python\nprint(1 + 1)\n```\n\nText\n\n```python\nprint([] is [])\n```\n"
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=body)
    assert content_services.refresh_page_outputs(page) == 2
    assert content_services.refresh_page_outputs(page) == 0
    outputs = list(page.block_outputs.all())
    assert [o.index for o in outputs] == [0, 1]
    assert all(o.outcome["status"] == "ok" for o in outputs)

    page.body = body.replace("print(1 + 1)", "print(2 + 2)")
    assert content_services.refresh_page_outputs(page) == 1
    page.body = "```python\nprint(3)\n```\n"
    assert content_services.refresh_page_outputs(page) == 1
    assert page.block_outputs.count() == 1
    assert content_services.refresh_page_outputs(page, force=True) == 1


# --- Starting attempts ------------------------------------------------------------------------


def test_start_creates_then_resumes(student, quiz):
    first = services.start_attempt(user=student, quiz=quiz)
    assert first.number == 1 and first.max_score == 4 and first.deadline is None
    assert services.start_attempt(user=student, quiz=quiz).pk == first.pk
    assert Attempt.objects.count() == 1


def test_attempt_limit(student, quiz):
    for _ in range(quiz.max_attempts):
        services.submit_attempt(attempt=services.start_attempt(user=student, quiz=quiz))
    with pytest.raises(services.QuizUnavailable, match="all your attempts"):
        services.start_attempt(user=student, quiz=quiz)


def test_unlimited_attempts(student, quiz):
    quiz.max_attempts = None
    quiz.save()
    for number in range(1, 4):
        attempt = services.start_attempt(user=student, quiz=quiz)
        assert attempt.number == number
        services.submit_attempt(attempt=attempt)
    assert selectors.quiz_status(user=student, quiz=quiz).attempts_left is None


def test_opening_and_closing_times(student, quiz):
    now = timezone.now()
    quiz.opens_at, quiz.closes_at = now + timedelta(hours=1), now + timedelta(hours=2)
    quiz.save()
    with pytest.raises(services.QuizUnavailable, match="opens"):
        services.start_attempt(user=student, quiz=quiz, now=now)
    with pytest.raises(services.QuizUnavailable, match="closed"):
        services.start_attempt(user=student, quiz=quiz, now=now + timedelta(hours=2))
    attempt = services.start_attempt(user=student, quiz=quiz, now=now + timedelta(minutes=61))
    assert attempt.deadline == quiz.closes_at


def test_unpublished_quiz_cannot_start(student, quiz):
    quiz.is_published = False
    quiz.save()
    with pytest.raises(services.QuizUnavailable, match="not published"):
        services.start_attempt(user=student, quiz=quiz)


def test_deadline_is_the_earlier_of_time_limit_and_closing(student, quiz):
    now = timezone.now()
    quiz.time_limit_minutes = 30
    quiz.closes_at = now + timedelta(hours=1)
    quiz.save()
    assert services.start_attempt(user=student, quiz=quiz, now=now).deadline == now + timedelta(
        minutes=30
    )
    late = services.start_attempt(user=student, quiz=quiz, now=now + timedelta(minutes=40))
    assert late.number == 2  # the first one expired on access
    assert late.deadline == quiz.closes_at


def test_question_order_is_stored_and_shuffled_per_attempt(student, make_quiz, make_question):
    questions = [make_question(f"print({n})\n") for n in range(8)]
    plain = make_quiz(questions, slug="plain", max_attempts=None)
    in_order = list(plain.quiz_questions.values_list("pk", flat=True))
    assert services.start_attempt(user=student, quiz=plain).question_order == in_order

    shuffled = make_quiz(questions, slug="shuffled", shuffle_questions=True, max_attempts=None)
    ids = list(shuffled.quiz_questions.values_list("pk", flat=True))
    orders = set()
    for _ in range(6):
        attempt = services.start_attempt(user=student, quiz=shuffled)
        assert sorted(attempt.question_order) == sorted(ids)
        attempt.refresh_from_db()
        orders.add(tuple(attempt.question_order))
        services.submit_attempt(attempt=attempt)
    assert len(orders) > 1  # 6 draws of 8! orders are all equal with probability ~1e-23


# --- Answers and submission -------------------------------------------------------------------


def test_answers_are_saved_and_replaced(student, quiz, typed_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = entries(attempt)[typed_question.pk]
    services.save_answer(attempt=attempt, quiz_question=entry, answer_text="first")
    response = services.save_answer(attempt=attempt, quiz_question=entry, answer_text="second")
    assert Response.objects.get().answer_text == "second" == response.answer_text
    assert response.is_correct is None  # graded at submission under this policy


def test_submit_grades_against_the_key_and_copies_it(student, quiz, typed_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    by_question = entries(attempt)
    for question_id, entry in by_question.items():
        question = Question.objects.get(pk=question_id)
        services.save_answer(attempt=attempt, quiz_question=entry, **right_answer(question))
    graded = services.submit_attempt(attempt=attempt)
    assert graded.score == graded.max_score == 4 and graded.submitted_at is not None
    for response in graded.responses.all():
        question = response.quiz_question.question
        assert response.is_correct and response.points_awarded == 2
        assert response.graded_key == question.answer_key
        assert response.graded_python_version == question.key_python_version


def test_wrong_and_missing_answers_score_nothing(student, quiz, typed_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = entries(attempt)[typed_question.pk]
    services.save_answer(attempt=attempt, quiz_question=entry, answer_text="not the output")
    graded = services.submit_attempt(attempt=attempt)
    assert graded.score == 0
    response = graded.responses.get()
    assert response.is_correct is False and response.points_awarded == 0


def test_submitting_twice_grades_once(student, quiz, typed_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = entries(attempt)[typed_question.pk]
    services.save_answer(attempt=attempt, quiz_question=entry, **right_answer(typed_question))
    stale_copy = Attempt.objects.get(pk=attempt.pk)  # a second tab still showing it open
    later = timezone.now() + timedelta(minutes=5)
    first = services.submit_attempt(attempt=attempt)
    # Change the key under the response: a second grading would be visible.
    Response.objects.update(is_correct=None, points_awarded=None)
    second = services.submit_attempt(attempt=stale_copy, now=later)
    assert second.submitted_at == first.submitted_at and second.score == first.score == 2
    assert Response.objects.get().is_correct is None  # not graded again


def test_no_answer_after_submission(student, quiz, typed_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    services.submit_attempt(attempt=attempt)
    with pytest.raises(services.AttemptClosed):
        services.save_answer(
            attempt=attempt, quiz_question=entries(attempt)[typed_question.pk], answer_text="x"
        )


def test_deadline_enforced_on_the_server(student, quiz, typed_question):
    now = timezone.now()
    quiz.time_limit_minutes = 10
    quiz.save()
    attempt = services.start_attempt(user=student, quiz=quiz, now=now)
    entry = entries(attempt)[typed_question.pk]
    services.save_answer(
        attempt=attempt, quiz_question=entry, now=now + timedelta(minutes=9), answer_text="x"
    )
    with pytest.raises(services.AttemptClosed, match="Time is up"):
        services.save_answer(
            attempt=attempt, quiz_question=entry, now=now + timedelta(minutes=10), answer_text="y"
        )
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.score == 0
    assert Response.objects.get().answer_text == "x"


def test_expire_overdue_submits_at_the_deadline(student, quiz):
    now = timezone.now()
    quiz.time_limit_minutes = 5
    quiz.save()
    attempt = services.start_attempt(user=student, quiz=quiz, now=now)
    assert services.expire_overdue(attempt, now=now + timedelta(minutes=4)).submitted_at is None
    expired = services.expire_overdue(attempt, now=now + timedelta(hours=1))
    assert expired.submitted_at == now + timedelta(minutes=5) and expired.score == 0


def test_bad_answers_are_refused_with_a_message(student, quiz, typed_question, choice_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    by_question = entries(attempt)
    typed_entry, choice_entry = by_question[typed_question.pk], by_question[choice_question.pk]
    with pytest.raises(services.InvalidAnswer, match="limited"):
        services.save_answer(attempt=attempt, quiz_question=typed_entry, answer_text="x" * 10_001)
    with pytest.raises(services.InvalidAnswer, match="Choose"):
        services.save_answer(attempt=attempt, quiz_question=choice_entry)
    with pytest.raises(services.InvalidAnswer, match="typed answer"):
        services.save_answer(
            attempt=attempt, quiz_question=typed_entry, choice=choice_question.choices.first()
        )


def test_entry_of_another_quiz_is_refused(student, quiz, make_quiz, typed_question):
    other = make_quiz([typed_question], slug="other")
    attempt = services.start_attempt(user=student, quiz=quiz)
    with pytest.raises(services.InvalidAnswer, match="not part"):
        services.save_answer(
            attempt=attempt, quiz_question=other.quiz_questions.get(), answer_text="x"
        )


def test_true_false_answers(student, make_quiz, true_false_question):
    quiz = make_quiz([true_false_question])
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = attempt.quiz.quiz_questions.get()
    with pytest.raises(services.InvalidAnswer, match="true"):
        services.save_answer(attempt=attempt, quiz_question=entry, answer_text="yes")
    services.save_answer(attempt=attempt, quiz_question=entry, answer_text=" True ")
    assert services.submit_attempt(attempt=attempt).score == 1


def test_choice_answer_keeps_its_text(student, quiz, choice_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    choice = choice_question.choices.last()
    response = services.save_answer(
        attempt=attempt, quiz_question=entries(attempt)[choice_question.pk], choice=choice
    )
    assert response.answer_text == choice.text and response.choice == choice


def test_feedback_after_each_answer_grades_at_once_and_locks(
    student, make_quiz, typed_question, choice_question
):
    quiz = make_quiz(
        [typed_question, choice_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER
    )
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = entries(attempt)[typed_question.pk]
    response = services.save_answer(
        attempt=attempt, quiz_question=entry, **right_answer(typed_question)
    )
    assert response.is_correct and response.graded_key == typed_question.answer_key
    assert rules.response_feedback_visible(response=response)
    assert not rules.feedback_visible(attempt=attempt)
    with pytest.raises(services.AnswerLocked):
        services.save_answer(attempt=attempt, quiz_question=entry, answer_text="changed")
    graded = services.submit_attempt(attempt=attempt)
    assert graded.score == 1 and rules.feedback_visible(attempt=graded)


def test_feedback_policies(student, make_quiz, typed_question):
    now = timezone.now()
    after_submit = make_quiz([typed_question], slug="a")
    attempt = services.start_attempt(user=student, quiz=after_submit, now=now)
    assert not rules.feedback_visible(attempt=attempt)
    assert rules.feedback_visible(attempt=services.submit_attempt(attempt=attempt))

    after_close = make_quiz(
        [typed_question],
        slug="b",
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=now + timedelta(hours=1),
    )
    attempt = services.submit_attempt(
        attempt=services.start_attempt(user=student, quiz=after_close, now=now), now=now
    )
    assert not rules.feedback_visible(attempt=attempt, now=now + timedelta(minutes=59))
    assert rules.feedback_visible(attempt=attempt, now=now + timedelta(hours=1))
    status = selectors.quiz_status(user=student, quiz=after_close, now=now)
    assert status.best_score is None  # the score would reveal results before closing


def test_quiz_status(student, other_student, quiz, typed_question):
    status = selectors.quiz_status(user=student, quiz=quiz)
    assert (status.state, status.attempts_used, status.attempts_left) == ("open", 0, 2)
    assert status.can_start and status.open_attempt is None and status.max_score == 4

    attempt = services.start_attempt(user=student, quiz=quiz)
    services.save_answer(
        attempt=attempt,
        quiz_question=entries(attempt)[typed_question.pk],
        **right_answer(typed_question),
    )
    assert selectors.quiz_status(user=student, quiz=quiz).open_attempt == attempt
    services.submit_attempt(attempt=attempt)
    status = selectors.quiz_status(user=student, quiz=quiz)
    assert (status.attempts_used, status.attempts_left, status.best_score) == (1, 1, 2)
    assert selectors.quiz_status(user=other_student, quiz=quiz).attempts_used == 0


def test_finished_attempts_keep_their_key_when_keys_are_refreshed(student, quiz, typed_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    services.save_answer(
        attempt=attempt,
        quiz_question=entries(attempt)[typed_question.pk],
        **right_answer(typed_question),
    )
    services.submit_attempt(attempt=attempt)
    before = Response.objects.values().get()

    typed_question.snippet = "print('a different program')\n"
    typed_question.save()
    services.recompute_question(typed_question)
    assert typed_question.answer_key != before["graded_key"]

    assert Response.objects.values().get() == before
    attempt.refresh_from_db()
    assert attempt.score == 2


# --- Practice ---------------------------------------------------------------------------------


def test_practice_is_graded_at_once(student, typed_question):
    right = services.answer_practice(
        user=student, question=typed_question, **right_answer(typed_question)
    )
    wrong = services.answer_practice(user=student, question=typed_question, answer_text="no")
    assert right.is_correct and not wrong.is_correct
    assert right.graded_key == typed_question.answer_key
    assert right.graded_python_version == runs.current_python_version()


def test_unpublished_questions_are_practised_by_staff_only(student, instructor, make_question):
    draft = make_question("print('draft')\n", published=False)
    with pytest.raises(services.InvalidAnswer, match="not available"):
        services.answer_practice(user=student, question=draft, answer_text="draft")
    assert services.answer_practice(user=instructor, question=draft, **right_answer(draft))


def test_practice_without_a_key_is_refused(student, make_question):
    broken = make_question("import os\n")
    with pytest.raises(services.InvalidAnswer, match="no answer key"):
        services.answer_practice(user=student, question=broken, answer_text="")


# --- Concurrency, on a real database file with real threads -----------------------------------

RACE_SCRIPT = """
import json, threading
from django.contrib.auth import get_user_model
from django.db import connection
from quizzes import grading, services
from quizzes.grading import expected_text
from content.models import Topic
from quizzes.models import Attempt, Question, Quiz, QuizQuestion

topic = Topic.objects.create(slug="t", title="T")
questions = []
for n in range(3):
    q = Question.objects.create(topic=topic, slug=f"q{n}", title="Q", snippet=f"print({n})\\n",
                                answer_mode="typed", explanation="x", is_published=True)
    services.refresh_answer_key(q)
    questions.append(q)
quiz = Quiz.objects.create(slug="z", title="Z", is_published=True, max_attempts=None)
entries = [
    QuizQuestion.objects.create(quiz=quiz, question=q, order=i) for i, q in enumerate(questions)
]
user = get_user_model().objects.create_user("racer")

gradings, errors = [], []
original_grade = grading.grade_response
grading.grade_response = lambda *a: (gradings.append(1), original_grade(*a))[1]

def in_thread(action):
    def run(barrier):
        try:
            barrier.wait()
            action()
        except services.ServiceError:
            pass  # a refused save after the submit won is the expected outcome
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()
    return run

starts = []
for _ in range(5):
    barrier = threading.Barrier(3)
    start = in_thread(lambda: starts.append(services.start_attempt(user=user, quiz=quiz).pk))
    threads = [threading.Thread(target=start, args=(barrier,)) for _ in range(3)]
    [t.start() for t in threads]; [t.join() for t in threads]
    attempt = Attempt.objects.get(pk=starts[-1])
    gradings.clear()
    right = expected_text(questions[0].answer_key)
    services.save_answer(attempt=attempt, quiz_question=entries[0], answer_text=right)
    barrier = threading.Barrier(5)
    submit = in_thread(lambda: services.submit_attempt(attempt=Attempt.objects.get(pk=attempt.pk)))
    save = in_thread(lambda: services.save_answer(
        attempt=Attempt.objects.get(pk=attempt.pk), quiz_question=entries[1], answer_text="wrong"))
    actions = (submit, submit, submit, save, save)
    threads = [threading.Thread(target=f, args=(barrier,)) for f in actions]
    [t.start() for t in threads]; [t.join() for t in threads]
    attempt.refresh_from_db()
    if len(gradings) != attempt.responses.count():
        errors.append(f"{len(gradings)} gradings for {attempt.responses.count()} responses")

print(json.dumps({"errors": errors, "attempts": Attempt.objects.count(),
                  "distinct_starts": len(set(starts)),
                  "scores": list(Attempt.objects.values_list("score", flat=True))}))
"""


@pytest.mark.django_db(transaction=False)
def test_concurrent_starts_saves_and_submits_on_sqlite(tmp_path):
    """Two tabs / a double click: one attempt, graded once, and no "database is locked"."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [*manage, "shell", "-v0", "-c", RACE_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["attempts"] == report["distinct_starts"] == 5
    assert set(report["scores"]) == {1}
