"""quizzes 0016_varfin: attempts started before variants were stored at the start get, for each
parameterised question, the variant they showed: the one kept on their answer, else the draw
the pages made for them (the secret and the attempt); a question added to the quiz after the
attempt started gets none."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from quizzes.variants import attempt_scope, draw_index, draw_secret

# A transactional test (it migrates the test database back and forth); see
# tests/content/test_layout_migration.py for why not serialized_rollback.
BEFORE = [("quizzes", "0015_misconc2")]
AFTER = [("quizzes", "0016_varfin")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_started_attempts_get_the_variant_they_showed():
    old = migrate(BEFORE)
    Topic = old.get_model("content", "Topic")
    Question = old.get_model("quizzes", "Question")
    Variant = old.get_model("quizzes", "QuestionVariant")
    Quiz = old.get_model("quizzes", "Quiz")
    Entry = old.get_model("quizzes", "QuizQuestion")
    Attempt = old.get_model("quizzes", "Attempt")
    Response = old.get_model("quizzes", "Response")
    User = old.get_model("auth", "User")
    now = timezone.now()
    topic = Topic.objects.create(slug="t", title="T", order=1)
    questions, variants = [], {}
    for number in range(3):
        question = Question.objects.create(
            topic=topic,
            slug=f"q{number}",
            title="Q",
            snippet="print({{ n }})\n",
            parameters={"domains": {"n": [1, 2, 3, 4, 5]}},
            answer_mode="typed",
        )
        questions.append(question)
        variants[question.pk] = [
            Variant.objects.create(question=question, index=i, params={"n": i + 1})
            for i in range(5)
        ]
    plain = Question.objects.create(topic=topic, slug="plain", title="P", snippet="print(1)\n")
    quiz = Quiz.objects.create(slug="quiz", title="Quiz")
    entries = [
        Entry.objects.create(quiz=quiz, question=question, order=order)
        for order, question in enumerate([*questions, plain])
    ]
    user = User.objects.create(username="learner")
    # Started before the third question joined the quiz: it is not part of the attempt.
    attempt = Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=1,
        started_at=now,
        question_order=[entries[0].pk, entries[1].pk, entries[3].pk],
    )
    kept = variants[questions[0].pk][4]  # the answer's: whatever the draw says now
    Response.objects.create(
        attempt=attempt, quiz_question=entries[0], variant=kept, answered_at=now
    )

    new = migrate(AFTER)
    rows = {
        row.quiz_question_id: row.variant_id
        for row in new.get_model("quizzes", "AttemptVariant").objects.filter(attempt=attempt.pk)
    }
    listed = variants[questions[1].pk]
    drawn = listed[
        draw_index(draw_secret(settings.SECRET_KEY), attempt_scope(attempt.pk, questions[1].pk), 5)
    ]
    assert rows == {entries[0].pk: kept.pk, entries[1].pk: drawn.pk}
