"""axe-core on the playground's page states (issues 17 §3 and 19): the editor, a run with its
diagram at a middle step with the objects' table open, the step where an object is freed, the
gc.collect() step, a refused program, two programs side by side and a saved program. No critical
and no serious violation of WCAG 2.2 AA, at a desktop's width and at 390 px; the counts per state
are printed. A keyboard-only pass runs to a line and opens the table."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import report
from tests.browser.test_feedback_diagram import log_in
from tests.browser.test_narrow_pages import DESKTOP, PHONE
from tests.browser.test_playground_diagram import TYPED, run_to_line, type_program
from tests.browser.test_playground_editor import BUNDLE
from tests.helpers import REJECTED_SNIPPET

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BUNDLE.exists(), reason="the editor is not built: run `make assets`"),
]


def run_program(page, lines: list[str]) -> None:
    type_program(page, lines)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".playground-status")).to_be_visible(timeout=30_000)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "desktop"])
def test_playground_states_have_no_serious_violation(
    live_server, page, client, student, viewport, capsys
):
    page.set_viewport_size(viewport)
    width = viewport["width"]
    log_in(page, client, live_server, student)
    failures = {}

    def check(name):
        if found := report(page, name, width, capsys):
            failures[name] = found

    page.goto(f"{live_server.url}/playground/")
    check("playground editor")
    run_program(page, TYPED)
    diagram = page.locator(".memdiagram")
    diagram.locator(".memdiagram-details > summary").click()
    run_to_line(diagram, 4)
    check("playground diagram, middle step, objects' table open")
    run_to_line(diagram, 7)
    expect(diagram.locator(".memdiagram-gone.is-freed")).to_have_count(1)
    check("playground diagram, an object freed")
    run_to_line(diagram, 8)
    # Stepped with the keyboard: a mouse left over a button would catch its hover transition.
    diagram.focus()
    page.keyboard.press("ArrowRight")
    expect(diagram.locator(".memdiagram-collect")).to_be_visible()
    check("playground diagram, gc.collect() step")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    run_program(page, REJECTED_SNIPPET.splitlines())
    expect(page.locator(".playground-reasons")).to_be_visible()
    check("playground refused program")

    page.goto(f"{live_server.url}/playground/?example=alias-or-copy")
    page.get_by_role("button", name="Run both side by side").click()
    expect(page.locator(".memdiagram-sync .memdiagram")).to_have_count(2, timeout=30_000)
    page.locator(".memdiagram-sync .memdiagram").first.focus()
    page.keyboard.press("ArrowRight")
    check("playground side by side")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server.url}/playground/")
    type_program(page, ["a = [1]", "b = a"])
    page.get_by_role("button", name="Save and get a link").click()
    expect(page.locator("h1")).to_have_text("Saved program", timeout=30_000)
    check("playground saved program")
    assert not failures, failures


def test_the_new_controls_work_from_the_keyboard(live_server, page, client, student):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/playground/")
    run_program(page, TYPED)
    diagram = page.locator(".memdiagram")
    line_input = diagram.locator(".memdiagram-line-input")
    line_input.focus()
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    expect(diagram.locator(".memdiagram-line.is-current")).to_have_attribute("data-line", "6")
    # Arrow keys in the field move its caret, not the step.
    page.keyboard.press("ArrowLeft")
    expect(diagram.locator(".memdiagram-line.is-current")).to_have_attribute("data-line", "6")
    summary = diagram.locator(".memdiagram-details > summary")
    # The Go button, the scrollable drawing and its explained words (buttons: cached, refs, ...),
    # then the objects' table's summary.
    for _ in range(40):
        page.keyboard.press("Tab")
        if summary.evaluate("node => node === document.activeElement"):
            break
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(diagram.locator(".memdiagram-table")).to_be_visible()
    page.keyboard.press("ArrowRight")  # outside a field, the arrows step the diagram
    expect(diagram.locator(".memdiagram-line.is-current")).to_have_attribute("data-line", "7")
    expect(diagram.locator(".memdiagram-table-caption")).to_contain_text("Objects at step")
