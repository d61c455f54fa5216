"""Answer modes: how a question is answered, checked and graded.

One module per mode, named in MODES and imported when first used. Each module defines:

- validated(question, *, answer_text, choice, says_prints_nothing) -> (text, choice): the
  answer as stored, or raises AnswerRefused with the message the student sees;
- is_correct(question, key, *, answer_text, choice) -> bool: the grading rule against a key;
- choice_problems(key, choices) -> list[str]: why the question's choices cannot be graded.

Adding a mode: a Question.AnswerMode choice, its module here, and its line in MODES (the
answer form's field and the feedback template still branch on the mode: quizzes/forms.py,
templates/quizzes/_your_answer.html).
"""

from functools import cache
from importlib import import_module
from types import ModuleType

MODES = {
    "typed": "quizzes.answer_modes.typed",
    "choice": "quizzes.answer_modes.choice",
    "true_false": "quizzes.answer_modes.true_false",
}


class AnswerRefused(Exception):
    """The answer does not fit the question's mode; `message` is shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@cache
def mode(value: str) -> ModuleType:
    """The module of the answer mode stored as `value` (Question.answer_mode)."""
    try:
        return import_module(MODES[value])
    except KeyError:
        raise ValueError(f"unknown answer mode {value!r}") from None


def refuse_prints_nothing(says_prints_nothing: bool) -> None:
    if says_prints_nothing:
        raise AnswerRefused("Only a typed answer can say that the program prints nothing.")
