"""The grading rules: pure comparisons of an answer with a stored answer key.

A key is the grader's outcome as a dict (grader.Outcome.to_dict()). Nothing here runs the
sandbox: grading on the request path only compares text with the stored key.
"""

import hashlib
from collections.abc import Iterable
from typing import TypeGuard

import grader
from grader.constants import COMPLETED_STATUSES
from quizzes import answer_modes
from quizzes.models import Choice, KnownWrongAnswer, Question

VALID_KEY_STATUSES = COMPLETED_STATUSES
TRUE, FALSE = "true", "false"


def source_hash(source: str) -> str:
    """Identifies the source a key or an output was computed from."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def is_valid_key(key: dict | None) -> TypeGuard[dict]:
    """Only a snippet that ran to the end or raised an exception has an outcome to predict."""
    return bool(key) and key.get("status") in VALID_KEY_STATUSES


def expected_text(key: dict) -> str:
    """What the snippet shows: its output, then the exception's last traceback line if it raised.

    The exception starts on its own line even when the output did not end with a newline,
    since CPython's traceback goes to stderr and students read it as a separate line.
    """
    stdout = key.get("stdout") or ""
    exception = key.get("exception")
    if not exception:
        return stdout
    if stdout and not stdout.endswith("\n"):
        stdout += "\n"
    return stdout + exception + "\n"


def normalise(text: str) -> list[str]:
    """Lines without trailing whitespace, without trailing blank lines; any newline convention."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def exception_type(exception_line: str) -> str:
    """`TypeError` for "TypeError: unhashable type: 'list'"."""
    return exception_line.split(":", 1)[0].strip()


def answer_matches(answer: str, key: dict) -> bool:
    """A typed answer (or a choice's text) equals the key's outcome under the published rules."""
    answer_lines = normalise(answer)
    stdout_lines = normalise(key.get("stdout") or "")
    exception = key.get("exception")
    if not exception:
        return answer_lines == stdout_lines
    exception_lines = normalise(exception)
    if answer_lines == stdout_lines + exception_lines:
        return True
    # The message is optional: the last line may name just the exception type.
    return answer_lines == stdout_lines + [exception_type(exception)]


def _choices_of(question_or_choices: Question | Iterable[Choice]) -> list[Choice]:
    if isinstance(question_or_choices, Question):
        return list(question_or_choices.choices.all())
    return list(question_or_choices)


def matching_choices(question_or_choices: Question | Iterable[Choice], key: dict) -> list[Choice]:
    """The choices whose text equals the real outcome."""
    return [c for c in _choices_of(question_or_choices) if answer_matches(c.text, key)]


def true_false_answer(claim: Choice, key: dict) -> str:
    """The right answer to the claim "this snippet prints <claim.text>"."""
    return TRUE if answer_matches(claim.text, key) else FALSE


def is_correct_against(
    question: Question, key: dict, *, answer_text: str = "", choice: Choice | None = None
) -> bool:
    """Grade one answer to `question` against `key` (a stored or previously graded key)."""
    rule = answer_modes.mode(question.answer_mode)
    return rule.is_correct(question, key, answer_text=answer_text, choice=choice)


def is_correct(question: Question, *, answer_text: str = "", choice: Choice | None = None) -> bool:
    """Grade one answer against the question's stored key."""
    if not is_valid_key(question.answer_key):
        raise ValueError(f"question {question.slug!r} has no valid answer key")
    return is_correct_against(question, question.answer_key, answer_text=answer_text, choice=choice)


def choice_problems(mode: str, key: dict, choices: Iterable[Choice]) -> list[str]:
    """Why these choices cannot be graded against `key` (empty when they can)."""
    try:
        rule = answer_modes.mode(mode)
    except ValueError:
        return [f"Unknown answer mode {mode!r}."]
    return rule.choice_problems(key, list(choices))


def prediction_differs(key: dict, predicted: dict) -> bool:
    """Whether a misconception's prediction (a stored outcome) shows something other than the
    key: a prediction the grader could not run to the end shows nothing a student could write."""
    return is_valid_key(predicted) and normalise(expected_text(predicted)) != normalise(
        expected_text(key)
    )


def diagnosed_misconceptions(
    question: Question, key: dict | None, *, answer_text: str = "", choice: Choice | None = None
) -> list[str]:
    """The misconception ids whose prediction a wrong answer equals (Question.key_predictions,
    stored with the key): the student answered what Python would show if that belief were true.
    A true/false answer is diagnosed when it calls a false claim true. Empty for predictions of
    another key than `key` (the snippet changed since the answer was graded).
    A typed answer is also diagnosed with the labels outside the catalogue of the question's
    known wrong answers it equals (models.KnownWrongAnswer; one query unless prefetched)."""
    if not is_valid_key(key) or not _same_outcome(key, question.answer_key):
        return []
    answered = _answered_output(question, answer_text, choice)
    if answered is None:
        return []
    matched = [
        misconception
        for misconception, predicted in (question.key_predictions or {}).items()
        if prediction_differs(key, predicted) and answer_matches(answered, predicted)
    ]
    if question.answer_mode == Question.AnswerMode.TYPED:
        known = known_wrong_labels(question.known_wrong_answers.all(), answered)
        matched += [label for label in known if label not in matched]
    return matched


def known_wrong_labels(answers: Iterable[KnownWrongAnswer], answered: str) -> list[str]:
    """The labels outside the catalogue of the known wrong answers `answered` equals, each once,
    in stored order. A catalogue id is left to its stored prediction, which diagnoses the same
    answers and is recomputed with the key: a known wrong answer labelled with it may have gone
    stale since (a changed snippet, another Python), and would then name a belief the answer
    does not show."""
    labels: list[str] = []
    for answer in answers:
        label = answer.misconception.strip()
        if not label or label in labels or label in grader.MISCONCEPTIONS:
            continue
        if answer_matches(answered, answer.outcome):
            labels.append(label)
    return labels


def _same_outcome(key: dict, other: dict | None) -> bool:
    other = other or {}
    return all(key.get(field) == other.get(field) for field in ("status", "stdout", "exception"))


def _answered_output(question: Question, answer_text: str, choice: Choice | None) -> str | None:
    """The output an answer says the snippet shows (None: it says none in particular)."""
    if question.answer_mode == Question.AnswerMode.TYPED:
        return answer_text
    if question.answer_mode == Question.AnswerMode.CHOICE:
        return choice.text if choice is not None else None
    claim = question.choices.first()
    return claim.text if claim is not None and answer_text.strip().lower() == TRUE else None


# What grade_response sets on a response: the fields to write after it.
GRADED_FIELDS = [
    "is_correct",
    "points_awarded",
    "matched_misconceptions",
    "graded_key",
    "graded_python_version",
]


def grade_response(response, question: Question, points: int) -> None:
    """Grade `response` against the question's current key on the line its course (or the site)
    pins (quizzes/versions.py), in memory (the caller saves it, or, for a read, only shows it),
    recording that key and its Python version on the response."""
    from quizzes import versions  # noqa: PLC0415 - versions reads grading's helpers

    key, python_version = versions.grading_key(question, response.attempt.quiz_id)
    if not is_valid_key(key):
        # An ungradable question (its key broke) earns nothing, and says so: is_correct None.
        response.is_correct = None
        response.points_awarded = 0
    else:
        correct = is_correct_against(
            question, key, answer_text=response.answer_text, choice=response.choice
        )
        response.is_correct = correct
        response.points_awarded = points if correct else 0
    response.matched_misconceptions = (
        diagnosed_misconceptions(
            question, key, answer_text=response.answer_text, choice=response.choice
        )
        if response.is_correct is False
        else []
    )
    response.graded_key = key
    response.graded_python_version = python_version
