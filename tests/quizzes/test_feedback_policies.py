"""Feedback policies come from one registry: every stored policy has a module, and the rules
the site applies (which quizzes guard keys, which grade on save) are the modules' own."""

from datetime import timedelta

import pytest
from django.urls import reverse

from content.guards import DEFERRED_POLICIES
from quizzes import feedback_policies
from quizzes.models import Attempt, Quiz
from tests.helpers import right_answer_data, save_answer, start_quiz

INTERFACE = (
    "LABEL",
    "GRADES_ON_SAVE",
    "DEFERRED",
    "NEEDS_CLOSING_TIME",
    "SCORE_WITHHELD_NOTE",
    "attempt_feedback_visible",
    "response_feedback_visible",
)


def test_every_policy_a_quiz_can_store_has_a_module():
    assert set(feedback_policies.POLICIES) == set(Quiz.FeedbackPolicy.values)
    for value in Quiz.FeedbackPolicy.values:
        module = feedback_policies.policy(value)
        for name in ("DEFERRED", "GRADES_ON_SAVE"):
            assert isinstance(getattr(module, name), bool), (value, name)
        assert callable(module.attempt_feedback_visible)
        assert callable(module.response_feedback_visible)


def test_the_deferred_policies_are_those_that_hold_answers_back():
    assert set(DEFERRED_POLICIES) == {
        Quiz.FeedbackPolicy.AFTER_SUBMIT,
        Quiz.FeedbackPolicy.AFTER_CLOSE,
    }
    assert feedback_policies.policy(Quiz.FeedbackPolicy.AFTER_EACH_ANSWER).GRADES_ON_SAVE


def test_every_policy_module_defines_the_whole_interface_and_the_field_reads_it():
    for value in feedback_policies.POLICIES:
        module = feedback_policies.policy(value)
        assert all(hasattr(module, name) for name in INTERFACE), value
    field = Quiz._meta.get_field("feedback_policy")
    assert dict(field.choices) == dict(Quiz.FeedbackPolicy.choices)


@pytest.mark.django_db
def test_a_policy_registered_in_one_module_decides_what_the_pages_show(
    client, logged_in, make_quiz, typed_question, monkeypatch
):
    monkeypatch.setitem(
        feedback_policies.POLICIES, "after_a_day", "tests.quizzes.toy_feedback_policy"
    )
    quiz = make_quiz([typed_question], feedback_policy="after_a_day")
    assert quiz.get_feedback_policy_display() == "A day after submitting"
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()
    take = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert "data-checked-on-save" not in take.text  # GRADES_ON_SAVE is the policy's
    save_answer(client, attempt, entry, right_answer_data(entry))
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    result_url = reverse("attempt_result", args=[attempt.pk])

    hidden = client.get(result_url)
    assert not hidden.context["visible"] and "Score:" not in hidden.text
    assert typed_question.explanation not in hidden.text
    assert "a day after you submit" in client.get(reverse("attempt_list")).text

    submitted = Attempt.objects.get().submitted_at
    Attempt.objects.update(submitted_at=submitted - timedelta(days=1, seconds=1))
    shown = client.get(result_url)
    assert shown.context["visible"] and "Score: <strong>1 / 1</strong>" in shown.text
