"""Choose the output: exactly one of the question's choices equals the real outcome."""

from quizzes import choice_order
from quizzes.answer_modes import (
    AnswerRefused,
    no_form_errors,
    no_question_context,
    refuse_prints_nothing,
)
from quizzes.grading import answer_matches, expected_text, matching_choices

LABEL = "Choose the output"
ANSWER_TEMPLATE = "quizzes/answer_modes/choice_answer.html"
FEEDBACK_TEMPLATE = None
# validated() stores the chosen choice's text, which a variant renders: it needs the
# question as the student saw it.
STORES_SEEN_TEXT = True
form_errors = no_form_errors
question_context = no_question_context


def validated(question, *, answer_text, choice, says_prints_nothing):
    refuse_prints_nothing(says_prints_nothing)
    if choice is None or choice.question_id != question.pk:
        raise AnswerRefused("Choose one of the question's choices.")
    # The text is kept so the answer survives later edits of the choices.
    return choice.text, choice


def is_correct(question, key, *, answer_text, choice) -> bool:
    return (
        choice is not None
        and choice.question_id == question.pk
        and answer_matches(choice.text, key)
    )


def choice_problems(key, choices) -> list[str]:
    if len(choices) < 2:
        return [f"A choice question needs at least two choices; it has {len(choices)}."]
    matches = matching_choices(choices, key)
    if len(matches) != 1:
        return [
            f"Exactly one choice must equal the real outcome; {len(matches)} do. "
            f"The real outcome is:\n{expected_text(key)}"
        ]
    return []


def form_fields(question, *, choice_seed) -> dict:
    from django import forms

    from quizzes.forms import OutputChoiceField

    choices = question.choices.all()
    return {
        "choice": OutputChoiceField(
            queryset=choices,
            shown=choice_order.shuffled(choices, seed=choice_seed, question_id=question.pk),
            widget=forms.RadioSelect,
            empty_label=None,
            label="Which output does it produce?",
            error_messages={"invalid_choice": "Choose one of the outputs listed."},
        )
    }


def feedback_parts(question, answer, key, *, choice_seed) -> dict:
    """The choices in the order the student saw them, the right one(s) marked."""
    from quizzes.presentation import choices_seen

    seen = choices_seen(question, key, getattr(answer, "choice", None), choice_seed)
    return {"choices": seen, "right_choices": [entry.choice for entry in seen if entry.is_right]}
