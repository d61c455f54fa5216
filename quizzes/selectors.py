"""What a user may see of the course: one rule for answer keys, one for authors.

The key rule. A question's key (its verdict, real output, right choice, explanation, memory
diagram) is *guarded* for a user while a published quiz that shows feedback only after
submitting or after closing holds the question and that user may not see the quiz's feedback
yet: they have not finished an attempt whose feedback shows, or they are still in one. A guarded
key is never revealed to that user by another path: practice leaves the question out, a quiz
with feedback after each answer (or a quiz whose own feedback shows sooner) accepts the answer
but says "feedback for this question comes with <quiz>", a concept page holding the snippet
hides that block's output. Authors (quizzes.roles.is_instructor, the check that lets them into
the admin) are never guarded: they see keys in the admin anyway.

The practice rule. A student practises published questions with a valid key that are not
guarded and are not kept for a draft quiz: a question in quizzes only in unpublished ones is
being prepared for a quiz nobody has seen yet.
"""

from collections import defaultdict
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from quizzes import grading, roles, services
from quizzes.content_guards import DEFERRED_POLICIES, contains_snippet
from quizzes.markdown import python_blocks
from quizzes.models import ConceptPage, Question, Quiz, QuizQuestion, Topic

# Published questions with a key that can be graded against (see grading.is_valid_key).
AVAILABLE = Q(is_published=True, answer_key__status__in=grading.VALID_KEY_STATUSES)


def quiz_feedback_visible_to(user, quiz: Quiz, now: datetime | None = None) -> bool:
    """Whether `user` may see the answers of `quiz`'s questions: they have finished an attempt
    whose feedback shows, and none of theirs is still running."""
    if not user.is_authenticated:
        return False
    attempts = list(quiz.attempts.filter(user=user))
    now = now or timezone.now()
    if any(a.submitted_at is None and not services.is_overdue(a, now) for a in attempts):
        return False
    return any(
        a.submitted_at is not None and services.feedback_visible(attempt=a, now=now)
        for a in attempts
    )


def guarding_quizzes(user, now: datetime | None = None) -> dict[int, list[Quiz]]:
    """For each question whose key is guarded for `user`, the quizzes that guard it."""
    if roles.is_instructor(user):
        return {}
    guarded: dict[int, list[Quiz]] = defaultdict(list)
    for quiz in Quiz.objects.filter(is_published=True, feedback_policy__in=DEFERRED_POLICIES):
        if quiz_feedback_visible_to(user, quiz, now):
            continue
        for question_id in quiz.quiz_questions.values_list("question_id", flat=True):
            guarded[question_id].append(quiz)
    return dict(guarded)


def withheld_by(
    guards: dict[int, list[Quiz]], question_id: int, *, shown_in_quiz_id: int | None = None
) -> Quiz | None:
    """The quiz whose feedback the question's key waits for (`guards`: guarding_quizzes), seen
    from the quiz `shown_in_quiz_id` (a quiz's own policy decides its own feedback); None when
    the key may show."""
    waiting = [quiz for quiz in guards.get(question_id, []) if quiz.pk != shown_in_quiz_id]
    return waiting[0] if waiting else None


def practice_questions(user, topic: Topic | None = None):
    """The questions `user` may practise (see the practice rule above)."""
    entries = QuizQuestion.objects.filter(question=OuterRef("pk"))
    questions = (
        Question.objects.filter(AVAILABLE)
        .filter(~Exists(entries) | Exists(entries.filter(quiz__is_published=True)))
        .exclude(pk__in=list(guarding_quizzes(user)))
    )
    return questions if topic is None else questions.filter(topic=topic)


def withheld_blocks(user, page: ConceptPage) -> dict[int, Quiz]:
    """The page's python blocks (by index from 0) whose output would reveal a key guarded for
    `user`, each with the quiz it waits for. The content check (content_guards) keeps such
    blocks out of the course; this holds when content slipped past it."""
    guards = guarding_quizzes(user)
    if not guards:
        return {}
    snippets = Question.objects.filter(pk__in=list(guards)).values_list("pk", "snippet")
    withheld = {}
    for index, block in enumerate(python_blocks(page.body)):
        for question_id, snippet in snippets:
            if contains_snippet(block, snippet):
                withheld[index] = guards[question_id][0]
                break
    return withheld


def withholds_any(guards: dict[int, list[Quiz]], quiz: Quiz) -> bool:
    """Whether a question of `quiz` has its key guarded by another quiz (`guards`:
    guarding_quizzes): then a score of `quiz` would give that answer away."""
    if not guards:
        return False
    question_ids = quiz.quiz_questions.values_list("question_id", flat=True)
    return any(withheld_by(guards, pk, shown_in_quiz_id=quiz.pk) for pk in question_ids)
