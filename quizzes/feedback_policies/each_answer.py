"""Feedback after each answer: an answer's result shows once it is graded (then it is final)."""

GRADES_ON_SAVE = True  # an answer is graded (and final) as soon as it is saved
DEFERRED = False
LABEL = "After each answer"
NEEDS_CLOSING_TIME = False
SCORE_WITHHELD_NOTE = ""


def attempt_feedback_visible(attempt, now) -> bool:
    return attempt.submitted_at is not None


def response_feedback_visible(response, now) -> bool:
    return response.graded_key is not None or attempt_feedback_visible(response.attempt, now)
