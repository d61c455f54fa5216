"""Every state change of the course: answer keys, page outputs, attempts, answers, practice.

Views, admin actions and management commands call these functions and nothing else to change
state. Deadlines, time limits and attempt limits are enforced here, on the server. Grading
compares with stored keys; the sandbox only runs when a key or a page output is (re)computed.
"""

import platform
import random
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

import grader
from quizzes import choice_order, grading, roles
from quizzes.deadlines import effective_deadline, quiz_deadline
from quizzes.grading import source_hash
from quizzes.markdown import python_blocks
from quizzes.models import (
    Attempt,
    Choice,
    CodeBlockOutput,
    ConceptPage,
    PracticeAnswer,
    Question,
    Quiz,
    QuizQuestion,
    Response,
)

# Answers are short predictions of a snippet's output; anything longer is a mistake or abuse.
MAX_ANSWER_CHARS = 10_000
# A blank typed answer is ambiguous (forgotten, or "prints nothing"?), so saying nothing is printed
# is an explicit choice of its own (AnswerForm's "The program prints nothing").
BLANK_TYPED_ANSWER = "Type what it prints, or tick “The program prints nothing”."
TEXT_AND_PRINTS_NOTHING = (
    "You ticked “The program prints nothing” and typed an output: clear the text or untick the box."
)


class ServiceError(Exception):
    """A request the rules refuse; `message` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class QuizUnavailable(ServiceError):
    """The quiz cannot be started: unpublished, not open yet, closed, no attempts left."""


class AttemptClosed(ServiceError):
    """The attempt was submitted or its deadline passed."""


class InvalidAnswer(ServiceError):
    """The answer does not fit the question (wrong kind, foreign choice, too long...)."""


class AnswerLocked(ServiceError):
    """Feedback for this answer was shown already, so it can no longer change."""


# --- Answer keys and page outputs -------------------------------------------------------------


def current_python_version() -> str:
    """The interpreter the grader runs snippets with (the server's own)."""
    return platform.python_version()


def run_snippet(source: str) -> dict:
    """Run `source` in the grader's sandbox; the outcome as stored (no trace)."""
    outcome = grader.run(source).to_dict()
    outcome.pop("trace", None)
    return outcome


def output_varies(source: str) -> bool:
    """Whether `source` shows something that changes from one run of Python to the next (the
    order of a set of strings, an id(), a str's hash): then no single output is its key."""
    return grader.output_varies(source)


def collector_dependence(source: str) -> list[str]:
    """Why `source`'s output may differ from a script's because of when the garbage collector
    runs automatically (empty: it does not): the grader places those collections only to within
    a few allocations, so such an output cannot be a key (grader/collector_check.py)."""
    return grader.collector_dependent(source)


def trace_snippet(source: str, outcome: dict) -> dict | None:
    """The memory diagram's trace of `source`, whose plain run gave `outcome`.

    The trace comes from a second, traced run, so the key itself is never computed under the
    tracer. Snippets the grader refused or stopped have no trace (there is nothing to draw).
    """
    if not grading.is_valid_key(outcome):
        return None
    trace = grader.run(source, trace=True).trace
    return trace if isinstance(trace, dict) else None


def _trace_missing(outcome: dict | None, trace: dict | None) -> bool:
    """A valid outcome stored without its trace (e.g. computed before traces existed)."""
    return trace is None and grading.is_valid_key(outcome)


def stored_key_versions() -> set[str]:
    """The Python versions the stored answer keys and page outputs were computed with."""
    versions = set(
        Question.objects.exclude(key_python_version="")
        .values_list("key_python_version", flat=True)
        .distinct()
    )
    versions |= set(CodeBlockOutput.objects.values_list("python_version", flat=True).distinct())
    return versions


def key_is_current(question: Question) -> bool:
    return (
        question.answer_key is not None
        and question.key_source_hash == source_hash(question.snippet)
        and question.key_python_version == current_python_version()
        and not _trace_missing(question.answer_key, question.key_trace)
    )


def store_answer_key(
    question: Question, outcome: dict, *, trace: dict | None, now: datetime | None = None
) -> None:
    """Store an outcome and trace already computed for `question.snippet` (by the admin form or
    refresh_answer_key). Only writes: the grader never runs inside the caller's transaction."""
    question.answer_key = outcome
    question.key_trace = trace
    question.key_source_hash = source_hash(question.snippet)
    question.key_python_version = outcome.get("python_version") or current_python_version()
    question.key_computed_at = now or timezone.now()
    Question.objects.filter(pk=question.pk).update(
        answer_key=question.answer_key,
        key_trace=question.key_trace,
        key_source_hash=question.key_source_hash,
        key_python_version=question.key_python_version,
        key_computed_at=question.key_computed_at,
    )


def refresh_answer_key(question: Question, *, force: bool = False) -> bool:
    """Recompute the key when the snippet or the interpreter changed (or `force`).

    Returns whether the grader ran. Responses keep the key they were graded against, so
    finished attempts never change.
    """
    if not force and key_is_current(question):
        return False
    outcome = checked_outcome(question.snippet)
    store_answer_key(question, outcome, trace=trace_snippet(question.snippet, outcome))
    return True


def question_problems(question: Question) -> list[str]:
    """Why `question` cannot be published with its stored key and choices (empty when it can)."""
    key = question.answer_key
    if key is None:
        return ["No answer key has been computed."]
    if not grading.is_valid_key(key):
        reasons = "; ".join(key.get("reasons") or []) or "no reason given"
        return [f"The grader could not produce a key (status {key.get('status')}): {reasons}"]
    if question.key_source_hash != source_hash(question.snippet):
        return ["The answer key is stale: the snippet changed since it was computed."]
    return grading.choice_problems(question.answer_mode, key, question.choices.all())


def unpublish(question: Question) -> None:
    question.is_published = False
    Question.objects.filter(pk=question.pk).update(is_published=False)


@dataclass(frozen=True)
class BlockOutput:
    """One ```python block of a page with its outcome and trace, computed before any transaction
    opens (compute_page_outputs) and written quickly afterwards (store_page_outputs)."""

    source: str
    outcome: dict
    trace: dict | None
    python_version: str
    computed_at: datetime
    ran: bool  # the grader ran it now; False: a stored output of the same source was reused
    varies: bool = False  # its output changes between runs of Python (checked only if asked)

    @property
    def is_real(self) -> bool:
        """A stable outcome that ran to the end or raised: what the page may show as real."""
        return grading.is_valid_key(self.outcome) and not self.varies


def _reusable_outputs(page: ConceptPage) -> dict[str, CodeBlockOutput]:
    """The page's stored outputs that need no new run, by source hash (a block that only moved
    keeps its output): computed with this interpreter, valid, and with their trace."""
    if page.pk is None:
        return {}
    version = current_python_version()
    return {
        stored.source_hash: stored
        for stored in page.block_outputs.all()
        if stored.python_version == version
        and grading.is_valid_key(stored.outcome)
        and not _trace_missing(stored.outcome, stored.trace)
    }


def compute_page_outputs(
    page: ConceptPage, blocks: list[str], *, force: bool = False, check_varies: bool = False
) -> list[BlockOutput]:
    """Run the grader on each of `blocks` (the page's ```python blocks, in order) that has no
    reusable stored output, or on all of them with `force`. Reads the database, never writes:
    call it before a transaction opens. `check_varies` also checks each block that ran for an
    output that changes between runs of Python (several more runs)."""
    reusable = {} if force else _reusable_outputs(page)
    outputs = []
    for source in blocks:
        stored = reusable.get(source_hash(source))
        if stored is not None:
            outputs.append(
                BlockOutput(
                    source=source,
                    outcome=stored.outcome,
                    trace=stored.trace,
                    python_version=stored.python_version,
                    computed_at=stored.computed_at,
                    ran=False,
                )
            )
            continue
        outcome = checked_outcome(source)
        valid = grading.is_valid_key(outcome)
        outputs.append(
            BlockOutput(
                source=source,
                outcome=outcome,
                trace=trace_snippet(source, outcome),
                python_version=outcome.get("python_version") or current_python_version(),
                computed_at=timezone.now(),
                ran=True,
                varies=check_varies and valid and output_varies(source),
            )
        )
    return outputs


def store_page_outputs(page: ConceptPage, outputs: list[BlockOutput]) -> None:
    """Write the outputs computed by compute_page_outputs, one row per block index, in one short
    transaction (no grader run inside it)."""
    with transaction.atomic():
        for index, output in enumerate(outputs):
            CodeBlockOutput.objects.update_or_create(
                page=page,
                index=index,
                defaults={
                    "source_hash": source_hash(output.source),
                    "outcome": output.outcome,
                    "trace": output.trace,
                    "python_version": output.python_version,
                    "computed_at": output.computed_at,
                },
            )
        page.block_outputs.filter(index__gte=len(outputs)).delete()


def refresh_page_outputs(page: ConceptPage, *, force: bool = False) -> int:
    """(Re)compute the outcome and trace of every ```python block of `page` that needs it, then
    store them; returns how many blocks ran."""
    outputs = compute_page_outputs(page, python_blocks(page.body), force=force)
    store_page_outputs(page, outputs)
    return sum(output.ran for output in outputs)


def checked_outcome(source: str) -> dict:
    """The grader's outcome of `source` as the site stores it (a key or a page block's output).
    An output that depends on the collector's timing is stored as refused, with the reason, so
    that no page shows it as the real one and no question is published with it as its key."""
    outcome = run_snippet(source)
    reasons = collector_dependence(source) if grading.is_valid_key(outcome) else []
    if not reasons:
        return outcome
    shown = {"stdout": "", "exception": None, "exception_line": None}
    return {**outcome, **shown, "status": "rejected", "reasons": reasons}


# --- Quizzes and attempts ---------------------------------------------------------------------


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


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def quiz_state(quiz: Quiz, now: datetime) -> str:
    if quiz.opens_at and now < quiz.opens_at:
        return "not_open"
    if quiz.closes_at and now >= quiz.closes_at:
        return "closed"
    return "open"


def quiz_max_score(quiz: Quiz) -> int:
    return quiz.quiz_questions.aggregate(total=Sum("points"))["total"] or 0


def _unavailable_reason(quiz: Quiz, state: str, attempts_left: int | None) -> str:
    if not quiz.is_published:
        return "This quiz is not published."
    if state == "not_open":
        return f"This quiz opens at {timezone.localtime(quiz.opens_at):%Y-%m-%d %H:%M}."
    if state == "closed":
        return "This quiz is closed."
    if attempts_left == 0:
        return "You have used all your attempts."
    if not quiz.quiz_questions.exists():
        return "This quiz has no questions yet."
    return ""


def _open_attempt(user, quiz: Quiz, now: datetime) -> Attempt | None:
    """The user's unsubmitted attempt, after submitting any that ran past their deadline."""
    for attempt in quiz.attempts.filter(user=user, submitted_at__isnull=True):
        attempt = expire_overdue(attempt, now=now)
        if attempt.submitted_at is None:
            return attempt
    return None


def quiz_status(*, user, quiz: Quiz, now: datetime | None = None) -> QuizStatus:
    now = _now(now)
    state = quiz_state(quiz, now)
    open_attempt = _open_attempt(user, quiz, now)
    attempts = list(quiz.attempts.filter(user=user))
    used = len(attempts)
    left = None if quiz.max_attempts is None else max(quiz.max_attempts - used, 0)
    scores = [
        a.score
        for a in attempts
        if a.submitted_at is not None
        and a.score is not None
        and feedback_visible(attempt=a, now=now)
    ]
    reason = "" if open_attempt else _unavailable_reason(quiz, state, left)
    return QuizStatus(
        state=state,
        attempts_used=used,
        attempts_left=left,
        best_score=max(scores) if scores else None,
        max_score=quiz_max_score(quiz),
        open_attempt=open_attempt,
        can_start=not reason,
        reason=reason,
    )


def start_attempt(*, user, quiz: Quiz, now: datetime | None = None) -> Attempt:
    """Start a new attempt, or resume the user's open one. Raises QuizUnavailable."""
    now = _now(now)
    try:
        with transaction.atomic():
            # A no-op UPDATE of the quiz row, first in the transaction, serialises concurrent
            # starts (two tabs) on every backend; on SQLite a read first would fail them instead.
            Quiz.objects.filter(pk=quiz.pk).update(is_published=F("is_published"))
            quiz = Quiz.objects.get(pk=quiz.pk)
            status = quiz_status(user=user, quiz=quiz, now=now)
            if status.open_attempt is not None:
                return status.open_attempt
            if not status.can_start:
                raise QuizUnavailable(status.reason)
            order = list(quiz.quiz_questions.values_list("pk", flat=True))
            if quiz.shuffle_questions:
                random.SystemRandom().shuffle(order)
            return Attempt.objects.create(
                quiz=quiz,
                user=user,
                number=(quiz.attempts.filter(user=user).aggregate(n=Max("number"))["n"] or 0) + 1,
                started_at=now,
                deadline=quiz_deadline(quiz, now),
                question_order=order,
                choice_seed=choice_order.student_seed(user),
                max_score=status.max_score,
            )
    except IntegrityError:
        # A concurrent start won the race for this attempt number: resume that attempt.
        existing = quiz.attempts.filter(user=user, submitted_at__isnull=True).first()
        if existing is None:
            raise
        return existing


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    deadline = effective_deadline(attempt)
    return deadline is not None and now >= deadline


def expire_overdue(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit (grade) an unsubmitted attempt that ran past its deadline; returns it fresh."""
    now = _now(now)
    if attempt.submitted_at is None and is_overdue(attempt, now):
        return submit_attempt(attempt=attempt, now=now)
    return attempt


def _typed_answer(answer_text: str, says_prints_nothing: bool) -> str:
    """The typed text as stored: empty when the student says the program prints nothing, which
    grades like the empty output it claims (grading.answer_matches("", key))."""
    if says_prints_nothing:
        if answer_text.strip():
            raise InvalidAnswer(TEXT_AND_PRINTS_NOTHING)
        return ""
    if not answer_text.strip():
        raise InvalidAnswer(BLANK_TYPED_ANSWER)
    return answer_text


def _validated_answer(
    question: Question, answer_text: str, choice: Choice | None, says_prints_nothing: bool = False
) -> tuple[str, Choice | None]:
    """The answer as stored: typed text, the chosen choice (with its text), or "true"/"false"."""
    if len(answer_text) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(f"Answers are limited to {MAX_ANSWER_CHARS} characters.")
    mode = question.answer_mode
    if mode == Question.AnswerMode.TYPED:
        if choice is not None:
            raise InvalidAnswer("This question takes a typed answer, not a choice.")
        return _typed_answer(answer_text, says_prints_nothing), None
    if says_prints_nothing:
        raise InvalidAnswer("Only a typed answer can say that the program prints nothing.")
    if mode == Question.AnswerMode.CHOICE:
        if choice is None or choice.question_id != question.pk:
            raise InvalidAnswer("Choose one of the question's choices.")
        # The text is kept so the answer survives later edits of the choices.
        return choice.text, choice
    value = answer_text.strip().lower()
    if value not in (grading.TRUE, grading.FALSE) or choice is not None:
        raise InvalidAnswer('Answer "true" or "false".')
    return value, None


def _grade_response(response: Response, question: Question, points: int) -> None:
    """Grade against the question's current key, recording that key on the response."""
    key = question.answer_key
    if not grading.is_valid_key(key):
        # An ungradable question (its key broke) earns nothing, and says so: is_correct None.
        response.is_correct = None
        response.points_awarded = 0
        response.graded_key = key
        response.graded_python_version = question.key_python_version
        return
    correct = grading.is_correct_against(
        question, key, answer_text=response.answer_text, choice=response.choice
    )
    response.is_correct = correct
    response.points_awarded = points if correct else 0
    response.graded_key = key
    response.graded_python_version = question.key_python_version


def _lock_open_attempt(attempt: Attempt, now: datetime) -> Attempt:
    """Lock the attempt's row for this transaction; raises AttemptClosed unless it is open.

    The lock is a no-op UPDATE and the transaction's first statement, so concurrent saves and
    submits queue up on every backend (on SQLite a read first would make them fail instead).
    """
    still_open = Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=None
    )
    if not still_open:
        raise AttemptClosed("This attempt has been submitted; answers can no longer change.")
    locked = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    if is_overdue(locked, now):
        raise AttemptClosed("Time is up for this attempt.")
    return locked


def save_answer(
    *,
    attempt: Attempt,
    quiz_question: QuizQuestion,
    answer_text: str = "",
    choice: Choice | None = None,
    says_prints_nothing: bool = False,
    draft: bool = False,
    now: datetime | None = None,
) -> Response:
    """Save (or replace) one answer of an open attempt.

    With feedback after each answer the answer is graded at once, and from then on it is
    locked (AnswerLocked): changing an answer after seeing its feedback would make it free.
    A `draft` (text saved while the student types) is stored but never graded here, so it
    stays open to change; submitting grades it like any other answer.
    Raises AttemptClosed once the attempt is submitted or past its deadline (in which case
    the attempt is submitted and graded), InvalidAnswer for an answer that does not fit.
    """
    now = _now(now)
    try:
        with transaction.atomic():
            attempt = _lock_open_attempt(attempt, now)
            if quiz_question.quiz_id != attempt.quiz_id or (
                quiz_question.pk not in attempt.question_order
            ):
                raise InvalidAnswer("This question is not part of this attempt.")
            question = quiz_question.question
            text, choice = _validated_answer(question, answer_text, choice, says_prints_nothing)
            response = Response.objects.filter(attempt=attempt, quiz_question=quiz_question).first()
            each_answer = attempt.quiz.feedback_policy == Quiz.FeedbackPolicy.AFTER_EACH_ANSWER
            if response is not None and each_answer and response.graded_key is not None:
                raise AnswerLocked("You have seen the feedback for this answer; it is final.")
            grade_now = each_answer and not draft
            if response is None:
                response = Response(attempt=attempt, quiz_question=quiz_question)
            response.answer_text = text
            response.choice = choice
            response.says_prints_nothing = says_prints_nothing
            response.answered_at = now
            if grade_now:
                _grade_response(response, question, quiz_question.points)
            response.save()
            return response
    except AttemptClosed:
        expire_overdue(attempt, now=now)
        raise


def submit_attempt(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit and grade `attempt` exactly once; a repeated submit returns it unchanged.

    Submission is claimed by a conditional UPDATE, so of two concurrent submits (double click,
    two tabs) exactly one grades, on every database backend.
    """
    now = _now(now)
    with transaction.atomic():
        # The claim is the transaction's first statement, so it takes the write lock before
        # anything is read (SQLite) and waits on the row lock of a concurrent submit (others).
        claimed = Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            submitted_at=now
        )
        current = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
        if not claimed:
            return current
        deadline = effective_deadline(current)
        if deadline and deadline < now:
            current.submitted_at = deadline  # expired on access: it ended at its deadline
        points = dict(current.quiz.quiz_questions.values_list("pk", "points"))
        score = 0
        responses = current.responses.select_related(
            "quiz_question__question", "choice"
        ).prefetch_related("quiz_question__question__choices")
        for response in responses:
            if response.graded_key is None:  # not graded at answer time
                _grade_response(
                    response, response.quiz_question.question, points[response.quiz_question_id]
                )
                response.save()
            score += response.points_awarded or 0
        current.score = score
        current.save(update_fields=["submitted_at", "score"])
        return current


def ran_out_of_time(attempt: Attempt) -> bool:
    """Whether the attempt was submitted because its time was up, read from what is stored:
    submit_attempt dates an attempt that ran past its deadline at that deadline, and a submit
    the student makes in time is dated before it."""
    return (
        attempt.submitted_at is not None
        and attempt.deadline is not None
        and attempt.submitted_at >= attempt.deadline
    )


def feedback_visible(*, attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the results of the whole attempt (keys, right choices, explanations) may show."""
    if attempt.submitted_at is None:
        return False
    quiz = attempt.quiz
    if quiz.feedback_policy == Quiz.FeedbackPolicy.AFTER_CLOSE:
        return quiz.closes_at is not None and _now(now) >= quiz.closes_at
    return True


def response_feedback_visible(*, response: Response, now: datetime | None = None) -> bool:
    """Whether this one response's result may show (with feedback after each answer: once
    answered)."""
    attempt = response.attempt
    if attempt.quiz.feedback_policy == Quiz.FeedbackPolicy.AFTER_EACH_ANSWER:
        return response.graded_key is not None or feedback_visible(attempt=attempt, now=now)
    return feedback_visible(attempt=attempt, now=now)


# --- Practice ---------------------------------------------------------------------------------


def answer_practice(
    *,
    user,
    question: Question,
    answer_text: str = "",
    choice: Choice | None = None,
    says_prints_nothing: bool = False,
    now: datetime | None = None,
) -> PracticeAnswer:
    """Grade one practice answer at once against the stored key and record it.

    Unpublished questions are open to instructors only (the admin's "preview as a student").
    """
    if not question.is_published and not roles.is_instructor(user):
        raise InvalidAnswer("This question is not available.")
    if not grading.is_valid_key(question.answer_key):
        raise InvalidAnswer("This question has no answer key yet; it cannot be graded.")
    text, choice = _validated_answer(question, answer_text, choice, says_prints_nothing)
    correct = grading.is_correct_against(
        question, question.answer_key, answer_text=text, choice=choice
    )
    return PracticeAnswer.objects.create(
        user=user,
        question=question,
        answer_text=text,
        choice=choice,
        says_prints_nothing=says_prints_nothing,
        is_correct=correct,
        graded_key=question.answer_key,
        graded_python_version=question.key_python_version,
        answered_at=_now(now),
        choice_seed=choice_order.student_seed(user),
    )


# --- Keeping keys true ------------------------------------------------------------------------


def outcomes_differ(old: dict | None, new: dict | None) -> bool:
    """Whether two outcomes would grade differently (timings and reasons aside)."""
    old, new = old or {}, new or {}
    return any(old.get(f) != new.get(f) for f in ("status", "stdout", "exception"))


@dataclass(frozen=True)
class KeyRefresh:
    ran: bool  # the grader ran
    changed: bool  # the outcome differs from the previous key
    problems: list[str]  # why the question cannot be published (empty: it can)
    unpublished: bool  # it was published and has been withdrawn because of `problems`


def recompute_question(question: Question, *, force: bool = False) -> KeyRefresh:
    """Refresh the key, then withdraw the question from students if it can no longer be graded.

    Responses already graded keep their own copy of the key, so finished attempts never change.
    """
    previous = question.answer_key
    ran = refresh_answer_key(question, force=force)
    problems = question_problems(question)
    unpublished = bool(problems) and question.is_published
    if unpublished:
        unpublish(question)
    return KeyRefresh(
        ran=ran,
        changed=ran and outcomes_differ(previous, question.answer_key),
        problems=problems,
        unpublished=unpublished,
    )
