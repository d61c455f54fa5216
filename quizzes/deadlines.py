"""When an attempt must end: the quiz's current closing time and time limit, never a stale copy.

An attempt stores the deadline computed when it started, but an instructor may move the quiz's
closing time or change its time limit while attempts are open. If open attempts kept their old
deadline, a student could go on answering a quiz that already counts as closed, while those who
submitted already see its keys. So every check uses effective_deadline(), which never lets an
attempt outlive its quiz's current closing time, and follow_quiz_times() moves the stored
deadline of every open attempt (earlier or later) when the quiz's times change.
"""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from quizzes.models import Attempt, Quiz

logger = logging.getLogger(__name__)


def quiz_deadline(quiz: Quiz, started_at: datetime) -> datetime | None:
    """The deadline of an attempt started at `started_at` under the quiz's current times: its
    time limit or its closing time, whichever comes first (never before the start)."""
    candidates = [quiz.closes_at] if quiz.closes_at else []
    if quiz.time_limit_minutes:
        candidates.append(started_at + timedelta(minutes=quiz.time_limit_minutes))
    return max(min(candidates), started_at) if candidates else None


def effective_deadline(attempt: Attempt) -> datetime | None:
    """The attempt's deadline, capped by the quiz's current closing time: a quiz closed earlier
    closes its open attempts at once, whatever path changed its times."""
    candidates = [d for d in (attempt.deadline, attempt.quiz.closes_at) if d is not None]
    return max(min(candidates), attempt.started_at) if candidates else None


def follow_quiz_times(quiz: Quiz, *, now: datetime | None = None) -> int:
    """Give every open attempt of `quiz` the deadline the quiz's current times make; returns how
    many moved. Attempts already past their deadline are left to expire (they are over: a later
    closing time does not reopen them)."""
    now = now or timezone.now()
    moved = 0
    open_attempts = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=True)
    for attempt in open_attempts.select_related("quiz"):
        attempt.quiz = quiz
        current = effective_deadline(attempt)
        if current is not None and now >= current:
            continue
        deadline = quiz_deadline(quiz, attempt.started_at)
        if deadline != attempt.deadline:
            Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
                deadline=deadline
            )
            moved += 1
    if moved:
        logger.info("Quiz %s: moved the deadline of %d open attempt(s)", quiz.slug, moved)
    return moved
