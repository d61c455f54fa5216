"""A start or a save that cannot get SQLite's write lock in time is answered 503 with
Retry-After (JSON for the autosave script), never a 500; nothing is half-written, and the same
request sent again once the lock is free succeeds."""

import sqlite3

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from config.busy import SessionMiddleware
from quizzes.models import Attempt, Response
from tests.helpers import JSON, PASSWORD, right_answer_data, save_answer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
]


@pytest.fixture
def write_lock():
    """Another connection to the same database, holding its write lock until released; the
    site's connection waits 0.2 s for it (settings.SQLITE_BUSY_TIMEOUT, shortened)."""
    settings_dict = connection.settings_dict
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")
    name = str(settings_dict["NAME"])
    other = sqlite3.connect(name, uri=name.startswith("file:"), isolation_level=None)

    class Lock:
        def take(self):
            other.execute("BEGIN IMMEDIATE")

        def release(self):
            other.execute("ROLLBACK")

    yield Lock()
    other.close()


def test_a_start_waiting_too_long_for_the_write_lock_is_a_503_then_succeeds(
    client, student, quiz, write_lock
):
    client.force_login(student)
    url = reverse("quiz_start", args=[quiz.slug])
    write_lock.take()
    busy = client.post(url)
    assert busy.status_code == 503
    assert busy["Retry-After"].isdigit() and int(busy["Retry-After"]) >= 1
    assert "busy" in busy.text and "try again" in busy.text.lower()
    assert not Attempt.objects.exists()
    write_lock.release()
    started = client.post(url)
    assert started.status_code == 302
    assert Attempt.objects.filter(user=student, quiz=quiz).count() == 1


def test_an_autosave_waiting_too_long_for_the_write_lock_is_a_503_json_then_saves(
    client, student, quiz, write_lock
):
    client.force_login(student)
    client.post(reverse("quiz_start", args=[quiz.slug]))
    attempt = Attempt.objects.get(user=student)
    entry = quiz.quiz_questions.select_related("question").first()
    write_lock.take()
    busy = save_answer(client, attempt, entry, **JSON)
    assert busy.status_code == 503
    assert busy["Retry-After"].isdigit()
    assert busy.json()["saved"] is False and busy.json()["retry"] is True
    assert not Response.objects.exists()
    write_lock.release()
    saved = save_answer(client, attempt, entry, **JSON)
    assert saved.status_code == 200 and saved.json()["saved"] is True
    response = Response.objects.get(attempt=attempt, quiz_question=entry)
    assert response.answer_text == right_answer_data(entry).popitem()[1] or response.choice_id


def test_a_log_in_waiting_too_long_for_the_write_lock_is_a_503_not_a_500(student, write_lock):
    client = Client()
    write_lock.take()
    busy = client.post(reverse("login"), {"username": "student", "password": PASSWORD})
    assert busy.status_code == 503 and busy["Retry-After"].isdigit()
    write_lock.release()
    logged_in = client.post(reverse("login"), {"username": "student", "password": PASSWORD})
    assert logged_in.status_code == 302


def test_a_session_that_cannot_be_saved_after_the_view_is_a_503(rf, student, write_lock):
    """The session is saved after the view has answered (SessionMiddleware), out of reach of the
    middleware that answers a view's busy database."""
    request = rf.get("/")
    request.user = student

    def view_that_changes_the_session(request):
        request.session["seen"] = True
        return HttpResponse("the view's answer")

    middleware = SessionMiddleware(view_that_changes_the_session)
    write_lock.take()
    response = middleware(request)
    assert response.status_code == 503 and response["Retry-After"].isdigit()
