"""The playground in a real browser (issue 17): the CodeMirror editor replaces the textarea,
a student types a program, runs it from the keyboard, and steps its memory diagram; no CSP
refusal on the way (the page fixture fails on any console error)."""

import pytest
from django.conf import settings

from tests.browser.test_diagram import step_through_alias_and_append
from tests.browser.test_feedback_diagram import log_in

BUNDLE = settings.BASE_DIR / "playground" / "static" / "playground" / "editor.bundle.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BUNDLE.exists(), reason="the editor is not built: run `make assets`"),
]

PROGRAM = ["a = [1, 2]", "b = a", "b.append(3)", "print(a, a is b)"]


def test_type_run_and_step_through_a_program(live_server, page, client, student, save_screenshot):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/playground/")
    editor = page.locator(".cm-editor .cm-content")
    assert page.locator("textarea#id_source").is_hidden(), "the editor replaces the textarea"
    assert page.locator(".cm-lineNumbers").count() == 1
    editor.click()
    for line in PROGRAM:
        page.keyboard.type(line)
        page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")  # runs without leaving the keyboard
    page.wait_for_url("**/playground/", timeout=30_000)
    status = page.locator(".playground-status")
    status.wait_for(timeout=30_000)
    assert status.text_content() == "ok", page.locator(".playground-result").inner_text()
    assert page.locator(".playground-output").text_content() == "[1, 2, 3] True\n"
    # The typed program is back in the editor, highlighted (keywords get their own spans).
    assert page.locator(".cm-line").first.text_content() == PROGRAM[0]

    diagram = page.locator(".memdiagram")
    step_through_alias_and_append(page, diagram, aliased=3, appended=4)
    save_screenshot(page.locator("main"), "playground-run-diagram")
