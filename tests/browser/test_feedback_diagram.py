"""The diagram on a real practice feedback page: a student answers, then steps through memory.

The question's key and the page's trace both come from the real grader; the checks are what
CPython's semantics imply for the snippet (aliasing gives one list, append adds one element).
"""

import pytest
from django.conf import settings
from django.template.loader import get_template

from tests.browser.test_diagram import MISPLACED_ARROWS, step_through_alias_and_append

FEEDBACK_TEMPLATES = ("quizzes/practice_feedback.html", "quizzes/_feedback.html")


def feedback_includes_diagram() -> bool:
    return any(
        "quizzes/_diagram.html" in get_template(name).template.source for name in FEEDBACK_TEMPLATES
    )


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not feedback_includes_diagram(),
        reason="the practice feedback templates do not include quizzes/_diagram.html yet",
    ),
]


def log_in(page, client, live_server, user):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_feedback_page_steps_through_the_snippet(
    live_server, page, client, student, typed_question, save_screenshot
):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/practice/question/{typed_question.pk}/")
    page.get_by_label("What does it print?").fill("[1, 2]\nFalse")
    page.get_by_role("button", name="Check my answer").click()
    page.wait_for_url("**/practice/answers/*/")

    diagram = page.locator(".memdiagram")
    assert diagram.count() == 1, "the feedback shows the diagram of the question's snippet"
    lines = typed_question.snippet.splitlines()
    before, _, shared = step_through_alias_and_append(
        page,
        diagram,
        aliased=lines.index("b = a") + 2,  # the line after `b = a`, as the trace numbers lines
        appended=lines.index("b.append(3)") + 2,
    )
    assert [label for label, box in before["objects"].items() if box["type"] == "list"] == [shared]
    assert not diagram.evaluate(MISPLACED_ARROWS)
    save_screenshot(page.locator("main"), "feedback-diagram-desktop")

    page.set_viewport_size({"width": 375, "height": 800})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not diagram.evaluate(MISPLACED_ARROWS)
    save_screenshot(diagram, "feedback-diagram-phone")
