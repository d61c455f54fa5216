"""Overrides and regrades lock the responses they change, and nothing else: PostgreSQL refuses FOR
UPDATE on the nullable side of an outer join (a response's choice and variant), and locking the
joined attempt and question rows would hold up other grade changes of the question.

SQLite has no row locks (its write lock covers the database), so these run where the database
has them: `make test-postgres`."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services
from quizzes import services as quiz_services
from quizzes.models import Response
from tests.courses.test_gradebook import take

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not connection.features.has_select_for_update_of,
        reason="the database has no FOR UPDATE OF (SQLite locks the whole database)",
    ),
]


def locks(queries) -> list[str]:
    """What each locking statement names after FOR UPDATE."""
    return [
        re.search(r"FOR UPDATE(.*)$", query["sql"]).group(1).strip()
        for query in queries.captured_queries
        if "FOR UPDATE" in query["sql"]
    ]


ONLY_RESPONSES = f'OF "{Response._meta.db_table}"'


def test_an_override_and_its_removal_lock_only_the_response(course, quiz, enrolled, instructor):
    attempt = take(enrolled, quiz, right=False)
    for response in attempt.responses.all():  # a choice response and a typed one (no choice)
        with CaptureQueriesContext(connection) as queries:
            services.response_override(response=response, points=1, reason="r", by=instructor)
            services.response_override_clear(response=response, reason="r", by=instructor)
        assert locks(queries) == [ONLY_RESPONSES, ONLY_RESPONSES]


def test_a_regrade_locks_only_the_responses(course, quiz, enrolled, instructor):
    attempt = take(enrolled, quiz, right=True)
    for question in quiz.questions.all():
        question.snippet += "print('changed')\n"
        question.save()
        quiz_services.refresh_answer_key(question)
    with CaptureQueriesContext(connection) as queries:
        changed = services.response_regrade(responses=attempt.responses.all(), by=instructor)
    assert changed == attempt.responses.count()
    assert locks(queries) == [ONLY_RESPONSES]
