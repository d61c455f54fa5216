"""A toy feedback policy, registered only by tests/quizzes/test_feedback_policies.py: results
show a day after submitting. One module (and its registry line) is all a policy needs."""

from datetime import timedelta

LABEL = "A day after submitting"
GRADES_ON_SAVE = False
DEFERRED = True
NEEDS_CLOSING_TIME = False
SCORE_WITHHELD_NOTE = "a day after you submit"


def attempt_feedback_visible(attempt, now) -> bool:
    submitted = attempt.submitted_at
    return submitted is not None and now >= submitted + timedelta(days=1)


def response_feedback_visible(response, now) -> bool:
    return attempt_feedback_visible(response.attempt, now)
