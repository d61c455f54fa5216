"""What a user may see of the course: one rule for answer keys, one for authors.

The key rule. A question's key (its verdict, real output, right choice, explanation, memory
diagram) is *guarded* for a user while a published quiz that shows feedback only after
submitting or after closing holds the question and that user may not see the quiz's feedback
yet: they have not finished an attempt whose feedback shows, or they are still in one. A guarded
key is never revealed to that user by another path: practice leaves the question out, a quiz
with feedback after each answer (or a quiz whose own feedback shows sooner) accepts the answer
but says "feedback for this question comes with <quiz>", a concept page holding the snippet
hides that block's output. Authors (accounts.roles.is_instructor, the check that lets them into
the admin) are never guarded: they see keys in the admin anyway.

The time rule. A GET never grades or saves: an attempt still open past its deadline is shown as
ended (attempt_as_of: submitted at its deadline, scored in memory) and is stored that way by the
next POST that touches it (services.start_attempt, save_answer, submit_attempt) or by the
expire_attempts command (services.expire_overdue_attempts).

The practice rule. A student practises published questions with a valid key that are not
guarded and are not kept for a draft quiz: a question in quizzes only in unpublished ones is
being prepared for a quiz nobody has seen yet.
"""

import copy
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import roles
from content.guards import DEFERRED_POLICIES, contains_snippet
from content.markdown import python_blocks
from content.models import CodeBlockOutput, ConceptPage, Topic
from quizzes import grading, hooks, rules
from quizzes.deadlines import effective_deadline, load_times, quiz_times
from quizzes.models import Attempt, Question, Quiz, QuizQuestion, Response

# Published questions with a key that can be graded against (see grading.is_valid_key).
AVAILABLE = Q(is_published=True, answer_key__status__in=grading.VALID_KEY_STATUSES)


def quiz_feedback_visible_to(
    user, quiz: Quiz, now: datetime | None = None, *, attempts: list[Attempt] | None = None
) -> bool:
    """Whether `user` may see the answers of `quiz`'s questions: they have finished an attempt
    whose feedback shows, and none of theirs is still running. `attempts`: the user's attempts
    of `quiz`, when already loaded."""
    if not user.is_authenticated:
        return False
    now = now or timezone.now()
    if attempts is None:
        attempts = list(quiz.attempts.filter(user=user))
    attempts = [_as_ended(_with_quiz(a, quiz), now) for a in attempts]
    if any(a.submitted_at is None for a in attempts):
        return False
    return any(
        a.submitted_at is not None and rules.feedback_visible(attempt=a, now=now) for a in attempts
    )


def guarding_quizzes(
    user,
    now: datetime | None = None,
    *,
    question_ids: list[int] | None = None,
    shown_in_quiz_id: int | None = None,
) -> dict[int, list[Quiz]]:
    """For each question whose key is guarded for `user`, the quizzes that guard it. A page that
    shows the questions `question_ids` of the quiz `shown_in_quiz_id` asks only about the other
    quizzes holding one of them (withheld_by never counts a quiz's own guard on its page): an
    exam's result page usually finds none, in one query instead of six."""
    if roles.is_instructor(user):
        return {}
    guarded: dict[int, list[Quiz]] = defaultdict(list)
    own = Attempt.objects.filter(user=user) if user.is_authenticated else Attempt.objects.none()
    quizzes = Quiz.objects.filter(is_published=True, feedback_policy__in=DEFERRED_POLICIES)
    if question_ids is not None:
        holding = QuizQuestion.objects.filter(quiz=OuterRef("pk"), question_id__in=question_ids)
        quizzes = quizzes.filter(Exists(holding))
    if shown_in_quiz_id is not None:
        quizzes = quizzes.exclude(pk=shown_in_quiz_id)
    deferred = list(
        quizzes.prefetch_related(
            Prefetch("attempts", queryset=own, to_attr="own_attempts"), "quiz_questions"
        )
    )
    load_times(deferred, user.pk)  # the user's times of every quiz at once
    for quiz in deferred:  # six queries however many quizzes
        if quiz_feedback_visible_to(user, quiz, now, attempts=quiz.own_attempts):
            continue
        for entry in quiz.quiz_questions.all():
            guarded[entry.question_id].append(quiz)
    return dict(guarded)


def guarding_quizzes_when_asked(user):
    """guarding_quizzes(user), queried only if a page asks it (withheld_by, withholds_any): an
    attempt page before any feedback may show (an exam's, at its start) never needs it, and it
    costs six queries of a request the whole class sends in the same minute."""
    return SimpleLazyObject(lambda: guarding_quizzes(user))


def withheld_by(
    guards: dict[int, list[Quiz]], question_id: int, *, shown_in_quiz_id: int | None = None
) -> Quiz | None:
    """The quiz whose feedback the question's key waits for (`guards`: guarding_quizzes), seen
    from the quiz `shown_in_quiz_id` (a quiz's own policy decides its own feedback); None when
    the key may show."""
    waiting = [quiz for quiz in guards.get(question_id, []) if quiz.pk != shown_in_quiz_id]
    return waiting[0] if waiting else None


def practice_topics(user):
    """The topics `user` practises: those of their courses (quizzes.hooks), or every topic."""
    topic_ids = hooks.installed().practice_topic_ids(user)
    topics = Topic.objects.order_by("order", "title")
    return topics if topic_ids is None else topics.filter(pk__in=topic_ids)


def practice_questions(user, topic: Topic | None = None):
    """The questions `user` may practise (see the practice rule above), in their topics."""
    entries = QuizQuestion.objects.filter(question=OuterRef("pk"))
    questions = (
        Question.objects.filter(AVAILABLE)
        .filter(~Exists(entries) | Exists(entries.filter(quiz__is_published=True)))
        .exclude(pk__in=list(guarding_quizzes(user)))
    )
    topic_ids = hooks.installed().practice_topic_ids(user)
    if topic_ids is not None:
        questions = questions.filter(topic__in=topic_ids)
    return questions if topic is None else questions.filter(topic=topic)


def visible_quizzes(user):
    """The published quizzes `user` sees: those of their courses and those of no course."""
    return hooks.installed().visible_quizzes(user, Quiz.objects.filter(is_published=True))


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
    # quiz_questions.all(): the prefetched entries when the caller prefetched them.
    question_ids = [entry.question_id for entry in quiz.quiz_questions.all()]
    return any(withheld_by(guards, pk, shown_in_quiz_id=quiz.pk) for pk in question_ids)


# --- Attempts as they stand (reads only) ------------------------------------------------------


def _ended_unsaved(attempt: Attempt) -> bool:
    return getattr(attempt, "ended_unsaved", False)


def _as_ended(attempt: Attempt, now: datetime) -> Attempt:
    """`attempt`, or, when it is still open past its deadline, an unsaved copy submitted at its
    deadline (as services.submit_attempt will date it)."""
    if attempt.submitted_at is not None or not rules.is_overdue(attempt, now):
        return attempt
    ended = copy.copy(attempt)
    ended.submitted_at = effective_deadline(attempt)
    setattr(ended, "ended_unsaved", True)  # noqa: B010 - no field of Attempt; see _ended_unsaved
    return ended


def attempt_as_of(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """`attempt` as it stands at `now`: as stored, unless it is still open past its deadline;
    then an unsaved copy ended as services.submit_attempt will store it (submitted at its
    deadline, its ungraded answers graded in memory, its score summed). Never writes."""
    ended = _as_ended(attempt, now or timezone.now())
    if _ended_unsaved(ended):
        ended.score = sum(r.points_awarded or 0 for r in attempt_responses(ended).values())
    return ended


def attempt_responses(attempt: Attempt) -> dict[int, Response]:
    """The attempt's responses by quiz question id; for an attempt attempt_as_of ended, graded
    in memory as submitting it will grade them."""
    # The pages show each answer with its entry's own question row: the responses' questions are
    # read only to grade an ended attempt's answers here, and never their traces (the largest
    # column).
    responses = attempt.responses.select_related("choice")
    by_entry = {response.quiz_question_id: response for response in responses}
    if _ended_unsaved(attempt):
        entries = QuizQuestion.objects.select_related("question").defer("question__key_trace")
        prefetch_related_objects(list(by_entry.values()), Prefetch("quiz_question", entries))
        # What grading reads of each question beyond its row (a true/false claim, the known
        # wrong answers of a typed one): two queries, not two per answer.
        questions = [response.quiz_question.question for response in by_entry.values()]
        from quizzes import versions  # noqa: PLC0415 - versions reads the services, which read us

        with versions.pins_read_once():  # the course pins read once for all the answers
            prefetch_related_objects(
                questions,
                "choices",
                "known_wrong_answers",
                # The pinned line's keys, read for every answer at once.
                *versions.grading_keys_prefetches(),
            )
            for response in by_entry.values():
                if response.graded_key is None:
                    entry = response.quiz_question
                    grading.grade_response(response, entry.question, entry.points)
    return by_entry


def overdue_attempts(attempts: list[Attempt], *, quiz: Quiz, now: datetime) -> list[Attempt]:
    """Those of a user's loaded `attempts` of `quiz` still open past their deadline (a POST then
    submits them)."""
    return [
        a for a in attempts if a.submitted_at is None and rules.is_overdue(_with_quiz(a, quiz), now)
    ]


def _with_quiz(attempt: Attempt, quiz: Quiz) -> Attempt:
    attempt.quiz = quiz  # already loaded: no query per attempt
    return attempt


def quiz_max_score(quiz: Quiz) -> int:
    return quiz.quiz_questions.aggregate(total=Sum("points"))["total"] or 0


def quizzes_with_status_rows(user, quizzes):
    """`quizzes` with what quiz_status reads loaded in a fixed number of queries: the user's
    attempts (own_attempts), the entries, their count and total points."""
    own = Attempt.objects.filter(user=user)
    return quizzes.annotate(
        question_count=Count("quiz_questions"), points_total=Sum("quiz_questions__points")
    ).prefetch_related(Prefetch("attempts", queryset=own, to_attr="own_attempts"), "quiz_questions")


@dataclass(frozen=True)
class QuizStatus:
    state: str  # "not_open", "open" or "closed"
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    best_score: int | None  # only over attempts whose feedback may be shown
    max_score: int
    open_attempt: Attempt | None
    can_start: bool  # True also when an open attempt can be resumed
    reason: str  # why it cannot be started, empty when it can
    times: hooks.QuizTimes  # the user's own times for the quiz (deadlines.quiz_times)


def _unavailable_reason(
    quiz: Quiz, state: str, attempts_left: int | None, opens_at: datetime | None
) -> str:
    if not quiz.is_published:
        return "This quiz is not published."
    if state == "not_open" and opens_at is not None:
        return f"This quiz opens at {timezone.localtime(opens_at):%Y-%m-%d %H:%M}."
    if state == "closed":
        return "This quiz is closed."
    if attempts_left == 0:
        return "You have used all your attempts."
    if not _question_count(quiz):
        return "This quiz has no questions yet."
    return ""


def _question_count(quiz: Quiz) -> int:
    count = getattr(quiz, "question_count", None)  # quizzes_with_status_rows
    return quiz.quiz_questions.count() if count is None else count


def quiz_status(*, user, quiz: Quiz, now: datetime | None = None) -> QuizStatus:
    """Where `user` stands with `quiz` at `now` (attempts that ran out of time count as ended).
    No query of its own for a quiz from quizzes_with_status_rows."""
    now = now or timezone.now()
    times = quiz_times(quiz, user.pk)
    state = rules.quiz_state(quiz, now, user_id=user.pk)
    own = getattr(quiz, "own_attempts", None)
    if own is None:
        own = list(quiz.attempts.filter(user=user))
    attempts = [attempt_as_of(_with_quiz(a, quiz), now) for a in own]
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    used = len(attempts)
    left = None if times.max_attempts is None else max(times.max_attempts - used, 0)
    scores = [
        a.score
        for a in attempts
        if a.submitted_at is not None
        and a.score is not None
        and rules.feedback_visible(attempt=a, now=now)
    ]
    reason = "" if open_attempt else _unavailable_reason(quiz, state, left, times.opens_at)
    return QuizStatus(
        state=state,
        attempts_used=used,
        attempts_left=left,
        best_score=max(scores) if scores else None,
        max_score=(
            quiz.points_total or 0 if hasattr(quiz, "points_total") else quiz_max_score(quiz)
        ),
        open_attempt=open_attempt,
        can_start=not reason,
        reason=reason,
        times=times,
    )


# --- The instructor's class results -----------------------------------------------------------


@dataclass(frozen=True)
class QuizResults:
    attempt_count: int  # submitted attempts
    students: Sequence[Mapping[str, object]]  # per student: username, attempts, best, last
    entries: list[dict]  # per question, in quiz order: entry, answered, correct, percent


def quiz_results(quiz: Quiz, *, seen_by=None) -> QuizResults:
    """How the class did on `quiz`, over submitted attempts (those the instructor `seen_by` may
    see: hooks), in four queries however many questions, students or responses."""
    submitted = quiz.attempts.filter(submitted_at__isnull=False)
    if seen_by is not None:
        submitted = hooks.installed().attempts_seen_by(seen_by, submitted)
    students = list(
        submitted.values("user__username")
        .annotate(attempts=Count("pk"), best=Max("score"), last=Max("submitted_at"))
        .order_by("user__username")
    )
    total = submitted.count()
    counts = {
        row["quiz_question"]: row
        for row in Response.objects.filter(attempt__in=submitted)
        .values("quiz_question")
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
    }
    entries = []
    for entry in quiz.quiz_questions.select_related("question"):
        row = counts.get(entry.pk, {"answered": 0, "correct": 0})
        entries.append(
            {
                "entry": entry,
                "answered": row["answered"],
                "correct": row["correct"],
                "percent": round(100 * row["correct"] / total) if total else None,
            }
        )
    return QuizResults(attempt_count=total, students=students, entries=entries)


def stored_key_versions() -> set[str]:
    """The Python versions the stored answer keys and page outputs were computed with (every
    page's footer). Without the models' default ordering: DISTINCT over the ordering's columns
    too joined the topics and pages and returned a row per question and per output block."""
    versions = set(
        Question.objects.exclude(key_python_version="")
        .order_by()
        .values_list("key_python_version", flat=True)
        .distinct()
    )
    outputs = CodeBlockOutput.objects.order_by().values_list("python_version", flat=True)
    versions |= set(outputs.distinct())
    return versions
