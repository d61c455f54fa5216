"""Answer modes come from one registry: every mode a question can store has a module with its
validation, grading rule and choice checks."""

import pytest

from quizzes import answer_modes
from quizzes.models import Question


def test_every_mode_a_question_can_store_has_a_module():
    assert set(answer_modes.MODES) == set(Question.AnswerMode.values)
    for value in Question.AnswerMode.values:
        module = answer_modes.mode(value)
        for name in ("validated", "is_correct", "choice_problems"):
            assert callable(getattr(module, name)), (value, name)


def test_an_unknown_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown answer mode 'essay'"):
        answer_modes.mode("essay")
