"""A student without a mouse or without sight (issue 19): the keyboard alone answers a practice
question and steps its memory diagram; the diagram's text alternative says which names share an
object, read from the identity page's first snippet as the site's fixtures hold it.

Answers and traces come from the grader through the services; expected names and labels are read
from the stored trace, never typed in by hand.
"""

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from content import services as content_services
from content.models import ConceptPage
from grader.trace import full_steps
from quizzes import grading, services
from quizzes.models import Quiz
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser

IDENTITY = Path(settings.BASE_DIR) / "fixtures" / "topics" / "01-identity.toml"
MAX_TABS = 30  # far more than the page has before the answer box


def tab_to(page, locator) -> int:
    """Press Tab until the locator has the focus; return the number of presses. Fails after
    MAX_TABS presses."""
    for presses in range(MAX_TABS):
        if locator.evaluate("node => node === document.activeElement"):
            return presses
        page.keyboard.press("Tab")
    raise AssertionError(f"{MAX_TABS} Tabs never reached {locator}")


def test_keyboard_answers_a_practice_question_and_steps_its_diagram(
    live_server, page, client, student, typed_question
):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/practice/question/{typed_question.pk}/")
    answer = page.get_by_label("What does it print?")
    tabs_through_the_navbar = tab_to(page, answer)

    page.reload()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    tabs_after_the_skip = tab_to(page, answer)
    assert tabs_after_the_skip + 2 < tabs_through_the_navbar, (
        tabs_after_the_skip,
        tabs_through_the_navbar,
    )
    page.keyboard.type(grading.expected_text(typed_question.answer_key).rstrip("\n"))
    tab_to(page, page.get_by_role("button", name="Check my answer"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/practice/answers/*/")
    verdict = page.locator(".feedback-verdict")
    expect(verdict).to_have_text("Right")
    expect(verdict).to_be_focused()

    diagram = page.locator(".memdiagram[data-memdiagram-ready]")
    status = diagram.locator(".memdiagram-status")
    tab_to(page, diagram)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(status).to_contain_text(re.compile(r"^Step 3 of"))
    tab_to(page, diagram.get_by_role("button", name="Previous step"))
    page.keyboard.press("Enter")
    expect(status).to_contain_text(re.compile(r"^Step 2 of"))
    # The button's accessible name contains its visible label (WCAG 2.5.3).
    prev = diagram.locator(".memdiagram-prev")
    assert "Previous" in prev.inner_text()
    expect(prev).to_have_accessible_name("Previous step")


def first_identity_snippet() -> str:
    body = tomllib.loads(IDENTITY.read_text())["pages"][0]["body"]
    return re.search(r"```python\n(.*?)```", body, re.DOTALL).group(1)


def test_identity_diagram_text_says_which_names_share_an_object(live_server, page, topic):
    snippet = first_identity_snippet()
    concept = ConceptPage.objects.create(
        topic=topic, slug="identity", title="Identity", body=f"```python\n{snippet}```\n"
    )
    content_services.refresh_page_outputs(concept)
    last = full_steps(concept.block_outputs.get().trace)[-1]
    refs = {local["name"]: local["ref"] for local in last["frames"][0]["locals"]}
    assert refs["a"] == refs["b"] != refs["c"], "CPython: b = a shares, c is a new list"
    heap = last["heap"]

    page.goto(f"{live_server.url}{concept.get_absolute_url()}")
    diagram = page.locator(".memdiagram[data-memdiagram-ready]")
    diagram.focus()
    page.keyboard.press("End")
    text = diagram.locator(".memdiagram-summary").text_content()
    shared, alone = refs["a"], refs["c"]
    assert f"a and b refer to {shared}, a list {heap[shared]['repr']}." in text, text
    assert f"c refers to {alone}, a list {heap[alone]['repr']}." in text, text

    # Each name's slot names its target; each object names who refers to it.
    slot = diagram.locator('.memdiagram-name[data-name="c"] .memdiagram-ref')
    assert slot.text_content() == f"refers to {alone}, a list {heap[alone]['repr']}"
    shared_box = diagram.locator(f'.memdiagram-object[data-label="{shared}"]')
    assert f"object {shared}, referred to by a and b:" in shared_box.text_content()


def test_focus_moves_to_the_feedback_saved_on_an_attempt_page(
    live_server, page, client, student, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = services.start_attempt(user=student, quiz=quiz)
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    page.get_by_label("What does it print?").fill(grading.expected_text(typed_question.answer_key))
    save = page.get_by_role("button", name="Save answer")
    save.focus()
    page.keyboard.press("Enter")
    verdict = page.locator(".feedback-slot .feedback-verdict")
    expect(verdict).to_have_text("Right")
    expect(verdict).to_be_focused()


# The outline's colour against the background it is drawn on: the nearest ancestor (from the
# focused node's parent) whose background is opaque. WCAG's relative luminance.
FOCUS_CONTRAST = """() => {
  const node = document.activeElement;
  const style = getComputedStyle(node);
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  let around = node.parentElement;
  while (around && rgb(getComputedStyle(around).backgroundColor)[3] === 0) {
    around = around.parentElement;
  }
  const background = around ? getComputedStyle(around).backgroundColor : "rgb(255, 255, 255)";
  const luminance = text => {
    const [r, g, b] = rgb(text).slice(0, 3).map(value => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [high, low] = [luminance(style.outlineColor), luminance(background)].sort((x, y) => y - x);
  return {
    width: parseFloat(style.outlineWidth),
    style: style.outlineStyle,
    contrast: (high + 0.05) / (low + 0.05),
  };
}"""


def test_keyboard_focus_is_visible_at_three_to_one(
    live_server, page, client, student, typed_question
):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/practice/question/{typed_question.pk}/")
    main = page.locator("main")
    targets = {  # in Tab order
        "skip link": page.get_by_role("link", name="Skip to main content"),
        "navbar link": page.locator("nav.navbar").get_by_role("link", name="Practice"),
        "link in the page": main.get_by_role("link", name="Practice"),
        "answer box": main.get_by_label("What does it print?"),
        "button": main.get_by_role("button", name="Check my answer"),
    }
    for name, target in targets.items():
        tab_to(page, target)
        measured = page.evaluate(FOCUS_CONTRAST)
        assert measured["style"] != "none" and measured["width"] >= 2, (name, measured)
        assert measured["contrast"] >= 3, (name, measured)
