"""Type the output: the typed text is compared with the real outcome, line by line."""

from quizzes.answer_modes import AnswerRefused
from quizzes.grading import answer_matches

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
