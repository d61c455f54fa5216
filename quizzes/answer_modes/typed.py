"""Type the output: the typed text is compared with the real outcome, line by line."""

from django import forms

from quizzes import diff, grading
from quizzes.answer_modes import AnswerRefused, no_question_context
from quizzes.grading import answer_matches

LABEL = "Type the output"
ANSWER_TEMPLATE = "quizzes/answer_modes/typed_answer.html"
FEEDBACK_TEMPLATE = None
# validated() stores the typed text as it came: the question as seen is not read.
STORES_SEEN_TEXT = False
question_context = no_question_context

# A blank typed answer is ambiguous (forgotten, or "prints nothing"?), so saying nothing is printed
# is an explicit choice of its own (AnswerForm's "The program prints nothing").
BLANK_TYPED_ANSWER = "Type what it prints, or tick “The program prints nothing”."
TEXT_AND_PRINTS_NOTHING = (
    "You ticked “The program prints nothing” and typed an output: clear the text or untick the box."
)


def validated(question, *, answer_text, choice, says_prints_nothing):
    """The typed text as stored: empty when the student says the program prints nothing, which
    grades like the empty output it claims (grading.answer_matches("", key))."""
    if choice is not None:
        raise AnswerRefused("This question takes a typed answer, not a choice.")
    if says_prints_nothing:
        if answer_text.strip():
            raise AnswerRefused(TEXT_AND_PRINTS_NOTHING)
        return "", None
    if not answer_text.strip():
        raise AnswerRefused(BLANK_TYPED_ANSWER)
    return answer_text, None


def is_correct(question, key, *, answer_text, choice) -> bool:
    return answer_matches(answer_text, key)


def choice_problems(key, choices) -> list[str]:
    return ["A typed-answer question has no choices; remove them."] if choices else []


def form_fields(question, *, choice_seed) -> dict:
    from quizzes.services import MAX_ANSWER_CHARS

    return {
        "answer_text": forms.CharField(
            # Leading spaces can be part of an output, so the answer is kept as typed.
            strip=False,
            # Blank is allowed here only with "prints nothing" ticked; see form_errors.
            required=False,
            max_length=MAX_ANSWER_CHARS,
            label="What does it print?",
            help_text="Type the output exactly, one line per printed line. If it ends with "
            "an uncaught exception, put the exception last, e.g. TypeError. If it prints "
            "nothing, tick the box below.",
            widget=forms.Textarea(
                attrs={"rows": 5, "spellcheck": "false", "class": "font-monospace"}
            ),
        ),
        "prints_nothing": forms.BooleanField(required=False, label="The program prints nothing"),
    }


def form_errors(cleaned_data: dict) -> dict[str, str]:
    if "answer_text" not in cleaned_data:
        return {}
    text = cleaned_data["answer_text"]
    if cleaned_data.get("prints_nothing") and text.strip():
        return {"answer_text": TEXT_AND_PRINTS_NOTHING}
    if not cleaned_data.get("prints_nothing") and not text.strip():
        return {"answer_text": BLANK_TYPED_ANSWER}
    return {}


def feedback_parts(question, answer, key, *, choice_seed) -> dict:
    """Where a wrong typed answer first differs from the key; none for any other answer (one
    that says "prints nothing" is shown as such, and the real output beside it says the rest)."""
    if (
        answer is None
        or answer.is_correct is not False
        or answer.says_prints_nothing
        or not grading.is_valid_key(key)
    ):
        return {}
    return {"difference": diff.first_difference(answer.answer_text, key)}
