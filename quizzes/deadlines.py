"""When an attempt must end: the quiz's current closing time and time limit, never a stale copy.

An attempt stores the deadline computed when it started, but an instructor may move the quiz's
closing time or change its time limit while attempts are open. If open attempts kept their old
deadline, a student could go on answering a quiz that already counts as closed, while those who
submitted already see its keys. So every check uses effective_deadline(), which never lets an
attempt outlive its quiz's current closing time, and follow_quiz_times() moves the stored
deadline of every open attempt (earlier or later) when the quiz's times change.

A student's times for a quiz (opening, closing, time limit, attempts) come from one function,
quiz_times(): the quiz's own, or those a course, its section and an accommodation give that
student (quizzes.hooks; the courses app installs them). Rules, services, selectors and pages
all read the times through it.
"""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from quizzes import hooks
from quizzes.hooks import QuizTimes
from quizzes.models import Attempt, Quiz

logger = logging.getLogger(__name__)


def load_times(quizzes, user_id: int | None) -> None:
    """Load the user's times for all `quizzes` at once (a fixed number of queries), so that
    quiz_times() on any of them costs none."""
    missing = [quiz for quiz in quizzes if user_id not in _memo(quiz)]
    if missing:
        found = hooks.installed().times_for(missing, user_id)
        for quiz in missing:
            _memo(quiz)[user_id] = found[quiz.pk]


def quiz_times(quiz: Quiz, user_id: int | None) -> QuizTimes:
    """The times of `quiz` for the user `user_id`: the one place they are decided. Kept on the
    loaded quiz row, so a request asks once per quiz and user."""
    load_times([quiz], user_id)
    return _memo(quiz)[user_id]


def forget_times(quiz: Quiz) -> None:
    """Drop the times kept on this loaded row (after they changed)."""
    quiz.__dict__.pop("_times_by_user", None)


def _memo(quiz: Quiz) -> dict:
    return quiz.__dict__.setdefault("_times_by_user", {})


def quiz_deadline(quiz: Quiz, started_at: datetime, user_id: int | None) -> datetime | None:
    """The deadline of the user's attempt started at `started_at` under their current times:
    the time limit or the closing time, whichever comes first (never before the start)."""
    times = quiz_times(quiz, user_id)
    candidates = [times.closes_at] if times.closes_at else []
    if times.time_limit_minutes:
        candidates.append(started_at + timedelta(minutes=times.time_limit_minutes))
    return max(min(candidates), started_at) if candidates else None


def effective_deadline(attempt: Attempt) -> datetime | None:
    """The attempt's deadline, capped by the student's current closing time: a quiz closed
    earlier closes its open attempts at once, whatever path changed its times."""
    closes_at = quiz_times(attempt.quiz, attempt.user_id).closes_at
    candidates = [d for d in (attempt.deadline, closes_at) if d is not None]
    return max(min(candidates), attempt.started_at) if candidates else None


def follow_quiz_times(
    quiz: Quiz, *, now: datetime | None = None, user_ids: list[int] | None = None
) -> int:
    """Give every open attempt of `quiz` (of `user_ids` only, when given) the deadline its
    student's current times make; returns how many moved. Attempts already past their deadline
    are left to expire (they are over: a later closing time does not reopen them)."""
    now = now or timezone.now()
    moved = 0
    forget_times(quiz)
    open_attempts = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=True)
    if user_ids is not None:
        open_attempts = open_attempts.filter(user_id__in=user_ids)
    for attempt in open_attempts:
        attempt.quiz = quiz
        current = effective_deadline(attempt)
        if current is not None and now >= current:
            continue
        deadline = quiz_deadline(quiz, attempt.started_at, attempt.user_id)
        if deadline != attempt.deadline:
            Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
                deadline=deadline
            )
            moved += 1
    if moved:
        logger.info("Quiz %s: moved the deadline of %d open attempt(s)", quiz.slug, moved)
    return moved
