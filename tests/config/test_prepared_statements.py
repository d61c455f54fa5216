"""On PostgreSQL the site binds parameters on the server and prepares the statements a
connection sends again (an exam's requests repeat the same few thousands of times), unless the
operator turns it off for a pooler that cannot keep prepared statements."""

import pytest
from django.db import connection

from quizzes.models import Quiz
from tests.config.test_deploy import run_with

OPTIONS = (
    "import django; django.setup(); from django.conf import settings; "
    "options = settings.DATABASES['default'].get('OPTIONS', {}); "
    "print(options.get('server_side_binding'), options.get('prepare_threshold'))"
)
POSTGRES_URL = "postgres://site@db.internal:5432/site"


def test_postgres_statements_are_bound_by_the_server_and_prepared():
    result = run_with(OPTIONS, DATABASE_URL=POSTGRES_URL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "2"]


def test_an_operator_behind_a_transaction_pooler_turns_them_off():
    result = run_with(OPTIONS, DATABASE_URL=POSTGRES_URL, DATABASE_PREPARED_STATEMENTS="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "None"]


@pytest.mark.django_db
def test_a_repeated_statement_is_prepared_once_on_postgres(quiz):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(4):
        assert Quiz.objects.filter(pk=quiz.pk, slug__startswith="").count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%quizzes_quiz%LIKE%"],
        )
        assert cursor.fetchone()[0] == 1
