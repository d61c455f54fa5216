"""Every state change of assessment: answer keys, attempts, answers, practice.

Page outputs are content.services's.

Views, admin actions and management commands call these functions and nothing else to change
state. Deadlines, time limits and attempt limits are enforced here, on the server. Grading
compares with stored keys; the sandbox only runs when a key or a page output is (re)computed.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts import roles
from content.runs import (
    StoredRun,
    checked_outcome,
    current_python_version,
    predict_snippet,
    trace_snippet,
)
from quizzes import (
    answer_modes,
    choice_order,
    feedback_policies,
    footer_versions,
    grading,
    misconceptions,
    rules,
    selectors,
    variant_services,
)
from quizzes.deadlines import effective_deadline, quiz_deadline
from quizzes.grading import source_hash
from quizzes.models import (
    Attempt,
    Choice,
    KnownWrongAnswer,
    PracticeAnswer,
    Question,
    Quiz,
    QuizQuestion,
    Response,
)
from quizzes.save_versions import BaseVersion

logger = logging.getLogger(__name__)

# Answers are short predictions of a snippet's output; anything longer is a mistake or abuse.
MAX_ANSWER_CHARS = 10_000


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


class AnswerChanged(ServiceError):
    """The stored answer was saved after the one this save's text was typed over (by another tab
    or a reloaded page): the save would replace a newer answer. `current` is its version."""

    def __init__(self, message: str, *, current: datetime):
        super().__init__(message)
        self.current = current


# --- Answer keys and page outputs -------------------------------------------------------------


def key_is_current(question: Question) -> bool:
    return StoredRun.of_key(question).is_current(question.snippet)


def store_answer_key(
    question: Question,
    outcome: dict,
    *,
    trace: dict | None,
    predictions: dict | None = None,
    now: datetime | None = None,
) -> None:
    """Store an outcome, trace and misconception predictions already computed for
    `question.snippet` (by the admin form or refresh_answer_key). Only writes: the grader never
    runs inside the caller's transaction."""
    if question.answer_key is not None and outcomes_differ(question.answer_key, outcome):
        logger.warning(
            "Question %s: the answer key changed from %s to %s (Python %s)",
            question.slug,
            _key_summary(question.answer_key),
            _key_summary(outcome),
            outcome.get("python_version") or current_python_version(),
        )
    question.answer_key = outcome
    question.key_trace = trace
    question.key_predictions = predictions
    question.key_source_hash = source_hash(question.snippet)
    question.key_python_version = outcome.get("python_version") or current_python_version()
    question.key_computed_at = now or timezone.now()
    Question.objects.filter(pk=question.pk).update(
        answer_key=question.answer_key,
        key_trace=question.key_trace,
        key_predictions=question.key_predictions,
        key_source_hash=question.key_source_hash,
        key_python_version=question.key_python_version,
        key_computed_at=question.key_computed_at,
    )
    footer_versions.forget()


def refresh_answer_key(question: Question, *, force: bool = False) -> bool:
    """Recompute the key when the snippet or the interpreter changed (or `force`).

    Returns whether the grader ran. Responses keep the key they were graded against, so
    finished attempts never change.
    """
    if question.parameters:
        # Each variant has its own key (quizzes.variant_services), the first is the question's.
        ran, problems = variant_services.variants_refresh(question, force=force)
        if problems:
            logger.warning("Question %s: variants refused: %s", question.slug, " ".join(problems))
        return ran
    if not force and key_is_current(question):
        return False
    outcome = checked_outcome(question.snippet)
    store_answer_key(
        question,
        outcome,
        trace=trace_snippet(question.snippet, outcome),
        predictions=predict_snippet(question.snippet, outcome),
    )
    return True


def question_problems(question: Question) -> list[str]:
    """Why `question` cannot be published with its stored key and choices (empty when it can)."""
    key = question.answer_key
    if key is None:
        return ["No answer key has been computed."]
    if not grading.is_valid_key(key):
        reasons = "; ".join(key.get("reasons") or []) or "no reason given"
        return [f"The grader could not produce a key (status {key.get('status')}): {reasons}"]
    if question.parameters:
        return variant_services.stored_problems(question)
    if question.key_source_hash != source_hash(question.snippet):
        return ["The answer key is stale: the snippet changed since it was computed."]
    return grading.choice_problems(question.answer_mode, key, question.choices.all())


def _differing_prediction(question: Question, misconception: str) -> misconceptions.Prediction:
    differing = misconceptions.differing_predictions(question.answer_key, question.key_predictions)
    prediction = next((p for p in differing if p.misconception == misconception), None)
    if prediction is None:
        raise InvalidAnswer(
            f"{misconception!r} predicts no output other than the real one for this snippet."
        )
    return prediction


def choice_add_predicted(*, question: Question, misconception: str) -> Choice:
    """Add what `misconception` predicts (stored with the key) as a choice labelled with it.
    Nothing runs: the prediction was computed with the key."""
    if question.answer_mode != Question.AnswerMode.CHOICE:
        raise InvalidAnswer("Only a choice question takes predicted choices.")
    if question.parameters:
        return variant_services.predicted_choice_add(question=question, misconception=misconception)
    prediction = _differing_prediction(question, misconception)
    choices = list(question.choices.all())
    if any(grading.answer_matches(choice.text, prediction.outcome) for choice in choices):
        raise InvalidAnswer(f"A choice already shows what {misconception!r} predicts.")
    order = max((choice.order for choice in choices), default=-1) + 1
    text = prediction.text.removesuffix("\n")
    return Choice.objects.create(
        question=question, text=text, misconception=misconception, order=order
    )


def known_wrong_answer_add_predicted(*, question: Question, misconception: str) -> KnownWrongAnswer:
    """Record what `misconception` predicts (stored with the key) as a known wrong answer of a
    typed question, labelled with it. Nothing runs: the prediction was computed with the key."""
    if question.answer_mode != Question.AnswerMode.TYPED:
        raise InvalidAnswer("Only a typed question keeps known wrong answers.")
    prediction = _differing_prediction(question, misconception)
    for known in question.known_wrong_answers.all():
        if grading.answer_matches(grading.expected_text(known.outcome), prediction.outcome):
            raise InvalidAnswer(
                f"A known wrong answer (labelled {known.misconception!r}) already shows what "
                f"{misconception!r} predicts."
            )
    return KnownWrongAnswer.objects.create(
        question=question,
        stdout=prediction.outcome.get("stdout") or "",
        exception=prediction.outcome.get("exception") or "",
        misconception=misconception,
    )


def unpublish(question: Question) -> None:
    question.is_published = False
    Question.objects.filter(pk=question.pk).update(is_published=False)


# --- Rows the content loader writes (content/loader.py decides which, and when) ---------------


def question_upsert(*, slug: str, fields: dict, choices: list[Choice]) -> Question:
    """Create or update the question `slug` with `fields`, and make its choices equal `choices`
    (unsaved Choice objects), keeping unchanged choices (by text) so that answers pointing at
    them stay attached."""
    question, _ = Question.objects.update_or_create(slug=slug, defaults=fields)
    existing = list(question.choices.all())
    for order, choice in enumerate(choices):
        match = next((c for c in existing if c.text == choice.text), None)
        if match is None:
            match = Choice(question=question, text=choice.text)
        else:
            existing.remove(match)
        match.misconception = choice.misconception
        match.order = order
        match.save()
    for leftover in existing:
        leftover.delete()
    return question


def known_wrong_answers_sync(*, question: Question, answers: list[KnownWrongAnswer]) -> None:
    """Make the typed question's known wrong answers equal `answers` (unsaved, in order). Rows
    already equal are kept; otherwise they are written afresh in that order (nothing refers to
    a known wrong answer: a response keeps the labels it was given, not the row)."""
    fields = ("stdout", "exception", "misconception")
    wanted = [tuple(getattr(answer, name) for name in fields) for answer in answers]
    stored = list(question.known_wrong_answers.values_list(*fields))
    if stored == wanted:
        return
    question.known_wrong_answers.all().delete()
    KnownWrongAnswer.objects.bulk_create(
        KnownWrongAnswer(question=question, **dict(zip(fields, values, strict=True)))
        for values in wanted
    )


def question_publish_set(*, question: Question, published: bool) -> None:
    if question.is_published != published:
        question.is_published = published
        question.save(update_fields=["is_published"])


def quiz_upsert(*, slug: str, fields: dict) -> Quiz:
    quiz, _ = Quiz.objects.update_or_create(slug=slug, defaults=fields)
    return quiz


def quiz_entries_sync(*, quiz: Quiz, entries: list[tuple[int, Question, int]]) -> list[str]:
    """Make the quiz's questions `entries` ((order, question, points)). An entry left out that
    students have answered stays, so those attempts stay as they were; the notes say so."""
    kept, notes = [], []
    for order, question, points in entries:
        entry_row, _ = QuizQuestion.objects.update_or_create(
            quiz=quiz, question=question, defaults={"order": order, "points": points}
        )
        kept.append(entry_row.pk)
    for stale in quiz.quiz_questions.exclude(pk__in=kept):
        if stale.response_set.exists():
            notes.append(
                f"Quiz {quiz.slug}: {stale.question.slug} was removed from the fixture but "
                "students have answered it, so it stays."
            )
        else:
            stale.delete()
    return notes


# --- Quizzes and attempts ---------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def start_attempt(*, user, quiz: Quiz, now: datetime | None = None) -> Attempt:
    """Start a new attempt, or resume the user's open one. Raises QuizUnavailable."""
    now = _now(now)
    try:
        with transaction.atomic():
            # A no-op UPDATE of the student's own row, first in the transaction, serialises their
            # concurrent starts (two tabs) on every backend; on SQLite a read first would fail
            # them instead. Not the quiz's row: on PostgreSQL every student of the class would
            # queue behind that one lock at the exam's opening.
            get_user_model().objects.filter(pk=user.pk).update(is_active=F("is_active"))
            # Whether the user sees the quiz (their course's, or of no course) is read with it.
            visible = selectors.visible_quizzes(user).filter(pk=OuterRef("pk"))
            quiz = Quiz.objects.annotate(seen_by_user=Exists(visible)).get(pk=quiz.pk)
            # One query each for the student's attempts and the quiz's questions, read here
            # under the lock and used for everything below (the exam-day class starts at once):
            # the overdue ones, the status, the next number; the count, points and order.
            attempts = _own_attempts(user, quiz, now)
            # The questions' order, points and variants, read together: each parameterised
            # question's variant is stored with the attempt.
            draws = variant_services.quiz_draws(quiz)
            quiz.question_count = len(draws.order)  # type: ignore[attr-defined]
            quiz.points_total = sum(draws.points)  # type: ignore[attr-defined]
            status = selectors.quiz_status(user=user, quiz=quiz, now=now)
            if status.open_attempt is not None:
                return status.open_attempt
            if not status.can_start:
                raise QuizUnavailable(status.reason)
            if not quiz.seen_by_user:  # type: ignore[attr-defined]
                raise QuizUnavailable("This quiz belongs to a course you are not in.")
            order = list(draws.order)
            if quiz.shuffle_questions:
                random.SystemRandom().shuffle(order)
            attempt = Attempt.objects.create(
                quiz=quiz,
                user=user,
                number=max((attempt.number for attempt in attempts), default=0) + 1,
                started_at=now,
                deadline=quiz_deadline(quiz, now, user.pk),
                question_order=order,
                choice_seed=choice_order.student_seed(user),
                max_score=status.max_score,
            )
            variant_services.attempt_variants_store(attempt, draws)
            return attempt
    except IntegrityError:
        # A concurrent start won the race for this attempt number: resume that attempt.
        existing = quiz.attempts.filter(user=user, submitted_at__isnull=True).first()
        if existing is None:
            raise
        return existing


def _own_attempts(user, quiz: Quiz, now: datetime) -> list[Attempt]:
    """The user's attempts at `quiz`, those past their deadline submitted first; kept on the quiz
    row as selectors.quiz_status reads them (`own_attempts`)."""
    attempts = list(quiz.attempts.filter(user=user))
    overdue = selectors.overdue_attempts(attempts, quiz=quiz, now=now)
    for attempt in overdue:
        submit_attempt(attempt=attempt, now=now)
    if overdue:
        attempts = list(quiz.attempts.filter(user=user))
    quiz.own_attempts = attempts  # type: ignore[attr-defined]
    return attempts


def expire_overdue(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit (grade) an unsubmitted attempt that ran past its deadline; returns it fresh."""
    now = _now(now)
    if attempt.submitted_at is None and rules.is_overdue(attempt, now):
        return submit_attempt(attempt=attempt, now=now)
    return attempt


def expire_overdue_attempts(*, now: datetime | None = None) -> int:
    """Submit every attempt that ran past its deadline with nobody submitting it (the
    expire_attempts command runs this): pages only show such an attempt as ended, never store
    it. Returns how many were submitted."""
    now = _now(now)
    expired = 0
    for attempt in Attempt.objects.filter(submitted_at__isnull=True).select_related("quiz"):
        if rules.is_overdue(attempt, now):
            submit_attempt(attempt=attempt, now=now)
            expired += 1
    if expired:
        logger.info("Submitted %d attempt(s) that ran past their deadline", expired)
    return expired


def _validated_answer(
    question: Question, answer_text: str, choice: Choice | None, says_prints_nothing: bool = False
) -> tuple[str, Choice | None]:
    """The answer as stored (answer_modes: typed text, the chosen choice with its text, or
    "true"/"false"); raises InvalidAnswer for one that does not fit."""
    if len(answer_text) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(f"Answers are limited to {MAX_ANSWER_CHARS} characters.")
    try:
        return answer_modes.mode(question.answer_mode).validated(
            question,
            answer_text=answer_text,
            choice=choice,
            says_prints_nothing=says_prints_nothing,
        )
    except answer_modes.AnswerRefused as refused:
        raise InvalidAnswer(refused.message) from None


def _lock_open_attempt(attempt: Attempt, now: datetime) -> Attempt:
    """Lock the attempt's row for this transaction; raises AttemptClosed unless it is open.

    The locking read is the transaction's first statement, so concurrent saves and submits
    queue up on every backend: PostgreSQL locks the attempt's row (not its quiz's, which every
    student of the class shares); SQLite has no row locks, but its transactions begin
    IMMEDIATE (config/settings.py), holding the write lock before this read.
    """
    locked = (
        Attempt.objects.select_related("quiz")
        .select_for_update(of=("self",))
        .filter(pk=attempt.pk)
        .first()
    )
    if locked is None or locked.submitted_at is not None:
        raise AttemptClosed("This attempt has been submitted; answers can no longer change.")
    if rules.is_overdue(locked, now):
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
    based_on: BaseVersion | None = None,
    now: datetime | None = None,
) -> Response:
    """Save (or replace) one answer of an open attempt.

    With feedback after each answer the answer is graded at once, and from then on it is
    locked (AnswerLocked): changing an answer after seeing its feedback would make it free.
    A `draft` (text saved while the student types) is stored but never graded here, so it
    stays open to change; submitting grades it like any other answer.
    `based_on`: the stored answer's version the text was typed over (None: not known, taken as
    before); AnswerChanged if the stored answer is newer and differs, nothing written.
    Raises AttemptClosed once the attempt is submitted or past its deadline (in which case
    the attempt is submitted and graded), InvalidAnswer for an answer that does not fit.
    The response's `attempt` is the row read under the lock, whose quiz already holds the
    student's times (read for the deadline check): the caller's reply reads them there.
    """
    now = _now(now)
    try:
        with transaction.atomic():
            attempt = _lock_open_attempt(attempt, now)
            if quiz_question.quiz_id != attempt.quiz_id or (
                quiz_question.pk not in attempt.question_order
            ):
                raise InvalidAnswer("This question is not part of this attempt.")
            response = Response.objects.filter(attempt=attempt, quiz_question=quiz_question).first()
            # A parameterised question is answered and graded as the variant this attempt was
            # given when it started (kept on the response too, for the readers of responses).
            variant = variant_services.attempt_variant(attempt, quiz_question)
            each_answer = feedback_policies.policy(attempt.quiz.feedback_policy).GRADES_ON_SAVE
            grade_now = each_answer and not draft
            question = quiz_question.question
            # The variant's rendering (its choices' texts, its key: two queries) only when
            # something here reads it: grading now, or a mode that stores the text the student
            # saw. An exam's typed drafts, most of its saves, need neither.
            mode = answer_modes.mode(question.answer_mode)
            if variant is not None and (grade_now or mode.STORES_SEEN_TEXT):
                question = variant_services.as_seen(question, variant)
                choice = variant_services.seen_choice(question, choice)
            text, choice = _validated_answer(question, answer_text, choice, says_prints_nothing)
            if response is not None and each_answer and response.graded_key is not None:
                raise AnswerLocked("You have seen the feedback for this answer; it is final.")
            # Checked under the attempt's lock, which every save of it holds: no save can land
            # between this check and the write below.
            typed_over_older = _refuse_replacing_newer(
                response, based_on, text, choice, says_prints_nothing
            )
            if response is None:
                response = Response(attempt=attempt, quiz_question=quiz_question)
            response.attempt = attempt  # the locked row, handed back to the caller
            response.answer_text = text
            response.choice = choice
            response.says_prints_nothing = says_prints_nothing
            response.variant = variant
            # The same answer again, typed over an older version, changes nothing, its version
            # included: a page that heard that version is not made stale by a late flush.
            if not typed_over_older:
                response.answered_at = now
            if grade_now:
                grading.grade_response(response, question, quiz_question.points)
            response.save()
            return response
    except AttemptClosed:
        expire_overdue(attempt, now=now)
        raise


def _refuse_replacing_newer(
    response: Response | None,
    based_on: BaseVersion | None,
    text: str,
    choice: Choice | None,
    says_prints_nothing: bool,
) -> bool:
    """Whether the text was typed over an older version than the stored answer's; raises
    AnswerChanged if saving it would replace that answer. The same answer again replaces
    nothing (a reloaded page saving the text a leaving page's flush has just stored): taken."""
    if based_on is None or response is None or not based_on.is_older_than(response.answered_at):
        return False
    same = (
        response.answer_text == text
        and response.choice_id == (choice.pk if choice else None)
        and response.says_prints_nothing == says_prints_nothing
    )
    if same:
        return True
    # Expected now and then (a late keep-alive save, a tab left open); many at once would point
    # at a client that sends wrong versions.
    logger.info(
        "Save refused: attempt %s question %s typed over %s, stored answer of %s",
        response.attempt_id,
        response.quiz_question_id,
        based_on.answered_at,
        response.answered_at,
    )
    raise AnswerChanged(
        "This answer was changed in another tab or window since this text was typed.",
        current=response.answered_at,
    )


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
        from quizzes import versions  # noqa: PLC0415 - versions reads this module's helpers

        graded = []
        # The course pins read once for all the answers (versions.pins_read_once).
        with versions.pins_read_once():
            responses = current.responses.select_related(
                "quiz_question__question", "choice", "variant"
            ).prefetch_related(
                "quiz_question__question__choices",
                "quiz_question__question__known_wrong_answers",
                "variant__stored_keys",  # a variant's keys (variant_services.as_seen)
                # The pinned line's keys, read for every answer at once.
                *versions.grading_keys_prefetches("quiz_question__question"),
            )
            for response in responses:
                if response.graded_key is None:  # not graded at answer time
                    question = variant_services.as_seen(
                        response.quiz_question.question, response.variant
                    )
                    response.choice = variant_services.seen_choice(question, response.choice)
                    grading.grade_response(response, question, points[response.quiz_question_id])
                    graded.append(response)
                score += response.points_awarded or 0
        _write_grades(graded)
        current.score = score
        current.save(update_fields=["submitted_at", "score"])
        return current


def _write_grades(responses: list[Response]) -> None:
    """Store the grades grade_response set on `responses`: one statement sent for all of them
    (executemany). A save() per answer built the same UPDATE again for each of a submit's
    answers, and bulk_update's CASE expression cost more to build than all of those."""
    if not responses:
        return
    fields = [f for f in Response._meta.concrete_fields if f.name in grading.GRADED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    sql = f"UPDATE {quote(Response._meta.db_table)} SET {assignments} WHERE id = %s"
    rows = [
        [field.get_db_prep_save(getattr(response, field.attname), connection) for field in fields]
        + [response.pk]
        for response in responses
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
    # A parameterised question: the variant this try was shown (the practice page draws the same).
    variant = variant_services.practice_variant(user, question)
    question = variant_services.as_seen(question, variant)
    choice = variant_services.seen_choice(question, choice)
    if not grading.is_valid_key(question.answer_key):
        raise InvalidAnswer("This question has no answer key yet; it cannot be graded.")
    text, choice = _validated_answer(question, answer_text, choice, says_prints_nothing)
    correct = grading.is_correct_against(
        question, question.answer_key, answer_text=text, choice=choice
    )
    matched = (
        []
        if correct
        else grading.diagnosed_misconceptions(
            question, question.answer_key, answer_text=text, choice=choice
        )
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
        matched_misconceptions=matched,
        variant=variant,
        answered_at=_now(now),
        choice_seed=choice_order.student_seed(user),
    )


# --- Keeping keys true ------------------------------------------------------------------------


def _key_summary(key: dict) -> str:
    shown = ((key.get("stdout") or "") + (key.get("exception") or "")).strip()
    return f"{key.get('status')} {shown[:60]!r}"


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
        logger.warning("Question %s unpublished: %s", question.slug, " ".join(problems))
    return KeyRefresh(
        ran=ran,
        changed=ran and outcomes_differ(previous, question.answer_key),
        problems=problems,
        unpublished=unpublished,
    )


def attempts_discard(*, quiz: Quiz, usernames: list[str]) -> int:
    """Delete these users' attempts at `quiz` (their responses go with them), so a load
    benchmark's students can start it again; returns how many attempts were deleted."""
    _, deleted = Attempt.objects.filter(quiz=quiz, user__username__in=usernames).delete()
    return deleted.get(Attempt._meta.label, 0)
