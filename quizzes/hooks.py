"""The one narrow hook through which an app beside quizzes (courses) narrows what a student sees
and gives a student their own times for a quiz. quizzes never imports that app: it installs its
hooks at start-up (AppConfig.ready) with `install`; without it every student has the quiz's own
times, sees every published quiz and practises every topic, as before courses existed.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db.models import QuerySet


@dataclass(frozen=True)
class QuizTimes:
    """One student's times for one quiz: the quiz's own, or those their course, section and
    accommodation give them."""

    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: float | None  # a multiplier may make it fractional
    max_attempts: int | None  # None: unlimited
    # When feedback "after the quiz closes" may show: after the last closing time any student
    # has (a later section or an extended closing time keeps everybody's keys back).
    feedback_after: datetime | None


class CourseHooks(Protocol):
    def times_for(self, quizzes: list, user_id: int | None) -> dict[int, QuizTimes]:
        """Each quiz's times for the user, by quiz id, in a fixed number of queries."""
        ...

    def visible_quizzes(self, user, quizzes: QuerySet) -> QuerySet:
        """Of `quizzes`, those `user` may see and take."""
        ...

    def practice_topic_ids(self, user) -> set[int] | None:
        """The topics `user` practises; None: every topic."""
        ...

    def attempts_seen_by(self, user, attempts: QuerySet) -> QuerySet:
        """Of `attempts`, those whose results the instructor `user` may see."""
        ...


class QuizOwnTimes:
    """No courses: every student has the quiz's own times, sees every quiz and topic."""

    def times_for(self, quizzes: list, user_id: int | None) -> dict[int, QuizTimes]:
        return {quiz.pk: own_times(quiz) for quiz in quizzes}

    def visible_quizzes(self, user, quizzes: QuerySet) -> QuerySet:
        return quizzes

    def practice_topic_ids(self, user) -> set[int] | None:
        return None

    def attempts_seen_by(self, user, attempts: QuerySet) -> QuerySet:
        return attempts


def own_times(quiz) -> QuizTimes:
    return QuizTimes(
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        time_limit_minutes=quiz.time_limit_minutes,
        max_attempts=quiz.max_attempts,
        feedback_after=quiz.closes_at,
    )


_installed: CourseHooks = QuizOwnTimes()


def install(hooks: CourseHooks) -> None:
    global _installed
    _installed = hooks


def installed() -> CourseHooks:
    return _installed
