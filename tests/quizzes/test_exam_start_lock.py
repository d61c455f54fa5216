"""Exam day's opening: a start serialises one student's own starts (two tabs), never the class's.
It used to lock the quiz's row, which on PostgreSQL queued every student of the class behind one
lock while the exam opened (issue 14's cluster figure)."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import services
from quizzes.models import Attempt

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.mark.django_db
def test_a_start_writes_only_the_students_own_rows(client, student, quiz):
    client.force_login(student)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(reverse("quiz_start", args=[quiz.slug])).status_code == 302
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert [sql.split()[:3] for sql in writes] == [
        ["UPDATE", '"auth_user"', "SET"],  # the lock: the student's row, first
        ["INSERT", "INTO", '"quizzes_attempt"'],
    ]
    assert f'WHERE "auth_user"."id" = {student.pk}' in writes[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer at a time")
def test_a_start_does_not_wait_for_another_students_open_start(student, other_student, quiz):
    """While one student's start is still in its transaction, another's goes through (make
    test-postgres)."""
    inside, release, done, errors = threading.Event(), threading.Event(), threading.Event(), []

    def in_thread(action):
        def run():
            try:
                action()
            except Exception as error:  # reported below
                errors.append(repr(error))
            finally:
                connection.close()

        return threading.Thread(target=run)

    def first_start_held_open():
        with transaction.atomic():
            services.start_attempt(user=student, quiz=quiz)
            inside.set()
            release.wait(timeout=30)

    def second_start():
        services.start_attempt(user=other_student, quiz=quiz)
        done.set()

    holder, other = in_thread(first_start_held_open), in_thread(second_start)
    holder.start()
    try:
        assert inside.wait(timeout=30), errors
        other.start()
        waited = not done.wait(timeout=5)
    finally:
        release.set()
        holder.join(timeout=30)
        if other.ident is not None:  # started
            other.join(timeout=30)
    assert not waited, "the second student's start waited for the first's to commit"
    assert errors == []
    assert Attempt.objects.filter(quiz=quiz).count() == 2
