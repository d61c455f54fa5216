"""The site's key pages under its real Content-Security-Policy, in Chromium: the browser reports
no violation (a securitypolicyviolation event, or the console error the `page` fixture fails on),
and what needs JavaScript still works: diagrams are drawn, answers autosave, Bootstrap's menu
opens, the progress bar shows."""

import pytest

from content import services as content_services
from content.models import ConceptPage
from quizzes import grading, services
from quizzes.models import Quiz
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser

# Runs before any of the page's own scripts (Playwright injects it), so no violation is missed.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def strict_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    yield page


def visit(page, url: str) -> None:
    response = page.goto(url)
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, policy
    page.wait_for_load_state("load")


def no_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_concept_page_diagram_is_drawn_under_the_policy(live_server, strict_page, topic):
    concept = ConceptPage.objects.create(
        topic=topic,
        slug="aliasing",
        title="Aliasing",
        body="```python\na = [1, 2]\nb = a\nprint(a is b)\n```\n",
        is_published=True,
    )
    content_services.refresh_page_outputs(concept)
    visit(strict_page, f"{live_server.url}{concept.get_absolute_url()}")
    diagram = strict_page.locator(".memdiagram[data-memdiagram-ready]")
    diagram.wait_for()
    diagram.focus()
    strict_page.keyboard.press("End")  # the last step: `a` and `b` point at the list
    assert diagram.locator(".memdiagram-arrow").count() >= 2
    assert no_violations(strict_page) == []


def test_attempt_autosave_and_feedback_diagram_under_the_policy(
    live_server, strict_page, client, student, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = services.start_attempt(user=student, quiz=quiz)
    log_in(strict_page, client, live_server, student)
    visit(strict_page, f"{live_server.url}/attempts/{attempt.pk}/")
    answer = grading.expected_text(typed_question.answer_key)
    strict_page.get_by_label("What does it print?").fill(answer)
    strict_page.get_by_role("button", name="Save answer").click()
    strict_page.locator(".feedback-slot .memdiagram[data-memdiagram-ready]").wait_for()
    assert strict_page.url.endswith(f"/attempts/{attempt.pk}/"), "saved by attempt.js, no reload"
    assert no_violations(strict_page) == []


def test_practice_feedback_home_and_menu_under_the_policy(
    live_server, strict_page, client, student, typed_question, save_screenshot
):
    log_in(strict_page, client, live_server, student)
    visit(strict_page, f"{live_server.url}/practice/question/{typed_question.pk}/")
    strict_page.get_by_label("What does it print?").fill("[1, 2]\nFalse")
    strict_page.get_by_role("button", name="Check my answer").click()
    strict_page.wait_for_url("**/practice/answers/*/")
    strict_page.locator(".memdiagram[data-memdiagram-ready]").wait_for()
    assert no_violations(strict_page) == []

    visit(strict_page, f"{live_server.url}/")
    progress = strict_page.locator("progress.practice-progress-bar")
    assert progress.count() >= 1 and progress.first.bounding_box()["width"] > 50
    save_screenshot(strict_page.locator(".topic-card").first, "home-progress")
    # A phone-width window folds the menu behind Bootstrap's toggler (its script, its data: icon).
    strict_page.set_viewport_size({"width": 375, "height": 800})
    strict_page.get_by_role("button", name="Toggle navigation").click()
    strict_page.get_by_role("link", name="Quizzes").wait_for(state="visible")
    assert no_violations(strict_page) == []


def test_admin_pages_under_the_policy(live_server, strict_page, client, make_user, topic):
    # A superuser: the live server's database is flushed, Instructors group included.
    admin_user = make_user("admin", is_staff=True, is_superuser=True)
    concept = ConceptPage.objects.create(
        topic=topic, slug="p", title="P", body="```python\nprint(1)\n```\n"
    )
    content_services.refresh_page_outputs(concept)
    log_in(strict_page, client, live_server, admin_user)
    for path in (
        "/admin/",
        f"/admin/content/conceptpage/{concept.pk}/change/",
        "/admin/quizzes/question/add/",
        f"/admin/content/conceptpage/{concept.pk}/preview/",
    ):
        visit(strict_page, f"{live_server.url}{path}")
        assert no_violations(strict_page) == [], path
