"""True or false: the student judges one claim ("this snippet prints <the claim>")."""

from django import forms

from quizzes import grading
from quizzes.answer_modes import AnswerRefused, no_form_errors, refuse_prints_nothing
from quizzes.grading import FALSE, TRUE, true_false_answer

LABEL = "True or false"
ANSWER_TEMPLATE = "quizzes/answer_modes/true_false_answer.html"
FEEDBACK_TEMPLATE = None
# validated() stores "true" or "false": the question as seen is not read.
STORES_SEEN_TEXT = False
TRUE_FALSE_CHOICES = [(TRUE, "True"), (FALSE, "False")]
form_errors = no_form_errors


def validated(question, *, answer_text, choice, says_prints_nothing):
    refuse_prints_nothing(says_prints_nothing)
    value = answer_text.strip().lower()
    if value not in (TRUE, FALSE) or choice is not None:
        raise AnswerRefused('Answer "true" or "false".')
    return value, None


def is_correct(question, key, *, answer_text, choice) -> bool:
    claims = list(question.choices.all())
    if len(claims) != 1:
        return False
    return answer_text.strip().lower() == true_false_answer(claims[0], key)


def choice_problems(key, choices) -> list[str]:
    if len(choices) != 1:
        return [f"A true/false question needs exactly one claim; it has {len(choices)}."]
    return []


def form_fields(question, *, choice_seed) -> dict:
    return {
        "answer_text": forms.ChoiceField(
            choices=TRUE_FALSE_CHOICES,
            widget=forms.RadioSelect,
            label="Is the claim true?",
            error_messages={"invalid_choice": "Answer True or False."},
        )
    }


def question_context(question) -> dict:
    """The claim the student judges, shown with the question."""
    return {"claim": question.choices.first()}


def feedback_parts(question, answer, key, *, choice_seed) -> dict:
    claim = question.choices.first()
    return {"claim_is_true": claim is not None and grading.answer_matches(claim.text, key)}
