"""A toy answer mode, registered only by tests/quizzes/test_answer_modes.py: "How many lines does
it print?". It shows that one module (and its registry line) is all a new mode needs: form
field, validation, grading rule, choice checks, the question page, the stored answer and its
feedback."""

from django import forms
from django.template import Template

from quizzes import grading
from quizzes.answer_modes import AnswerRefused, no_form_errors, refuse_prints_nothing

LABEL = "Count the lines"
ANSWER_TEMPLATE = Template('<p class="your-answer toy-answer">{{ response.answer_text }} lines</p>')
FEEDBACK_TEMPLATE = Template(
    '<p class="toy-feedback">It prints {{ feedback.mode_parts.lines }} line(s).</p>'
)
form_errors = no_form_errors
STORES_SEEN_TEXT = False  # a number of lines, whatever the variant


def lines_printed(key: dict) -> int:
    return len(grading.expected_text(key).splitlines())


def validated(question, *, answer_text, choice, says_prints_nothing):
    refuse_prints_nothing(says_prints_nothing)
    if choice is not None or not str(answer_text).strip().isdigit():
        raise AnswerRefused("Give the number of lines it prints.")
    return str(int(answer_text)), None


def is_correct(question, key, *, answer_text, choice) -> bool:
    return answer_text.strip().isdigit() and int(answer_text) == lines_printed(key)


def choice_problems(key, choices) -> list[str]:
    return ["A line-count question has no choices."] if choices else []


def form_fields(question, *, choice_seed) -> dict:
    return {
        "answer_text": forms.RegexField(
            r"^\d{1,6}$",
            widget=forms.NumberInput(attrs={"min": 0}),
            label="How many lines does it print?",
            error_messages={"invalid": "Enter a whole number."},
        )
    }


def question_context(question) -> dict:
    return {}


def feedback_parts(question, answer, key, *, choice_seed) -> dict:
    return {"mode_parts": {"lines": lines_printed(key)}}
