"""Answer modes: how a question is answered, checked, graded and shown.

One module per mode, named in MODES and imported when first used; Question.answer_mode's
choices are read from here (`choices`), so adding a mode touches its module and its line in
MODES, nothing else. Each module defines:

- LABEL: str -- the mode's name for instructors and students ("Type the output");
- validated(question, *, answer_text, choice, says_prints_nothing) -> (text, choice): the
  answer as stored, or raises AnswerRefused with the message the student sees;
- is_correct(question, key, *, answer_text, choice) -> bool: the grading rule against a key;
- choice_problems(key, choices) -> list[str]: why the question's choices cannot be graded;
- form_fields(question, *, choice_seed) -> {name: form field}: the answer form's fields, named
  answer_text (cleaned to a str), choice (a Choice) or prints_nothing (a bool), the names
  AnswerForm.service_kwargs hands to the services;
- form_errors(cleaned_data) -> {field name: message}: checks across the fields;
- question_context(question) -> dict: what a question page shows before any answer, beyond the
  prompt and snippet (a true/false question's claim);
- feedback_parts(question, answer, key, *, choice_seed) -> dict: the mode's fields of
  presentation.Feedback (right_choices, choices, claim_is_true, difference);
- ANSWER_TEMPLATE: the template (a name, or a Template) that shows a stored answer's text;
- FEEDBACK_TEMPLATE: a template shown in the feedback after the real output, or None.
- STORES_SEEN_TEXT: whether validated() stores text of the question as the student saw it (a
  choice's text, which a parameterised question's variant renders): only then does saving an
  answer that is not graded at once render the variant.
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


def mode(value: str) -> ModuleType:
    """The module of the answer mode stored as `value` (Question.answer_mode)."""
    try:
        return _module(MODES[value])
    except KeyError:
        raise ValueError(f"unknown answer mode {value!r}") from None


@cache
def _module(path: str) -> ModuleType:
    return import_module(path)


def choices() -> list[tuple[str, str]]:
    """Question.answer_mode's choices: every registered mode, by its label."""
    return [(value, mode(value).LABEL) for value in MODES]


def no_form_errors(cleaned_data: dict) -> dict[str, str]:
    return {}


def no_question_context(question) -> dict:
    return {}


def refuse_prints_nothing(says_prints_nothing: bool) -> None:
    if says_prints_nothing:
        raise AnswerRefused("Only a typed answer can say that the program prints nothing.")
