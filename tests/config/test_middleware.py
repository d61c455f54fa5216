"""A NUL character anywhere in a request's address or form data is a 400 before any view runs.
On PostgreSQL a NUL compared with a text column raised DataError (a 500) in admin filters,
searches and autocomplete; `make test-postgres` runs this file there too."""

import pytest
from django.urls import reverse

from quizzes.models import PracticeAnswer, Quiz

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "app_label=quizzes&model_name=quizquestion&field_name=question"


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    return client


def test_nul_in_an_admin_filter_search_or_autocomplete_is_a_400(superuser_client, quiz):
    quizzes = reverse("admin:quizzes_quiz_changelist")
    for url in [
        f"{quizzes}?slug=%00",
        f"{quizzes}?feedback_policy__exact=a%00",
        f"{quizzes}?q=a%00b",
        f"{reverse('admin:autocomplete')}?{AUTOCOMPLETE}&term=%00",
        f"{reverse('admin:quizzes_quiz_change', args=[quiz.pk])}?_changelist_filters=slug%3D%00",
    ]:
        assert superuser_client.get(url).status_code == 400, url
    assert superuser_client.get(f"{quizzes}?slug={quiz.slug}").status_code == 200


def test_nul_in_form_data_is_a_400_and_changes_nothing(superuser_client, quiz, typed_question):
    change = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    response = superuser_client.post(change, {"title": "New\x00title", "slug": quiz.slug})
    assert response.status_code == 400
    assert Quiz.objects.get(pk=quiz.pk).title == quiz.title
    practice = reverse("practice_question", args=[typed_question.pk])
    assert superuser_client.post(practice, {"answer_text": "\x00"}).status_code == 400
    assert superuser_client.post(practice, {"answer\x00": "x"}).status_code == 400
    assert not PracticeAnswer.objects.exists()


def test_nul_in_the_path_is_a_400(client):
    assert client.get("/concepts/a%00b/").status_code == 400
    assert client.get("/concepts/").status_code == 200
