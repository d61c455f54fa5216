"""Choices from misconception predictions per variant (issue 18 §1): a `{{ predicted }}` choice of
a parameterised choice question shows, in each variant, what its label predicts for that
variant's snippet (grader.simulate's run, stored with the variant's key); a variant where the
label predicts the real output is refused with its values; students answer and are diagnosed
with the variant's prediction."""

import html
import json

import pytest
from django.urls import reverse

import grader
from quizzes import grading, services, variant_services
from quizzes.models import AttemptVariant, Choice, Question, Quiz, Response
from quizzes.predicted_choices import PREDICTED
from tests.helpers import question_post

pytestmark = pytest.mark.django_db

SNIPPET = "a = [{{ n }}]\nb = a\nb.append(1)\nprint(a)\n"
PARAMETERS = {"domains": {"n": [5, 7]}}


def add(client, topic, label: str):
    data = question_post(
        topic,
        SNIPPET,
        mode="choice",
        choices=["[{{ n }}, 1]", PREDICTED, "[1]"],
        parameters=json.dumps(PARAMETERS),
        **{
            "choices-1-misconception": label,
            "choices-2-misconception": "append replaces what the list held",
        },
    )
    return client.post(reverse("admin:quizzes_question_add"), data)


def errors(response) -> str:
    context = response.context
    texts = [str(context["adminform"].form.errors)]
    texts += [str(formset.non_form_errors()) for formset in context["inline_admin_formsets"]]
    return html.unescape(" ".join(texts))


def test_each_variant_shows_its_own_prediction_as_the_choice(client, instructor, topic):
    client.force_login(instructor)
    response = add(client, topic, "assignment-copies")
    assert response.status_code == 302, errors(response)
    question = Question.objects.get(slug="new-question")
    assert services.question_problems(question) == []
    shown = []
    for variant in question.variants.all():
        seen = variant_services.as_seen(question, variant)
        predicted = grader.simulate(seen.snippet, "assignment-copies").to_dict()
        texts = [choice.text for choice in seen.choices.all()]
        assert texts[1] == grading.expected_text(predicted).removesuffix("\n")
        assert not grading.answer_matches(texts[1], seen.answer_key)
        shown.append(texts[1])
    assert len(set(shown)) == 2  # one prediction per variant
    preview = client.get(reverse("admin:quizzes_question_variant", args=[question.pk, 1])).text
    assert html.escape(shown[1]) in preview and "{{" not in preview


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("is-compares-values", "labelled 'is-compares-values' has nothing to show"),
        ("", "label it with a misconception of the catalogue"),
    ],
)
def test_a_variant_where_the_label_predicts_nothing_else_is_refused(
    client, instructor, topic, label, message
):
    client.force_login(instructor)
    response = add(client, topic, label)
    assert response.status_code == 200
    shown = errors(response)
    for n in (5, 7):
        assert f"Variant n={n}: The choice {PREDICTED}" in shown
    assert message in shown
    assert not Question.objects.exists()


def test_a_student_choosing_the_prediction_is_diagnosed_with_it(
    client, instructor, topic, student, make_quiz
):
    client.force_login(instructor)
    assert add(client, topic, "assignment-copies").status_code == 302
    question = Question.objects.get(slug="new-question")
    quiz = make_quiz([question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = quiz.quiz_questions.get()
    variant = AttemptVariant.objects.get(attempt=attempt).variant
    predicted = question.choices.get(text=PREDICTED)
    services.save_answer(attempt=attempt, quiz_question=entry, choice=predicted)
    response = Response.objects.get(attempt=attempt)
    assert (response.is_correct, response.matched_misconceptions) == (False, ["assignment-copies"])
    seen = variant_services.as_seen(question, variant)
    assert response.answer_text == next(c.text for c in seen.choices.all() if c.pk == predicted.pk)
    client.force_login(student)
    page = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert "{{" not in page and html.escape(response.answer_text) in page


def test_one_click_adds_a_predicted_choice_to_a_parameterised_question(client, instructor, topic):
    client.force_login(instructor)
    assert add(client, topic, "assignment-copies").status_code == 302
    question = Question.objects.get(slug="new-question")
    Choice.objects.filter(question=question, text=PREDICTED).delete()
    added = services.choice_add_predicted(question=question, misconception="assignment-copies")
    assert (added.text, added.misconception) == (PREDICTED, "assignment-copies")
    assert services.question_problems(question) == []
    with pytest.raises(services.InvalidAnswer, match="already shows"):
        services.choice_add_predicted(question=question, misconception="assignment-copies")
    with pytest.raises(services.InvalidAnswer, match="Variant n=5: .* nothing to show"):
        services.choice_add_predicted(question=question, misconception="is-compares-values")
