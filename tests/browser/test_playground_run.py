"""The playground's Run in a real browser, drawn in place (issue 17 §4): the page posts to
/playground/run/ and draws the answer (playground/static/playground/run.js) without loading the
page again; a refusal is shown with its line marked, a limit with its message; with JavaScript
off the form still posts and the page comes back with the result."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import watched_page
from tests.browser.test_diagram import step_through_alias_and_append
from tests.browser.test_feedback_diagram import log_in
from tests.browser.test_playground_diagram import type_program
from tests.browser.test_playground_editor import BUNDLE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BUNDLE.exists(), reason="the editor is not built: run `make assets`"),
]


def mark_the_page(page) -> None:
    """A mark that a page load would lose, to tell a run drawn in place from a new page."""
    page.evaluate("() => { document.body.dataset.notReloaded = 'yes'; }")


def test_a_run_is_drawn_in_place_and_steps(live_server, page, client, student):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/playground/")
    mark_the_page(page)
    runs = []
    page.on("request", lambda request: runs.append(request.url) if request.method == "POST" else 0)
    type_program(page, ["a = [1, 2]", "b = a", "b.append(3)", "print(a, a is b)"])
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".playground-status")).to_have_text("ok", timeout=30_000)
    expect(page.locator(".playground-output")).to_have_text("[1, 2, 3] True\n")
    assert page.evaluate("() => document.body.dataset.notReloaded") == "yes"
    assert runs == [f"{live_server.url}/playground/run/"]
    expect(page.locator(".playground-announce")).to_have_text("ok: Ran to the end")
    step_through_alias_and_append(page, page.locator(".memdiagram"), aliased=3, appended=4)

    # A second run replaces the first result: one result, the new output.
    type_program(page, ["print('again')"])
    page.keyboard.press("Control+Enter")
    expect(page.locator(".playground-output")).to_have_text("again\n", timeout=30_000)
    assert page.locator(".playground-result").count() == 1
    assert page.evaluate("() => document.body.dataset.notReloaded") == "yes"


def test_a_refusal_is_shown_with_its_line_marked(live_server, page, client, student):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/playground/")
    type_program(page, ["x = 1", "import os", "print(os.getcwd())"])
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".playground-status")).to_have_text("rejected", timeout=30_000)
    expect(page.locator(".playground-reason-line")).to_have_text("line 2")
    expect(page.locator(".playground-reasons")).to_contain_text("importing")
    expect(page.locator(".playground-line-flagged")).to_have_count(1)
    expect(page.locator(".playground-line-flagged")).to_have_id("source-line-2")
    expect(page.locator(".playground-output")).to_have_count(0)


def test_a_limit_is_shown_with_its_message(live_server, browser, client, student, settings):
    settings.RATE_LIMITS = {"playground": (1, 60)}
    with watched_page(browser, expected=frozenset({429})) as page:
        log_in(page, client, live_server, student)
        page.goto(f"{live_server.url}/playground/")
        mark_the_page(page)
        type_program(page, ["print(1)"])
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.locator(".playground-output")).to_have_text("1\n", timeout=30_000)
        page.get_by_role("button", name="Run", exact=True).click()
        refused = page.locator(".playground-refused")
        expect(refused).to_contain_text("the most one person may", timeout=30_000)
        expect(page.locator(".playground-result")).to_have_count(0)
        assert page.refusals == [429]
        assert page.evaluate("() => document.body.dataset.notReloaded") == "yes"
        assert page.locator(".cm-line").first.text_content() == "print(1)"  # nothing is lost


def test_without_javascript_the_form_posts_the_page(live_server, browser, client, student):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, client, live_server, student)
        page.goto(f"{live_server.url}/playground/")
        page.locator("textarea#id_source").fill("print('no script')\n")
        with page.expect_navigation():
            page.get_by_role("button", name="Run", exact=True).click()
        assert page.url == f"{live_server.url}/playground/"
        expect(page.locator(".playground-status")).to_have_text("ok")
        expect(page.locator(".playground-output")).to_have_text("no script\n")
        expect(page.locator("noscript")).to_have_count(1)
    finally:
        context.close()
