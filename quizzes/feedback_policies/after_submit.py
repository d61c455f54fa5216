"""Feedback after submitting: the whole attempt's results once it is submitted."""

GRADES_ON_SAVE = False  # an answer is graded (and final) as soon as it is saved
DEFERRED = True
LABEL = "After submitting"
NEEDS_CLOSING_TIME = False
SCORE_WITHHELD_NOTE = ""


def attempt_feedback_visible(attempt, now) -> bool:
    return attempt.submitted_at is not None


def response_feedback_visible(response, now) -> bool:
    return attempt_feedback_visible(response.attempt, now)
