"""The playground in a real browser (issue 17): the CodeMirror editor replaces the textarea,
a student types a program, runs it from the keyboard, and steps its memory diagram; no CSP
refusal on the way (the page fixture fails on any console error)."""

import json

import pytest
from django.conf import settings

from grader.trace import full_steps
from tests.browser.test_diagram import DRAWN, arrows_from
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
    trace = json.loads(diagram.locator('script[type="application/json"]').text_content())
    after_alias = next(i for i, s in enumerate(full_steps(trace)) if s["line"] == 3)
    after_append = next(i for i, s in enumerate(full_steps(trace)) if s["line"] == 4)
    diagram.focus()
    for _ in range(after_alias):
        page.keyboard.press("ArrowRight")
    drawn = diagram.evaluate(DRAWN)
    assert drawn["step"] == after_alias
    [shared] = arrows_from(drawn, "<module>:a")
    assert arrows_from(drawn, "<module>:b") == [shared]
    items_before = [a for a in drawn["arrows"] if a["from"].startswith(f"{shared}[")]
    for _ in range(after_append - after_alias):
        diagram.locator(".memdiagram-next").click()
    drawn = diagram.evaluate(DRAWN)
    assert drawn["step"] == after_append
    items_after = [a for a in drawn["arrows"] if a["from"].startswith(f"{shared}[")]
    assert len(items_after) == len(items_before) + 1, "append adds one element to the one list"
    save_screenshot(page.locator("main"), "playground-run-diagram")
