"""Feedback after the quiz closes: nobody sees answers while anyone may still take it (a later
section or an extended closing time included: deadlines.quiz_times' feedback_after)."""

from quizzes.deadlines import quiz_times

GRADES_ON_SAVE = False  # an answer is graded (and final) as soon as it is saved
DEFERRED = True
LABEL = "After the quiz closes"
NEEDS_CLOSING_TIME = True
SCORE_WITHHELD_NOTE = "after the quiz closes"


def attempt_feedback_visible(attempt, now) -> bool:
    closes_at = quiz_times(attempt.quiz, attempt.user_id).feedback_after
    return attempt.submitted_at is not None and closes_at is not None and now >= closes_at


def response_feedback_visible(response, now) -> bool:
    return attempt_feedback_visible(response.attempt, now)
