"""The attempt page in a real browser: the countdown follows a quiz closed earlier while the page
is open, and a question another quiz guards gets a note instead of its feedback."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes import services
from quizzes.deadlines import follow_quiz_times
from quizzes.models import Quiz
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser


def minutes_left(countdown) -> int:
    text = countdown.text_content()  # "Time left M:SS"
    return int(text.removeprefix("Time left ").split(":")[0])


def test_the_countdown_follows_a_closing_time_moved_while_the_page_is_open(
    live_server, page, client, student, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=60)
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = quiz.quiz_questions.get()
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    countdown = page.locator("#countdown")
    # Locator assertions poll from Python: a polled page function would be a string eval, which
    # the site's CSP refuses once the first check fails.
    expect(countdown).to_contain_text(":")
    assert minutes_left(countdown) >= 58

    # The instructor closes the quiz in 5 minutes (what saving it in the admin does).
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() + timedelta(minutes=5))
    follow_quiz_times(Quiz.objects.get(pk=quiz.pk))
    section = page.locator(f"#q-{entry.pk}")
    section.locator("textarea").fill("[1, 2, 3]\nTrue")
    section.get_by_role("button", name="Save answer").click()
    expect(page.locator(".save-status")).to_have_text(re.compile(r"^Saved"))
    page.wait_for_timeout(1100)  # one tick of the countdown
    assert minutes_left(countdown) <= 4


def test_a_guarded_question_gets_a_note_instead_of_feedback(
    live_server, page, client, student, make_quiz, typed_question
):
    make_quiz([typed_question], slug="checkpoint", title="Checkpoint")
    practice = make_quiz(
        [typed_question],
        slug="practice",
        feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER,
        max_attempts=None,
    )
    attempt = services.start_attempt(user=student, quiz=practice)
    entry = practice.quiz_questions.get()
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    section = page.locator(f"#q-{entry.pk}")
    section.locator("textarea").fill("[1, 2, 3]\nTrue")
    section.get_by_role("button", name="Save answer").click()
    note = section.locator(".feedback-withheld")
    note.wait_for()
    assert "comes with Checkpoint" in " ".join(note.text_content().split())
    assert section.locator(".feedback-verdict, .real-output, .memdiagram").count() == 0
    assert section.locator("textarea").is_disabled()
