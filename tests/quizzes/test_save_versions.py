"""A save says which version of the stored answer its text was typed over; one typed over an older
version than the stored answer's (a keep-alive save from a page that has gone, landing after a
reloaded page or another tab saved newer text) is refused and writes nothing.

The browser's side (attempt.js) is tested in tests/browser/test_typing.py.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse

from quizzes import grading, services
from quizzes.models import Response
from quizzes.save_versions import BaseVersion, MalformedVersion, parse_base
from tests.helpers import JSON, save_answer, start_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def typing(client, logged_in, make_quiz, typed_question):
    """type_(text, base=None, **extra): post `text` as a draft of the attempt's one question,
    with `base` (left out when None) as the version it was typed over; the reply."""
    quiz = make_quiz([typed_question])
    attempt = start_quiz(client, quiz)
    [entry] = quiz.quiz_questions.all()

    def type_(text, base=None, *, accept=JSON):
        data = {f"q{entry.pk}-answer_text": text, "draft": "1"}
        if base is not None:
            data["base"] = base
        return save_answer(client, attempt, entry, data, **accept)

    type_.attempt, type_.entry = attempt, entry
    return type_


def stored() -> tuple[str, str]:
    response = Response.objects.get()
    return response.answer_text, response.answered_at.isoformat()


def test_a_save_typed_over_an_older_version_is_refused_and_writes_nothing(typing):
    first = typing("[1, 2", base="none").json()
    assert first["saved"]
    newer = typing("[1, 2, 3]", base=first["answered_at"]).json()
    assert newer["saved"] and newer["answered_at"] > first["answered_at"]

    for stale_base in (first["answered_at"], "none"):
        refused = typing("[1, 2, 3, 4]", base=stale_base)
        assert refused.status_code == 409
        body = refused.json()
        assert body["saved"] is False and body["changed"] is True
        assert "changed in another tab or window" in body["error"]
        assert body["answered_at"] == newer["answered_at"], "the version it would replace"
        assert "redirect" not in body, "the page stays, with the student's text"
        assert stored() == ("[1, 2, 3]", newer["answered_at"]), "nothing written"


def test_a_save_typed_over_the_current_version_or_with_no_base_is_taken(typing):
    first = typing("a", base="none").json()
    current = typing("ab", base=first["answered_at"]).json()
    assert current["saved"] and stored() == ("ab", current["answered_at"])
    # A page that sends no base (an older page, a form post without JavaScript): as before.
    plain = typing("old client").json()
    assert plain["saved"] and stored() == ("old client", plain["answered_at"])
    # A base later than the stored version (not one a page can have) replaces nothing newer.
    later = (Response.objects.get().answered_at + timedelta(seconds=1)).isoformat()
    assert typing("later", base=later).json()["saved"]


def test_the_same_answer_over_an_older_version_is_taken_and_changes_nothing(typing):
    """A reloaded page saves the text it restored, and then the leaving page's flush of the
    same text lands, typed over an older version: it replaces nothing, so it is not refused;
    nor does it change the version, else the page's next save would be refused as stale."""
    restored = typing("[1, 2, 3]", base="none").json()
    late_flush = typing("[1, 2, 3]", base="none")
    assert late_flush.status_code == 200
    assert late_flush.json()["answered_at"] == restored["answered_at"]
    assert stored() == ("[1, 2, 3]", restored["answered_at"])
    typed_on = typing("[1, 2, 3, 4]", base=restored["answered_at"])
    assert typed_on.status_code == 200 and stored()[0] == "[1, 2, 3, 4]"


@pytest.mark.parametrize(
    "base", ["yesterday", "", "2026-12-05T07:00:00", "2026-13-45T07:00:00+00:00", "1" * 100]
)
def test_a_malformed_base_is_a_400_with_a_message_and_writes_nothing(typing, base):
    typing("kept", base="none")
    before = stored()
    refused = typing("lost?", base=base)
    assert refused.status_code == 400
    [error] = refused.json()["errors"]["__all__"]
    assert "typed over is not a date and time" in error["message"]
    assert stored() == before

    page = typing("lost?", base=base, accept={})  # a form post gets the page back, with it
    assert page.status_code == 400 and "typed over is not a date and time" in page.text
    assert stored() == before


def test_a_form_post_refused_as_stale_goes_back_to_the_page_with_a_message(client, typing):
    first = typing("one", base="none").json()
    typing("two", base=first["answered_at"])
    page = typing("stale", base=first["answered_at"], accept={})
    assert page.status_code == 302
    assert page["Location"] == reverse("attempt_take", args=[typing.attempt.pk])
    assert "changed in another tab or window" in client.get(page["Location"]).text
    assert Response.objects.get().answer_text == "two"


def test_submit_grades_the_newer_answer_a_stale_save_did_not_replace(
    client, typing, typed_question
):
    right = grading.expected_text(typed_question.answer_key)
    first = typing("wrong", base="none").json()
    typing(right, base=first["answered_at"])
    assert typing("wrong again", base=first["answered_at"]).status_code == 409
    client.post(reverse("attempt_submit", args=[typing.attempt.pk]))
    typing.attempt.refresh_from_db()
    assert typing.attempt.score == 1 and Response.objects.get().is_correct


def test_the_service_refuses_a_stale_base_and_writes_nothing(student, make_quiz, typed_question):
    quiz = make_quiz([typed_question])
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = quiz.quiz_questions.get()

    def save(text, based_on):
        return services.save_answer(
            attempt=attempt, quiz_question=entry, answer_text=text, draft=True, based_on=based_on
        )

    first = save("first", BaseVersion(None))
    second = save("second", BaseVersion(first.answered_at))
    with pytest.raises(services.AnswerChanged) as changed:
        save("stale", BaseVersion(first.answered_at))
    assert changed.value.current == second.answered_at
    assert stored() == ("second", second.answered_at.isoformat())
    assert save("third", None).answer_text == "third"


def test_parse_base():
    assert parse_base(None) is None
    assert parse_base("none") == BaseVersion(None)
    parsed = parse_base("2026-12-05T07:00:00.000123Z")
    assert parsed is not None and parsed.answered_at is not None
    assert parsed.answered_at.microsecond == 123 and parsed.answered_at.utcoffset() is not None
    with pytest.raises(MalformedVersion):
        parse_base("None")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer at a time")
def test_two_saves_typed_over_the_same_version_at_once_one_is_refused(
    student, make_quiz, typed_question
):
    """Two tabs save over the same version at once: the check is made under the attempt's lock,
    in the transaction that writes, so the second sees the first's answer and is refused (a check
    made before the lock would see the old version, and both would write). make test-postgres."""
    quiz = make_quiz([typed_question])
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = quiz.quiz_questions.get()
    base = BaseVersion(
        services.save_answer(attempt=attempt, quiz_question=entry, answer_text="v1").answered_at
    )
    inside, release, done, errors, refused = (
        threading.Event(),
        threading.Event(),
        threading.Event(),
        [],
        [],
    )

    def in_thread(action):
        def run():
            try:
                action()
            except services.AnswerChanged:
                refused.append(True)
            except Exception as error:  # reported below
                errors.append(repr(error))
            finally:
                connection.close()

        return threading.Thread(target=run)

    def first_save_held_open():
        with transaction.atomic():
            services.save_answer(
                attempt=attempt, quiz_question=entry, answer_text="tab one", based_on=base
            )
            inside.set()
            release.wait(timeout=30)

    def second_save():
        services.save_answer(
            attempt=attempt, quiz_question=entry, answer_text="tab two", based_on=base
        )
        done.set()

    holder, other = in_thread(first_save_held_open), in_thread(second_save)
    holder.start()
    try:
        assert inside.wait(timeout=30), errors
        other.start()
        assert not done.wait(timeout=2), "the second save waits for the first's lock"
    finally:
        release.set()
        holder.join(timeout=30)
        if other.ident is not None:
            other.join(timeout=30)
    assert errors == [] and refused == [True]
    assert Response.objects.get().answer_text == "tab one"
