"""The question admin with parameters: every variant run by the grader on save, refusals that
name the parameter values, the preview of any variant and the explicit regenerate action."""

import html
import json
import platform

import pytest
from django.urls import reverse

from quizzes import grading, services, variant_services
from quizzes.models import PracticeAnswer, Question, QuestionVariant, StoredKey
from quizzes.variants import enumerate_variants, parse_parameters, spec_digest
from tests.grader.conftest import run_in_cpython
from tests.helpers import question_post

SMALL_INT = "a = {{ n }}\nb = int(str(a))\nprint(a is b)\n"
SMALL_INT_PARAMETERS = {"domains": {"n": [5, 256, 257, 1000]}}
# The grader's default interpreter line; other configured lines have rows of their own
# (tests/quizzes/test_versions.py).
DEFAULT_LINE = ".".join(platform.python_version_tuple()[:2])


@pytest.fixture
def admin_client(client, instructor):
    client.force_login(instructor)
    return client


def add(admin_client, topic, snippet=SMALL_INT, parameters=SMALL_INT_PARAMETERS, **extra):
    data = question_post(
        topic,
        snippet,
        mode=extra.pop("mode", "choice"),
        choices=extra.pop("choices", ["True", "False"]),
        parameters=json.dumps(parameters),
        **{name: value for name, value in extra.items() if name != "follow"},
    )
    url = reverse("admin:quizzes_question_add")
    return admin_client.post(url, data, follow=extra.get("follow", False))


def errors(response) -> str:
    """Every error the admin page shows, as one text."""
    context = response.context
    texts = [str(context["adminform"].form.errors)]
    texts += [str(formset.non_form_errors()) for formset in context["inline_admin_formsets"]]
    return html.unescape(" ".join(texts))


def test_saving_runs_every_variant_and_stores_its_key(admin_client, topic):
    response = add(admin_client, topic)
    assert response.status_code == 302, errors(response)
    question = Question.objects.get(slug="new-question")
    variants = list(question.variants.all())
    assert [v.params for v in variants] == [{"n": 5}, {"n": 256}, {"n": 257}, {"n": 1000}]
    for variant in variants:
        key = StoredKey.objects.get(variant=variant, python=DEFAULT_LINE)
        snippet = variant_services.as_seen(question, variant).snippet
        assert key.source_hash == grading.source_hash(snippet)
        assert key.python == ".".join(key.python_version.split(".")[:2])
        assert key.key_trace is not None
        # The key is the grader's, and equals plain CPython's run of the rendered snippet.
        assert key.answer_key["stdout"] == run_in_cpython(snippet).stdout
    assert [
        StoredKey.objects.get(variant=v, python=DEFAULT_LINE).answer_key["stdout"] for v in variants
    ] == [
        "True\n",
        "True\n",
        "False\n",
        "False\n",
    ]
    assert services.question_problems(question) == []
    assert question.is_published


@pytest.mark.parametrize(
    ("parameters", "snippet", "field", "message"),
    [
        ({"domains": {"n": []}}, SMALL_INT, "parameters", "Parameter n: its domain is empty."),
        (
            {"domains": {"n": [1]}, "constraints": ["__import__('os')"]},
            SMALL_INT,
            "parameters",
            "Call is not allowed",
        ),
        (
            {"domains": {"n": [1]}, "constraints": ["m > 1"]},
            SMALL_INT,
            "parameters",
            "names 'm', which is not a parameter",
        ),
        ({"domains": {"n": [1]}}, "print({{ m }})\n", "snippet", "uses {{ m }}"),
        ({"domains": {"n": [1]}}, "print({{ n + 1 }})\n", "snippet", "is not a placeholder"),
        ({"domains": {"n": {"range": [0, 10**9]}}}, SMALL_INT, "parameters", "more than 1000"),
        ("[1, 2]", SMALL_INT, "parameters", "must be an object"),
    ],
)
def test_bad_parameters_or_placeholders_are_form_errors(
    admin_client, topic, parameters, snippet, field, message
):
    response = add(admin_client, topic, snippet=snippet, parameters=parameters)
    assert response.status_code == 200
    form_errors = response.context["adminform"].form.errors
    assert message in " ".join(form_errors.get(field, [])), form_errors
    assert not Question.objects.filter(slug="new-question").exists()


def test_a_choice_with_an_unknown_placeholder_is_refused(admin_client, topic):
    response = add(admin_client, topic, choices=["{{ x }}", "False"])
    assert response.status_code == 200
    assert "uses {{ x }}, which is not a parameter" in errors(response)


def test_a_variant_without_exactly_one_matching_choice_is_refused_with_its_values(
    admin_client, topic
):
    # With choices "True" and "Nothing", the variants that print False have no match.
    response = add(admin_client, topic, choices=["True", "Nothing"])
    assert response.status_code == 200
    shown = errors(response)
    assert "Variant n=257: Exactly one choice must equal the real outcome; 0 do." in shown
    assert "Variant n=1000" in shown and "Variant n=5:" not in shown


def test_a_variant_the_grader_refuses_is_named(admin_client, topic):
    response = add(
        admin_client,
        topic,
        snippet="x = {{ size }}\nprint(len('a' * x))\n",
        parameters={"domains": {"size": [1, 10**12]}},
        mode="typed",
        choices=[],
    )
    assert response.status_code == 200
    assert "Variant size=1000000000000: the grader refused it" in errors(response)


def test_a_variant_whose_output_varies_is_refused_with_its_values(admin_client, topic):
    snippet = "items = {{ items }}\nprint(list(set(items)))\n"
    parameters = {"domains": {"items": [[1, 2, 3], ["spam", "eggs", "ham", "jam"]]}}
    response = add(
        admin_client, topic, snippet=snippet, parameters=parameters, mode="typed", choices=[]
    )
    assert response.status_code == 200
    shown = errors(response)
    assert "Variant items=['spam', 'eggs', 'ham', 'jam']" in shown
    assert "changes from one run of Python to the next" in shown
    assert "Variant items=[1, 2, 3]" not in shown


def test_the_preview_shows_a_variant_with_its_key(admin_client, topic):
    add(admin_client, topic)
    question = Question.objects.get(slug="new-question")
    change = admin_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert "#2 (n=257)" in change.content.decode()
    page = admin_client.get(reverse("admin:quizzes_question_variant", args=[question.pk, 2]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "257" in text and "{{" not in text
    assert '<pre class="variant-key">False\n</pre>' in text


def test_regenerate_refuses_while_a_student_holds_a_variant_and_then_keeps_it(
    admin_client, topic, student
):
    add(admin_client, topic)
    question = Question.objects.get(slug="new-question")
    given = question.variants.get(index=2)
    changelist = reverse("admin:quizzes_question_changelist")
    action = {"action": "regenerate_variants", "_selected_action": [question.pk]}
    page = admin_client.post(changelist, action, follow=True)
    assert "Variants regenerated: New question (4)" in page.content.decode()
    # A student answered variant #2; the parameters then change so that #2 would change.
    PracticeAnswer.objects.create(
        user=student,
        question=question,
        is_correct=False,
        graded_key={},
        graded_python_version="",
        variant=given,
        answered_at=given.question.created_at,
    )
    Question.objects.filter(pk=question.pk).update(parameters={"domains": {"n": [1, 2]}})
    page = admin_client.post(changelist, action, follow=True)
    assert "Students were given variant(s) #2 (n=257)" in page.content.decode()
    assert QuestionVariant.objects.get(pk=given.pk).params == {"n": 257}


@pytest.mark.django_db(transaction=True)
def test_no_grader_call_runs_inside_a_transaction(client, make_user, topic, grader_calls):
    # A superuser: earlier transactional tests flush the Instructors group its migration made.
    client.force_login(make_user("author", is_staff=True, is_superuser=True))
    assert add(client, topic).status_code == 302
    question = Question.objects.get(slug="new-question")
    client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "regenerate_variants", "_selected_action": [question.pk]},
    )
    services.recompute_question(question, force=True)
    assert question.variants.count() == 4
    assert len(grader_calls) > 12
    assert [call for call in grader_calls if call[1]] == []


def test_recomputing_keeps_the_variant_rows_and_refreshes_their_keys(admin_client, topic):
    add(admin_client, topic)
    question = Question.objects.get(slug="new-question")
    rows = list(question.variants.values_list("pk", "params"))
    StoredKey.objects.filter(variant__question=question).update(source_hash="stale")
    assert services.question_problems(question) != []
    result = services.recompute_question(question)
    assert result.ran and result.problems == []
    assert list(question.variants.values_list("pk", "params")) == rows
    assert services.question_problems(question) == []


def test_removing_the_parameters_drops_unused_variants(admin_client, topic):
    add(admin_client, topic, mode="typed", choices=[])
    question = Question.objects.get(slug="new-question")
    assert question.variants.count() == 4
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    data = question_post(topic, "a = 5\nb = int(str(a))\nprint(a is b)\n", parameters="")
    response = admin_client.post(change, data)
    assert response.status_code == 302, errors(response)
    assert not QuestionVariant.objects.filter(question=question).exists()
    question.refresh_from_db()
    assert question.parameters == {} and services.question_problems(question) == []


def test_over_the_cap_a_stated_number_is_drawn_and_run(admin_client, topic, monkeypatch):
    monkeypatch.setattr("quizzes.variants.VARIANT_CAP", 3)
    parameters = {"domains": {"n": {"range": [250, 262, 2]}}}  # 6 assignments
    response = add(admin_client, topic, parameters=parameters, follow=True)
    assert "3 variant(s) computed by the grader (drawn from 6)." in response.text
    question = Question.objects.get(slug="new-question")
    drawn = [v.params["n"] for v in question.variants.all()]
    assert len(drawn) == 3 and drawn == sorted(drawn)
    assert StoredKey.objects.filter(variant__question=question, python=DEFAULT_LINE).count() == 3
    # Drawn reproducibly: the same parameters always give the same sample.
    again = enumerate_variants(parse_parameters(parameters), seed=spec_digest(parameters))
    assert [values["n"] for values in again.assignments] == drawn


def test_a_catalogue_label_is_checked_in_every_variant_where_its_choice_is_wrong(
    admin_client, topic
):
    """'True' is right for n inside the small-int cache and wrong outside it; its label is
    checked against each variant where it is wrong, with that variant's predictions."""
    right_label = add(
        admin_client, topic, **{"choices-0-misconception": "equal-values-are-one-object"}
    )
    assert right_label.status_code == 302, errors(right_label)
    Question.objects.all().delete()
    wrong_label = add(
        admin_client, topic, slug="other", **{"choices-0-misconception": "assignment-copies"}
    )
    assert wrong_label.status_code == 200
    shown = errors(wrong_label)
    for n in (257, 1000):  # where 'True' is wrong; inside the cache it is the right answer
        assert f"Variant n={n}: The choice 'True' is labelled 'assignment-copies'" in shown
    assert "Variant n=5:" not in shown and "Variant n=256:" not in shown
