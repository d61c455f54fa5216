"""True or false: the student judges one claim ("this snippet prints <the claim>")."""

from quizzes.answer_modes import AnswerRefused, refuse_prints_nothing
from quizzes.grading import FALSE, TRUE, true_false_answer


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
