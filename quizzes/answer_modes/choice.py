"""Choose the output: exactly one of the question's choices equals the real outcome."""

from quizzes.answer_modes import AnswerRefused, refuse_prints_nothing
from quizzes.grading import answer_matches, expected_text, matching_choices


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
