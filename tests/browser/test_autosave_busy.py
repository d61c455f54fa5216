"""When the server is too busy to save an answer (503 with Retry-After: the database's write lock
was not granted in time, config.busy), attempt.js says it is still saving, sends the answer
again after Retry-After with backoff, and the server finally has it: nothing is lost."""

import pytest
from playwright.sync_api import expect

from quizzes import services
from quizzes.models import Response
from tests.browser.conftest import watched_page
from tests.browser.test_feedback_diagram import log_in
from tests.browser.test_typing import wait_for_saved

pytestmark = pytest.mark.browser

BUSY_ANSWERS = 2  # the first two saves are refused as busy, the third goes through


@pytest.fixture
def page_expecting_503(browser):
    """Like the `page` fixture, but a 503 is this test's expected answer, not an error."""
    with watched_page(browser, expected=frozenset({503})) as page:
        yield page


def test_a_save_refused_as_busy_is_retried_until_the_server_has_it(
    live_server, page_expecting_503, client, student, make_quiz, typed_question
):
    page = page_expecting_503
    quiz = make_quiz([typed_question])
    attempt = services.start_attempt(user=student, quiz=quiz)
    log_in(page, client, live_server, student)
    sent = []

    def busy_at_first(route):
        sent.append(route.request.post_data)
        if len(sent) <= BUSY_ANSWERS:
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body='{"saved": false, "retry": true, "error": "busy"}',
            )
        else:
            route.continue_()

    page.route(f"**/attempts/{attempt.pk}/answers/**", busy_at_first)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    status = page.locator(".save-status")
    page.get_by_label("What does it print?").fill("kept through the rush")
    page.get_by_role("button", name="Save answer").click()

    expect(status).to_contain_text("Saving… the server is busy", timeout=5_000)
    assert status.get_attribute("data-state") == "saving"
    expect(status).to_contain_text("Saved", timeout=15_000)
    assert len(sent) == BUSY_ANSWERS + 1, "sent again after each busy answer, then once more"
    assert all("kept through the rush" in body for body in sent)
    page.server_url = live_server.url
    wait_for_saved(page, attempt, "kept through the rush")
    assert Response.objects.filter(attempt=attempt).count() == 1
