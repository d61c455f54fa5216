"""Feedback policies: when a quiz's answers (verdicts, keys, explanations) may show.

One module per policy, named in POLICIES and imported when first used. Each module defines:

- GRADES_ON_SAVE: bool -- whether a saved answer is graded at once (and is then final);
- DEFERRED: bool -- whether the policy holds answers back after an answer is saved; a deferred
  quiz guards its questions' keys on every other page (quizzes.selectors' key rule);
- attempt_feedback_visible(attempt, now) -> bool -- for a submitted attempt, whether its
  results may show at `now`;
- response_feedback_visible(response, now) -> bool -- whether one answer's result may show;
- LABEL: str -- the policy's name for instructors ("After submitting");
- NEEDS_CLOSING_TIME: bool -- whether a quiz with this policy must have a closing time (its
  feedback waits for it);
- SCORE_WITHHELD_NOTE: str -- when a submitted attempt's score will show, said in its place
  while this policy withholds it ("" when only another quiz's guard can withhold it).

Adding a policy: its module here and its line in POLICIES; Quiz.feedback_policy's choices,
the admin's and the fixture loader's checks, and the attempt pages read it from here.
"""

from functools import cache
from importlib import import_module
from types import ModuleType

POLICIES = {
    "each_answer": "quizzes.feedback_policies.each_answer",
    "after_submit": "quizzes.feedback_policies.after_submit",
    "after_close": "quizzes.feedback_policies.after_close",
}


def policy(value: str) -> ModuleType:
    """The module of the feedback policy stored as `value` (Quiz.feedback_policy)."""
    return _module(POLICIES[value])


@cache
def _module(path: str) -> ModuleType:
    return import_module(path)


def choices() -> list[tuple[str, str]]:
    """Quiz.feedback_policy's choices: every registered policy, by its label."""
    return [(value, policy(value).LABEL) for value in POLICIES]


def deferred_policies() -> tuple[str, ...]:
    return tuple(value for value in POLICIES if policy(value).DEFERRED)
