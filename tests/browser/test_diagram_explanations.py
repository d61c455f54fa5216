"""The diagram's words that need explaining ("cached", "interned", "immortal", "refs", "cell") are
buttons a keyboard reaches (issue 19): the explanation is the button's description, so a screen
reader reads it with the word, and Enter or Space shows it under the word for a sighted keyboard
user (Escape hides it again). No tooltip holds it any more. The traces are the real grader's."""

import pytest
from playwright.sync_api import expect

from grader.trace import full_steps
from tests.browser import urls
from tests.browser.test_diagram import MISPLACED_ARROWS

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.urls")]

CACHED_HELP = "CPython keeps one shared object for each small int (-5 to 256)"


# Each explained word of the page's diagrams: its element and the text its description names.
EXPLAINED = """diagrams => diagrams.flatMap(root => [...root.querySelectorAll(
  '.memdiagram-flag, .memdiagram-objects .memdiagram-refcount, .memdiagram-cell-tag,' +
  ' .memdiagram-object-head .memdiagram-refcount')].map(word => [
    word.tagName,
    document.getElementById(word.getAttribute('aria-describedby') || '')?.textContent || '',
  ]))"""


def tab_to(page, selector: str, limit: int = 40):
    """Press Tab until the focused element matches `selector`; the element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return page.locator(":focus")
    raise AssertionError(f"{limit} Tabs never reached {selector}")


def test_a_flag_and_a_count_are_explained_by_keyboard(live_server, page, save_screenshot):
    trace = urls.trace_of(urls.ALIASING)
    last = full_steps(trace)[-1]
    ints = [o for o in last["heap"].values() if "small_int_cache" in o["flags"]]
    assert ints, "CPython caches the list's small ints: the grader's trace says so"
    page.goto(f"{live_server.url}/diagrams/")
    diagram = page.locator(".memdiagram").first
    diagram.focus()
    page.keyboard.press("End")  # the last step: the list and its cached ints are drawn

    flag = tab_to(page, ".memdiagram-flag-small_int_cache")
    expect(flag).to_have_accessible_name("cached")
    expect(flag).to_have_accessible_description(CACHED_HELP)
    expect(flag).to_have_attribute("aria-expanded", "false")
    note = page.locator("#" + flag.get_attribute("aria-controls"))
    expect(note).to_be_hidden()
    page.keyboard.press("Enter")
    expect(note).to_be_visible()
    expect(note).to_have_text(CACHED_HELP)
    expect(flag).to_have_attribute("aria-expanded", "true")
    # The box grew under the open explanation: every arrow still ends on its box.
    expect(flag).to_be_focused()
    page.wait_for_timeout(100)  # the arrows are redrawn on the next animation frame
    assert diagram.evaluate(MISPLACED_ARROWS) == []
    save_screenshot(diagram, "diagram-flag-explained")
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    expect(flag).to_have_attribute("aria-expanded", "false")

    diagram.focus()
    count = tab_to(page, ".memdiagram-refcount")
    expect(count).to_have_accessible_name(count.text_content())
    expect(count).to_have_accessible_description(
        "the object's reference count: how many references to it CPython counts "
        "(the note under the diagram says which)"
    )
    page.keyboard.press(" ")
    expect(page.locator("#" + count.get_attribute("aria-controls"))).to_be_visible()
    # Every flag, count and cell tag drawn is such a button; none keeps its words in a title.
    described = page.locator(".memdiagram").evaluate_all(EXPLAINED)
    assert described and all(tag == "BUTTON" and help for tag, help in described), described
    words = ".memdiagram-flag, .memdiagram-refcount, .memdiagram-cell-tag, .memdiagram-flags"
    assert page.locator(f":is({words})[title]").count() == 0
