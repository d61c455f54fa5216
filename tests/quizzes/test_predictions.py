"""Misconception predictions stored with the key (issue 16 §2) and checked labels in the admin
(§3). Predictions come from grader.simulate, never typed here."""

import pytest
from django.urls import reverse

import grader
from content import runs
from quizzes import misconceptions, services
from quizzes.grading import expected_text
from quizzes.models import Question
from tests.helpers import ALIASING_SNIPPET, REJECTED_SNIPPET, question_post

pytestmark = pytest.mark.django_db

ADD_QUESTION = reverse("admin:quizzes_question_add")
# `b = a` and `a is b`: assignment-copies and both `is` beliefs change what it prints.
APPLICABLE = {"assignment-copies", "is-compares-values", "equal-values-are-one-object"}


def simulated_text(snippet: str, misconception: str) -> str:
    return expected_text(grader.simulate(snippet, misconception).to_dict())


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


# --- §2: stored beside the key --------------------------------------------------------------


def test_the_key_is_stored_with_each_applicable_misconceptions_prediction(typed_question):
    predictions = typed_question.key_predictions
    assert set(predictions) == set(grader.applicable_misconceptions(ALIASING_SNIPPET))
    assert set(predictions) == APPLICABLE
    for misconception, predicted in predictions.items():
        assert expected_text(predicted) == simulated_text(ALIASING_SNIPPET, misconception)


def test_a_refused_snippet_has_no_predictions(make_question):
    question = make_question(REJECTED_SNIPPET, published=False)
    assert question.key_predictions is None


def test_predictions_are_recomputed_with_the_key(typed_question):
    typed_question.snippet = "a = [1]\nb = a[:]\nprint(a is b)\n"
    typed_question.save()
    assert services.refresh_answer_key(typed_question)
    typed_question.refresh_from_db()
    assert set(typed_question.key_predictions) == {
        "is-compares-values",
        "equal-values-are-one-object",
        "shallow-copy-is-deep",
    }


def test_a_key_stored_before_predictions_existed_is_stale(typed_question):
    Question.objects.filter(pk=typed_question.pk).update(key_predictions=None)
    typed_question.refresh_from_db()
    assert not services.key_is_current(typed_question)
    assert services.refresh_answer_key(typed_question)
    typed_question.refresh_from_db()
    assert set(typed_question.key_predictions) == APPLICABLE
    assert services.key_is_current(typed_question)


def test_no_prediction_is_computed_on_the_request_path(
    client, logged_in, typed_question, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("grader.simulate ran while serving a request")

    monkeypatch.setattr(grader, "simulate", refuse)
    monkeypatch.setattr(grader, "predict_misconceptions", refuse)
    url = reverse("practice_question", args=[typed_question.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"answer_text": "[1, 2, 3]\nFalse"})
    assert response.status_code in (200, 302)


def test_predict_snippet_runs_only_the_applicable_ids():
    snippet = "x = [[0]] * 2\nx[0].append(1)\nprint(x)\n"
    predictions = runs.predict_snippet(snippet, grader.run(snippet).to_dict())
    assert list(predictions) == ["repetition-copies-elements"]
    simulated = grader.simulate(snippet, "repetition-copies-elements")
    assert predictions["repetition-copies-elements"]["stdout"] == simulated.stdout


def test_no_predictions_when_nothing_applies():
    snippet = "print(len([1, 2]))\n"
    assert runs.predict_snippet(snippet, grader.run(snippet).to_dict()) == {}


# --- §3: the admin shows predictions and checks catalogue labels ------------------------------


def _labelled_post(topic, snippet, choices):
    data = question_post(topic, snippet, mode="choice", choices=[text for text, _ in choices])
    for index, (_, label) in enumerate(choices):
        data[f"choices-{index}-misconception"] = label
    return data


def test_change_form_shows_each_differing_prediction(instructor_client, choice_question):
    url = reverse("admin:quizzes_question_change", args=[choice_question.pk])
    page = instructor_client.get(url).content.decode()
    for prediction in misconceptions.differing_predictions(
        choice_question.answer_key, choice_question.key_predictions
    ):
        assert prediction.misconception in page
        assert prediction.text.splitlines()[0] in page
    assert "assignment-copies" in page


def test_a_catalogue_label_must_be_that_misconceptions_prediction(instructor_client, topic):
    right = expected_text(grader.run(ALIASING_SNIPPET).to_dict())
    predicted = simulated_text(ALIASING_SNIPPET, "assignment-copies")
    wrong_label = _labelled_post(
        topic,
        ALIASING_SNIPPET,
        [(right, ""), (predicted, "is-compares-values"), ("[1]\nTrue", "assignment-copies")],
    )
    response = instructor_client.post(ADD_QUESTION, wrong_label)
    assert response.status_code == 200
    formset, _known_wrong_answers = response.context["inline_admin_formsets"]
    errors = " ".join(formset.formset.non_form_errors())
    assert "'is-compares-values'" in errors and "'assignment-copies'" in errors
    is_predicted = simulated_text(ALIASING_SNIPPET, "is-compares-values")
    assert repr(is_predicted) in errors  # the prediction is shown
    assert not Question.objects.exists()

    right_labels = _labelled_post(
        topic,
        ALIASING_SNIPPET,
        [(right, ""), (predicted, "assignment-copies"), ("something else", "a free text label")],
    )
    response = instructor_client.post(ADD_QUESTION, right_labels)
    assert response.status_code == 302
    question = Question.objects.get()
    page = instructor_client.get(
        reverse("admin:quizzes_question_change", args=[question.pk])
    ).content.decode()
    assert "Unchecked labels" in page and "a free text label" in page


def test_a_label_for_a_misconception_that_changes_nothing_is_refused(instructor_client, topic):
    right = expected_text(grader.run(ALIASING_SNIPPET).to_dict())
    data = _labelled_post(
        topic, ALIASING_SNIPPET, [(right, ""), ("[1, 2]\nTrue", "del-destroys-object")]
    )
    response = instructor_client.post(ADD_QUESTION, data)
    formset, _known_wrong_answers = response.context["inline_admin_formsets"]
    assert "changes nothing here" in " ".join(formset.formset.non_form_errors())


def add_predicted_url(question, misconception):
    return reverse("admin:quizzes_question_add_predicted_choice", args=[question.pk, misconception])


def test_one_click_adds_a_prediction_as_a_labelled_choice(instructor_client, make_question):
    question = make_question(
        ALIASING_SNIPPET,
        mode=Question.AnswerMode.CHOICE,
        choices=lambda key: [expected_text(key), "something else"],
    )
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    url = add_predicted_url(question, "assignment-copies")
    assert url in instructor_client.get(change).text
    assert instructor_client.get(url).status_code == 405
    response = instructor_client.post(url)
    assert response.status_code == 302 and response["Location"] == change
    added = question.choices.get(misconception="assignment-copies")
    assert grader_answer_matches(added.text, "assignment-copies")
    assert services.question_problems(question) == []
    page = instructor_client.get(instructor_client.post(url)["Location"]).text
    assert "already shows what" in page
    assert question.choices.filter(misconception="assignment-copies").count() == 1
    for unfit in ("del-destroys-object", "no-such-id"):
        page = instructor_client.get(
            instructor_client.post(add_predicted_url(question, unfit))["Location"]
        ).text
        assert "predicts no output other than the real one" in page
    assert question.choices.count() == 3


def grader_answer_matches(text: str, misconception: str) -> bool:
    from quizzes.grading import answer_matches

    return answer_matches(text, grader.simulate(ALIASING_SNIPPET, misconception).to_dict())


def test_predicted_choices_refuse_what_does_not_fit(instructor_client, typed_question, client):
    for misconception in ("del-destroys-object", "no-such-id"):
        url = add_predicted_url(typed_question, misconception)
        page = instructor_client.get(instructor_client.post(url)["Location"]).text
        assert "Only a choice question" in page
    assert not typed_question.choices.exists()
    client.logout()
    url = add_predicted_url(typed_question, "assignment-copies")
    assert client.post(url)["Location"].startswith(reverse("admin:login"))


def test_change_form_says_when_no_misconception_predicts_another_output(
    instructor_client, make_question
):
    question = make_question("print(len([1, 2]))\n")
    page = instructor_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert page.status_code == 200
    assert "No misconception in the catalogue predicts another output here." in page.text
