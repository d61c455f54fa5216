"""Feedback policies: when a quiz's answers (verdicts, keys, explanations) may show.

One module per policy, named in POLICIES and imported when first used. Each module defines:

- GRADES_ON_SAVE: bool -- whether a saved answer is graded at once (and is then final);
- DEFERRED: bool -- whether the policy holds answers back after an answer is saved; a deferred
  quiz guards its questions' keys on every other page (quizzes.selectors' key rule);
- attempt_feedback_visible(attempt, now) -> bool -- for a submitted attempt, whether its
  results may show at `now`;
- response_feedback_visible(response, now) -> bool -- whether one answer's result may show.

Adding a policy: a Quiz.FeedbackPolicy choice, its module here, and its line in POLICIES.
"""

from functools import cache
from importlib import import_module
from types import ModuleType

POLICIES = {
    "each_answer": "quizzes.feedback_policies.each_answer",
    "after_submit": "quizzes.feedback_policies.after_submit",
    "after_close": "quizzes.feedback_policies.after_close",
}


@cache
def policy(value: str) -> ModuleType:
    """The module of the feedback policy stored as `value` (Quiz.feedback_policy)."""
    return import_module(POLICIES[value])


def deferred_policies() -> tuple[str, ...]:
    return tuple(value for value in POLICIES if policy(value).DEFERRED)
