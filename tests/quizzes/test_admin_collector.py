"""The admin refuses what depends on when the garbage collector runs automatically (issue 11):
a question's snippet gets a form error with the fix to make, a concept page with such a block is
refused with the reason, and such a block stored by another path (the loader, a refresh) shows
no output as the real one."""

import html

import pytest
from django.urls import reverse

import grader
from content import runs, services
from content.models import ConceptPage
from grader.collector_check import DEPENDS_ON_COLLECTOR
from quizzes.admin_forms import GC_TIMING_FIX
from quizzes.models import Question
from tests.helpers import question_post
from tests.quizzes.test_admin import ADD_QUESTION

pytestmark = pytest.mark.django_db

# An absolute count after a non-ASCII name: a script's parser imports unicodedata to normalise
# it, so the count is known only to within a few allocations (grader/compiling.py); without the
# name the count is a script's and accepted.
COUNT_SNIPPET = "import gc\nnaïve = 0\nprint(gc.get_count())\n"
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
    assert runs.collector_dependence(FIXED_SNIPPET) == []
    response = instructor_client.post(ADD_QUESTION, question_post(topic, FIXED_SNIPPET))
    assert response.status_code == 302, response.context["adminform"].form.errors
    question = Question.objects.get(slug="new-question")
    assert question.answer_key["stdout"] == grader.run(FIXED_SNIPPET).stdout


def test_a_page_with_a_block_that_depends_on_the_collector_is_refused(instructor_client, topic):
    body = f"Stable:\n\n```python\nprint(6 * 7)\n```\n\nNot:\n\n```python\n{COUNT_SNIPPET}```\n"
    response = instructor_client.post(
        reverse("admin:content_conceptpage_add"),
        {"topic": topic.pk, "slug": "p", "title": "P", "order": 0, "body": body, "_save": "Save"},
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["body"]
    assert error.startswith("Code block 2 ") and DEPENDS_ON_COLLECTOR in error
    assert not ConceptPage.objects.exists()


def test_a_block_stored_by_a_refresh_shows_no_output_when_it_depends_on_the_collector(
    instructor_client, topic
):
    body = f"Stable:\n\n```python\nprint(6 * 7)\n```\n\nNot:\n\n```python\n{COUNT_SNIPPET}```\n"
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=body)
    services.refresh_page_outputs(page)
    stored = page.block_outputs.get(index=1).outcome
    assert stored["status"] == "rejected" and stored["stdout"] == ""
    assert stored["reasons"][0].startswith(DEPENDS_ON_COLLECTOR)
    text = html.unescape(instructor_client.get(reverse("concept_detail", args=["p"])).text)
    assert text.count("Output (Python") == 1  # the stable block's only
    assert DEPENDS_ON_COLLECTOR in text and "what it prints is not known" in text  # the warning
