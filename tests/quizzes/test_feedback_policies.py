"""Feedback policies come from one registry: every stored policy has a module, and the rules
the site applies (which quizzes guard keys, which grade on save) are the modules' own."""

from content.guards import DEFERRED_POLICIES
from quizzes import feedback_policies
from quizzes.models import Quiz


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
