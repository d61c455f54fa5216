"""A student who meets the autosave limit sees why the answer was not saved (attempt.js shows the
server's message), and the page keeps working."""

import pytest

from accounts import ratelimit
from quizzes import services
from tests.browser.conftest import watched_page
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page_expecting_429(browser):
    """Like the `page` fixture, but a 429 is this test's expected answer, not an error."""
    with watched_page(browser, expected=frozenset({429})) as page:
        yield page


def test_autosave_over_the_limit_says_so_on_the_page(
    live_server, page_expecting_429, client, student, make_quiz, typed_question, settings
):
    page = page_expecting_429
    settings.RATE_LIMITS = {"answer": (1, 3600)}  # one save an hour: the second is refused
    quiz = make_quiz([typed_question])
    attempt = services.start_attempt(user=student, quiz=quiz)
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    status = page.locator(".save-status")
    box = page.get_by_label("What does it print?")
    button = page.get_by_role("button", name="Save answer")

    box.fill("first")
    button.click()
    status.filter(has_text="Saved").wait_for()
    box.fill("second")
    button.click()
    status.filter(has_text=ratelimit.MESSAGE).wait_for()
    assert "text-danger" in status.get_attribute("class")
    assert page.refusals and set(page.refusals) == {429}  # blur and click each try to save
    assert page.url.endswith(f"/attempts/{attempt.pk}/"), "the student stays on the attempt"
