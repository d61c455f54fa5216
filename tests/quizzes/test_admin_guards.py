"""The admin warns instructors when content would let a guarded key out: a question in quizzes
with different feedback policies, a guarded question's snippet on a concept page."""

import pytest
from django.urls import reverse

from content.guards import SnippetOnPage, policy_conflicts
from quizzes.models import Quiz
from tests.helpers import RAISING_SNIPPET, question_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def quiz_post(question, *, slug="checkpoint", policy="after_submit") -> dict:
    return {
        "title": slug.title(),
        "slug": slug,
        "description": "",
        "max_attempts": 1,
        "feedback_policy": policy,
        "is_published": "on",
        "quiz_questions-TOTAL_FORMS": 1,
        "quiz_questions-INITIAL_FORMS": 0,
        "quiz_questions-0-order": 1,
        "quiz_questions-0-question": question.pk,
        "quiz_questions-0-points": 1,
        "_save": "Save",
    }


def warnings(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_saving_a_quiz_warns_about_questions_under_another_feedback_policy(
    instructor_client, make_quiz, typed_question
):
    make_quiz(
        [typed_question],
        slug="practice",
        title="Practice",
        feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER,
    )
    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_post(typed_question), follow=True
    )
    checkpoint = Quiz.objects.get(slug="checkpoint")
    [conflict] = policy_conflicts(checkpoint)
    assert conflict.message() in warnings(response)
    change = instructor_client.get(reverse("admin:quizzes_quiz_change", args=[checkpoint.pk]))
    assert 'class="feedback-conflict"' in change.text and "Practice" in change.text


def test_a_quiz_without_conflicts_saves_without_warnings(instructor_client, typed_question):
    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_post(typed_question), follow=True
    )
    assert warnings(response) == []


@pytest.fixture
def page_post(topic):
    return {
        "topic": topic.pk,
        "slug": "keys",
        "title": "Keys",
        "order": 0,
        "body": f"A list as a key:\n\n```python\n{RAISING_SNIPPET}```\n",
        "is_published": "on",
        "_save": "Save",
    }


def test_saving_a_page_that_shows_a_guarded_snippet_warns(
    instructor_client, make_quiz, raising_question, page_post
):
    make_quiz([raising_question], slug="checkpoint")
    response = instructor_client.post(
        reverse("admin:content_conceptpage_add"), page_post, follow=True
    )
    leak = SnippetOnPage(question=raising_question.slug, page="keys", block=1)
    assert leak.message() in warnings(response)


def test_putting_a_question_shown_on_a_page_into_a_checkpoint_warns(
    instructor_client, raising_question, page_post
):
    instructor_client.post(reverse("admin:content_conceptpage_add"), page_post)
    leak = SnippetOnPage(question=raising_question.slug, page="keys", block=1)
    # A practice quiz shows the output after each answer anyway: no warning.
    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"),
        quiz_post(raising_question, slug="practice", policy="each_answer"),
        follow=True,
    )
    assert leak.message() not in warnings(response)
    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_post(raising_question), follow=True
    )
    assert leak.message() in warnings(response)


def test_editing_a_guarded_questions_snippet_into_a_pages_warns(
    instructor_client, make_quiz, typed_question, page_post
):
    instructor_client.post(reverse("admin:content_conceptpage_add"), page_post)
    make_quiz([typed_question], slug="checkpoint")
    data = question_post(typed_question.topic, RAISING_SNIPPET, slug=typed_question.slug)
    url = reverse("admin:quizzes_question_change", args=[typed_question.pk])
    response = instructor_client.post(url, data, follow=True)
    leak = SnippetOnPage(question=typed_question.slug, page="keys", block=1)
    assert leak.message() in warnings(response)
