"""Answer modes come from one registry: every mode a question can store has a module with its
form fields, validation, grading rule, choice checks and feedback; a new mode is one module and
its registry line (the toy mode below, registered by a test alone)."""

import pytest
from django.urls import reverse

from quizzes import answer_modes, services
from quizzes.models import PracticeAnswer, Question

INTERFACE = (
    "LABEL",
    "validated",
    "is_correct",
    "choice_problems",
    "form_fields",
    "form_errors",
    "question_context",
    "feedback_parts",
    "ANSWER_TEMPLATE",
    "FEEDBACK_TEMPLATE",
    "STORES_SEEN_TEXT",
)


def test_every_mode_a_question_can_store_has_a_module():
    assert set(answer_modes.MODES) == set(Question.AnswerMode.values)
    for value in Question.AnswerMode.values:
        module = answer_modes.mode(value)
        for name in ("validated", "is_correct", "choice_problems"):
            assert callable(getattr(module, name)), (value, name)


def test_an_unknown_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown answer mode 'essay'"):
        answer_modes.mode("essay")


def test_every_mode_module_defines_the_whole_interface():
    for value in answer_modes.MODES:
        module = answer_modes.mode(value)
        for name in INTERFACE:
            assert hasattr(module, name), (value, name)
        assert isinstance(module.LABEL, str) and module.LABEL


def test_the_fields_choices_are_the_registry():
    field = Question._meta.get_field("answer_mode")
    registry = [(value, answer_modes.mode(value).LABEL) for value in answer_modes.MODES]
    assert field.choices == registry
    assert dict(field.choices) == dict(Question.AnswerMode.choices)


@pytest.fixture
def toy_mode(monkeypatch):
    """The toy mode (tests/quizzes/toy_answer_mode.py), registered for one test."""
    monkeypatch.setitem(answer_modes.MODES, "toy", "tests.quizzes.toy_answer_mode")
    return "toy"


TWO_LINES = "items = [1, 2]\nprint(items)\nprint(len(items))\n"


def test_a_mode_registered_in_one_module_is_answered_graded_and_shown_end_to_end(
    client, logged_in, make_question, toy_mode
):
    question = make_question(TWO_LINES, mode=toy_mode)
    assert services.question_problems(question) == []
    assert question.get_answer_mode_display() == "Count the lines"
    url = reverse("practice_question", args=[question.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "How many lines does it print?" in page.text
    assert 'type="number"' in page.text and 'name="answer_text"' in page.text

    refused = client.post(url, {"answer_text": "two"})
    assert refused.status_code == 400
    assert "Enter a whole number." in refused.text

    wrong = client.post(url, {"answer_text": "3"}, follow=True)
    assert PracticeAnswer.objects.get().is_correct is False
    assert '<p class="your-answer toy-answer">3 lines</p>' in wrong.text
    assert '<p class="toy-feedback">It prints 2 line(s).</p>' in wrong.text
    assert "Not quite" in wrong.text

    right = client.post(url, {"answer_text": "2"}, follow=True)
    assert PracticeAnswer.objects.latest("pk").is_correct is True
    assert '<p class="your-answer toy-answer">2 lines</p>' in right.text
    assert "Right" in right.text


def test_a_mode_registered_in_one_module_checks_its_choices(make_question, toy_mode):
    question = make_question(TWO_LINES, mode=toy_mode, choices=["2"])
    assert services.question_problems(question) == ["A line-count question has no choices."]
