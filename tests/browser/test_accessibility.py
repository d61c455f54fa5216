"""axe-core on every student and instructor page (issue 19): no critical and no serious violation
of WCAG 2.2 AA (and axe's best practices) at a desktop's width and at a phone's (390 px).

The content is real (narrow-pages' site: keys, outputs and traces from the grader), and a memory
diagram is checked stepped to a middle step, where arrows and heap objects are drawn. The counts
per page are printed, so a run shows where the site stands.
"""

import pytest
from django.urls import reverse

from tests.browser import test_course_gradebook, test_narrow_pages
from tests.browser.axe import axe_violations, blocking, counts
from tests.browser.test_feedback_diagram import log_in
from tests.browser.test_narrow_pages import DESKTOP, PHONE

pytestmark = pytest.mark.browser

# The pages' content: the same as the narrow-pages and gradebook tests build.
site = test_narrow_pages.site
teacher = test_course_gradebook.teacher
taught = test_course_gradebook.taught


def audit(page, url: str, name: str, width: int, capsys) -> list[dict]:
    page.goto(url)
    page.wait_for_load_state("load")
    return report(page, name, width, capsys)


def report(page, name: str, width: int, capsys) -> list[dict]:
    violations = axe_violations(page)
    tally = counts(violations)
    with capsys.disabled():
        ids = ", ".join(sorted({v["id"] for v in violations}))
        print(f"\naxe {width}px {name}: {tally} {ids}")
        for violation in blocking(violations):
            print(f"  {violation['id']}: {violation['nodes'][:3]}")
    return blocking(violations)


def step_to_middle(page) -> None:
    """Step the page's first memory diagram to its middle step with the keyboard."""
    diagram = page.locator(".memdiagram[data-memdiagram-ready]").first
    diagram.wait_for()
    diagram.focus()
    page.keyboard.press("Home")
    steps = int(diagram.get_attribute("data-memdiagram-steps") or 0) or 4
    for _ in range(steps // 2):
        page.keyboard.press("ArrowRight")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "desktop"])
def test_student_pages_have_no_serious_violation(
    live_server,
    page,
    client,
    student,
    site,
    viewport,
    capsys,
):
    page.set_viewport_size(viewport)
    log_in(page, client, live_server, student)
    failures = {}
    # The submit confirmation lists the unanswered questions as links on a warning's tint.
    pages = {**site, "submit confirmation": site["attempt take"] + "submit/"}
    for name, path in pages.items():
        found = audit(page, live_server.url + path, name, viewport["width"], capsys)
        if found:
            failures[name] = found
    page.goto(live_server.url + site["concept page"])
    step_to_middle(page)
    if found := report(page, "diagram at a middle step", viewport["width"], capsys):
        failures["diagram at a middle step"] = found
    page.context.clear_cookies()
    # Anonymous, the home page's tinted banner holds the sign-up and log-in links.
    for name in ("home", "login", "signup"):
        if found := audit(page, live_server.url + reverse(name), name, viewport["width"], capsys):
            failures[name] = found
    assert not failures, failures


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "desktop"])
def test_instructor_pages_have_no_serious_violation(
    live_server,
    page,
    client,
    teacher,
    taught,
    quiz,
    viewport,
    capsys,
):
    teacher.is_superuser = True  # the admin's question pages need the model permissions
    teacher.save()
    question = quiz.questions.first()
    pages = {
        "admin question list": reverse("admin:quizzes_question_changelist"),
        "admin question change": reverse("admin:quizzes_question_change", args=[question.pk]),
        "admin quiz results": reverse("admin:quizzes_quiz_results", args=[quiz.pk]),
        "course detail": reverse("course_detail", args=[taught.slug]),
        "course gradebook": reverse("course_gradebook", args=[taught.slug]),
    }
    page.set_viewport_size(viewport)
    log_in(page, client, live_server, teacher)
    failures = {}
    for name, path in pages.items():
        if found := audit(page, live_server.url + path, name, viewport["width"], capsys):
            failures[name] = found
    assert not failures, failures
