"""Every page's footer names the Python versions of the stored keys and outputs, read through
the cache (quizzes/footer_versions.py): a page after the first reads none, and a key or an
output stored under another version, or a question deleted, shows on the very next page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import selectors, services
from tests.helpers import page_output_of_python

pytestmark = pytest.mark.django_db

OTHER = "3.99.0"  # a version no interpreter here has: only the stored rows can name it


def footer(client) -> str:
    page = client.get(reverse("how_answers_are_checked")).content.decode()
    _, found, rest = page.partition('class="key-python-version"')
    return rest.split("</span>")[0] if found else ""


def test_the_versions_are_read_once_then_kept(client, student, typed_question):
    client.force_login(student)
    assert typed_question.key_python_version in footer(client)
    with CaptureQueriesContext(connection) as captured:
        footer(client)
    assert not [q for q in captured.captured_queries if "key_python_version" in q["sql"]]


def test_a_key_stored_under_another_version_shows_on_the_next_page(client, student, typed_question):
    client.force_login(student)
    assert OTHER not in footer(client)
    outcome = {**typed_question.answer_key, "python_version": OTHER}
    services.store_answer_key(typed_question, outcome, trace=typed_question.key_trace)
    assert OTHER in footer(client)


def test_an_output_stored_under_another_version_shows_on_the_next_page(
    client, student, typed_question, topic
):
    client.force_login(student)
    assert OTHER not in footer(client)
    page = page_output_of_python(topic, OTHER)
    assert OTHER in footer(client)
    page.delete()
    assert OTHER not in footer(client)


def test_a_deleted_question_s_version_goes_with_it(client, student, typed_question):
    outcome = {**typed_question.answer_key, "python_version": OTHER}
    services.store_answer_key(typed_question, outcome, trace=typed_question.key_trace)
    client.force_login(student)
    assert OTHER in footer(client)
    typed_question.delete()
    assert OTHER not in footer(client)
    assert OTHER not in selectors.stored_key_versions()
