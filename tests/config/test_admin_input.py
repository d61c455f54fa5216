"""Admin input that names no row (an action's selection that is no id, an id too large for
the column, an inline's invalid related id) is a 400 or a form error, for every admin model."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from config.admin_input import CheckedAutocompleteFields, InputCheckingAdmin
from content.models import Topic
from quizzes.models import Question, Quiz, QuizQuestion

pytestmark = pytest.mark.django_db

NOT_IDS = ["abc", "\x00", "1,2,3", "", "1.5", "99999999999999999999", "-99999999999999999999"]
HUGE = "99999999999999999999"


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    return client


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("value", NOT_IDS, ids=repr)
def test_an_action_on_a_selection_that_is_no_id_is_a_400(superuser_client, quiz, value):
    """Every registered model, each action: the selection is checked before the action runs.
    Out-of-range numbers are ids no row can have: 400 as well."""
    tried = set()
    for model, model_admin in admin.site._registry.items():
        request = superuser_client.get(changelist(model)).wsgi_request
        for action in model_admin.get_actions(request):  # none for read-only Attempt
            tried.add(model)
            data = {"action": action, "_selected_action": [value], "index": 0}
            response = superuser_client.post(changelist(model), data)
            assert response.status_code == 400, (model, action, response.status_code)
            confirmed = superuser_client.post(changelist(model), data | {"post": "yes"})
            assert confirmed.status_code == 400, (model, action)
    # Read-only, so without actions: Attempt and courses' GradeChange (a history of grades).
    assert len(tried) == len(admin.site._registry) - 2
    assert Quiz.objects.count() == 1 and Question.objects.count() == 2


def test_an_action_on_real_ids_still_runs(superuser_client, quiz):
    other = Topic.objects.create(slug="spare", title="Spare")
    data = {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}
    assert superuser_client.post(changelist(Topic), data).status_code == 302
    assert not Topic.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("value", [v for v in NOT_IDS if "\x00" not in v], ids=repr)
def test_an_inline_with_an_invalid_related_id_is_a_form_error(  # NUL: see test_middleware
    superuser_client, quiz, typed_question, value
):
    data = {
        "title": quiz.title,
        "slug": quiz.slug,
        "feedback_policy": quiz.feedback_policy,
        "max_attempts": 2,
        "quiz_questions-TOTAL_FORMS": 1,
        "quiz_questions-INITIAL_FORMS": 0,
        "quiz_questions-MIN_NUM_FORMS": 0,
        "quiz_questions-MAX_NUM_FORMS": 1000,
        "quiz_questions-0-order": 5,
        "quiz_questions-0-question": value,
        "quiz_questions-0-points": 1,
    }
    response = superuser_client.post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[0]["question"], errors
    assert QuizQuestion.objects.filter(quiz=quiz).count() == 2


@pytest.mark.parametrize("value", [HUGE, "abc"])
def test_a_list_editable_row_with_an_invalid_id_is_not_a_500(superuser_client, topic, value):
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-id": value,
        "form-0-order": 7,
        "_save": "Save",
    }
    response = superuser_client.post(changelist(Topic), data)
    assert response.status_code == 200  # the changelist again, with the formset's error
    topic.refresh_from_db()
    assert topic.order != 7


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "abc"])
def test_a_multiple_choice_with_an_invalid_id_is_a_form_error(superuser_client, value):
    """Group permissions: ModelMultipleChoiceField checks its values with `pk__in`."""
    response = superuser_client.post(
        reverse("admin:auth_group_add"), {"name": "Editors", "permissions": [value]}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["permissions"]
    assert not Group.objects.filter(name="Editors").exists()


def test_an_empty_to_field_parameter_means_the_primary_key(superuser_client, quiz):
    for page in ("change", "delete", "history"):
        url = reverse(f"admin:quizzes_quiz_{page}", args=[quiz.pk]) + "?_to_field="
        assert superuser_client.get(url).status_code == 200, page
    delete = reverse("admin:quizzes_quiz_delete", args=["abc"]) + "?_to_field="
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 302  # no such quiz
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_every_registered_admin_and_its_inlines_check_their_input(superuser_client):
    request = superuser_client.get(reverse("admin:index")).wsgi_request
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, InputCheckingAdmin), model_admin
        for inline in model_admin.get_inline_instances(request):
            assert isinstance(inline, CheckedAutocompleteFields), inline
