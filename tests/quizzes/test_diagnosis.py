"""Students: a wrong answer equal to a misconception's prediction names the belief, shows the
rule and links the concept page; every graded answer records the ids it matched (issue 16 §4).

The wrong answers are the predictions themselves, read from grader.simulate, never typed."""

import pytest
from django.urls import reverse

import grader
from content.models import ConceptPage
from quizzes import grading
from quizzes.models import PracticeAnswer, Question, Response
from tests.helpers import ALIASING_SNIPPET, save_answer, start_quiz

pytestmark = pytest.mark.django_db

BELIEF = grader.MISCONCEPTIONS["assignment-copies"]


def predicted(misconception: str, snippet: str = ALIASING_SNIPPET) -> str:
    return grading.expected_text(grader.simulate(snippet, misconception).to_dict())


@pytest.fixture
def concept_page(topic):
    return ConceptPage.objects.create(
        topic=topic, slug=BELIEF.page, title="Call by sharing", body="Names and objects."
    )


def practise(client, question, **data):
    client.post(reverse("practice_question", args=[question.pk]), data)
    practice = PracticeAnswer.objects.latest("pk")
    page = client.get(reverse("practice_feedback", args=[practice.pk])).text
    return practice, page


def test_a_typed_prediction_names_the_belief_the_rule_and_the_page(
    client, logged_in, typed_question, concept_page
):
    practice, page = practise(client, typed_question, answer_text=predicted("assignment-copies"))
    assert not practice.is_correct
    assert practice.matched_misconceptions == ["assignment-copies"]
    assert "You answered what Python would print if" in page
    assert "It doesn&#x27;t:" in page or "It doesn't:" in page
    assert "<code>b = a</code> binds a second name to the same object" in page
    assert f'href="{concept_page.get_absolute_url()}"' in page


def test_an_answer_matching_two_predictions_names_both(client, logged_in, make_question):
    snippet = "a = [1]\nb = a\nb += [2]\nprint(a)\n"
    question = make_question(snippet)
    both = predicted("assignment-copies", snippet)
    assert both == predicted("augmented-assignment-rebinds", snippet)
    practice, page = practise(client, question, answer_text=both)
    assert practice.matched_misconceptions == [
        "assignment-copies",
        "augmented-assignment-rebinds",
    ]
    assert page.count('class="misconception-diagnosis') == 2


def test_other_wrong_answers_and_right_ones_are_not_diagnosed(client, logged_in, typed_question):
    practice, page = practise(client, typed_question, answer_text="something else")
    assert practice.matched_misconceptions == [] and "misconception-diagnosis" not in page
    right = grading.expected_text(typed_question.answer_key)
    practice, page = practise(client, typed_question, answer_text=right)
    assert practice.is_correct and practice.matched_misconceptions == []
    assert "misconception-diagnosis" not in page


def test_a_chosen_prediction_is_diagnosed_and_its_catalogue_label_reads_as_the_belief(
    client, logged_in, choice_question
):
    [wrong] = [
        choice
        for choice in choice_question.choices.all()
        if grading.answer_matches(
            choice.text, grader.simulate(ALIASING_SNIPPET, "assignment-copies").to_dict()
        )
    ]
    wrong.misconception = "assignment-copies"
    wrong.save()
    practice, page = practise(client, choice_question, choice=wrong.pk)
    assert practice.matched_misconceptions == ["assignment-copies"]
    assert 'data-misconception="assignment-copies"' in page
    assert "what you would expect if assignment copies the object" in page
    assert "what you would expect if assignment-copies" not in page


def test_a_true_false_answer_calling_a_predicted_claim_true_is_diagnosed(
    client, logged_in, make_question
):
    question = make_question(
        ALIASING_SNIPPET,
        mode=Question.AnswerMode.TRUE_FALSE,
        choices=lambda key: [predicted("assignment-copies")],
    )
    practice, _ = practise(client, question, answer_text="true")
    assert not practice.is_correct and practice.matched_misconceptions == ["assignment-copies"]
    practice, _ = practise(client, question, answer_text="false")
    assert practice.is_correct and practice.matched_misconceptions == []


def test_quiz_responses_record_their_matches_and_show_them_only_with_feedback(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question])  # feedback after submitting
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    save_answer(
        client, attempt, entry, {f"q{entry.pk}-answer_text": predicted("assignment-copies")}
    )
    page = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert "misconception-diagnosis" not in page  # no feedback before submitting
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    response = Response.objects.get(attempt=attempt)
    assert response.is_correct is False
    assert response.matched_misconceptions == ["assignment-copies"]
    result = client.get(reverse("attempt_result", args=[attempt.pk])).text
    assert 'data-misconception="assignment-copies"' in result


def test_a_key_changed_since_grading_diagnoses_nothing(typed_question):
    old_key = {**typed_question.answer_key, "stdout": "something older\n"}
    assert (
        grading.diagnosed_misconceptions(
            typed_question, old_key, answer_text=predicted("assignment-copies")
        )
        == []
    )


def test_practice_feedback_offers_another_question_on_the_same_misconception(
    client, logged_in, typed_question, make_question
):
    other = make_question("x = [0]\ny = x\ny.append(1)\nprint(x)\n", slug="another-alias")
    unrelated = make_question("print(len([1, 2]))\n", slug="unrelated")
    assert "assignment-copies" in other.key_predictions and not unrelated.key_predictions
    _, page = practise(client, typed_question, answer_text=predicted("assignment-copies"))
    assert reverse("practice_question", args=[other.pk]) in page
    assert "practice-same-misconception" in page
    _, page = practise(client, typed_question, answer_text="something else")
    assert "practice-same-misconception" not in page
