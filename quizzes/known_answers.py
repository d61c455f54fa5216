"""Known wrong answers of typed questions (models.KnownWrongAnswer): whether a set of them may be
stored with a question's key.

A choice question labels its choices; a typed question has no choices, so the wrong outputs its
students are known to give are kept as known wrong answers, each with the misconception behind
it. A typed answer equals one by the grading rule (grading.known_wrong_labels: answer_matches
with the known wrong answer standing in for the key); a catalogue label must be what that
misconception predicts (the same check as a choice's label, misconceptions.contradicted_label).
Nothing here runs the grader.
"""

from collections.abc import Iterable

from quizzes.grading import answer_matches, expected_text, is_valid_key
from quizzes.misconceptions import contradicted_label
from quizzes.models import KnownWrongAnswer, Question

ONLY_TYPED = (
    "Only a typed question keeps known wrong answers; a choice question labels its choices "
    "instead. Remove them, or make the question typed."
)


def text(answer: KnownWrongAnswer) -> str:
    """The known wrong answer as a student would type it."""
    return expected_text(answer.outcome)


def problems(
    answer_mode: str,
    key: dict | None,
    predictions: dict | None,
    answers: Iterable[KnownWrongAnswer],
) -> list[str]:
    """Why these known wrong answers cannot be kept with a question of `answer_mode` whose
    snippet has the outcome `key` (empty when they can): only a typed question keeps them, none
    may be the real outcome, and each catalogue label must be its misconception's prediction."""
    answers = list(answers)
    if not answers:
        return []
    if answer_mode != Question.AnswerMode.TYPED:
        return [ONLY_TYPED]
    if not is_valid_key(key):
        return []  # the snippet itself was refused; the question form says so
    found = []
    for answer in answers:
        written = text(answer)
        if answer_matches(written, key):
            found.append(
                f"The known wrong answer {written!r} is the real outcome, not a wrong answer."
            )
            continue
        contradiction = contradicted_label(key, predictions, answer.misconception.strip(), written)
        if contradiction:
            found.append(f"The known wrong answer {written!r} {contradiction}")
    return found
