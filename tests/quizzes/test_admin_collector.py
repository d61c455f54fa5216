"""The admin refuses what depends on when the garbage collector runs automatically (issue 11):
a question's snippet gets a form error with the fix to make, a concept page's block is stored
refused (no output shown as the real one) and the save warns about it."""

import html

import pytest
from django.urls import reverse

import grader
from grader.collector_check import DEPENDS_ON_COLLECTOR
from quizzes import services
from quizzes.admin import varying_blocks_warning
from quizzes.admin_forms import GC_TIMING_FIX
from quizzes.models import ConceptPage, Question
from tests.quizzes.test_admin import ADD_QUESTION, question_post

pytestmark = pytest.mark.django_db

COUNT_SNIPPET = "import gc\nprint(gc.get_count())\n"
FIXED_SNIPPET = """\
import gc
gc.disable()
import weakref
items = []
items.append(items)
del items
print(gc.collect())
"""


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def test_a_snippet_whose_output_depends_on_the_collector_is_refused_with_the_fix(
    instructor_client, topic
):
    reasons = grader.collector_dependent(COUNT_SNIPPET)
    assert reasons
    response = instructor_client.post(ADD_QUESTION, question_post(topic, COUNT_SNIPPET))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["snippet"]
    assert DEPENDS_ON_COLLECTOR in error and GC_TIMING_FIX in error
    assert not Question.objects.exists()


def test_the_suggested_fix_is_accepted(instructor_client, topic):
    assert services.collector_dependence(FIXED_SNIPPET) == []
    response = instructor_client.post(ADD_QUESTION, question_post(topic, FIXED_SNIPPET))
    assert response.status_code == 302, response.context["adminform"].form.errors
    question = Question.objects.get(slug="new-question")
    assert question.answer_key["stdout"] == grader.run(FIXED_SNIPPET).stdout


def test_a_page_block_that_depends_on_the_collector_shows_no_output_and_warns(
    instructor_client, topic
):
    body = f"Stable:\n\n```python\nprint(6 * 7)\n```\n\nNot:\n\n```python\n{COUNT_SNIPPET}```\n"
    response = instructor_client.post(
        reverse("admin:quizzes_conceptpage_add"),
        {"topic": topic.pk, "slug": "p", "title": "P", "order": 0, "body": body, "_save": "Save"},
        follow=True,
    )
    page = ConceptPage.objects.get(slug="p")
    stored = page.block_outputs.get(index=1).outcome
    assert stored["status"] == "rejected" and stored["stdout"] == ""
    assert stored["reasons"][0].startswith(DEPENDS_ON_COLLECTOR)
    shown = [str(message) for message in response.context["messages"]]
    assert varying_blocks_warning(page, [2]) in shown
    preview = instructor_client.get(reverse("admin:quizzes_conceptpage_preview", args=[page.pk]))
    text = html.unescape(preview.content.decode())
    assert text.count("Output (Python") == 1  # the stable block's only
    assert DEPENDS_ON_COLLECTOR in text
