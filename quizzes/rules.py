"""The assessment's rules about time and feedback, decided from loaded rows alone: no query of
their own, no write. Services enforce them when state changes; selectors and views use them
to show the state as it stands."""

from datetime import datetime

from django.utils import timezone

from quizzes import feedback_policies
from quizzes.deadlines import effective_deadline, quiz_times
from quizzes.models import Attempt, Quiz, Response


def quiz_state(quiz: Quiz, now: datetime, *, user_id: int | None) -> str:
    """ "not_open", "open" or "closed" at `now`, by the user's times (deadlines.quiz_times)."""
    times = quiz_times(quiz, user_id)
    if times.opens_at and now < times.opens_at:
        return "not_open"
    if times.closes_at and now >= times.closes_at:
        return "closed"
    return "open"


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    deadline = effective_deadline(attempt)
    return deadline is not None and now >= deadline


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
    rule = feedback_policies.policy(attempt.quiz.feedback_policy)
    return rule.attempt_feedback_visible(attempt, now or timezone.now())


def response_feedback_visible(*, response: Response, now: datetime | None = None) -> bool:
    """Whether this one response's result may show (with feedback after each answer: once
    answered)."""
    rule = feedback_policies.policy(response.attempt.quiz.feedback_policy)
    return rule.response_feedback_visible(response, now or timezone.now())
