"""The playground's diagram in a real browser (issue 17 §3): a student edits a program, runs it,
steps the diagram with the slider and "run to line", and reads what is drawn at two steps (a
shared list, then a freed one fading out), the objects' table (id() as the program printed it),
gc.collect() as a step of its own, and two programs side by side stepping together. Three
screenshots are saved under var/screenshots/ and their paths printed."""

import json

import pytest
from playwright.sync_api import expect

from grader.trace import full_steps
from tests.browser.test_diagram import DRAWN, arrows_from
from tests.browser.test_feedback_diagram import log_in
from tests.browser.test_playground_editor import BUNDLE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BUNDLE.exists(), reason="the editor is not built: run `make assets`"),
]

TYPED = [
    "a = [1, 2]",
    "print(id(a))",
    "b = a",
    "b.append(3)",
    "t = [9]",
    "t = None",
    "import gc",
    "n = gc.collect()",
    "print(b, n)",
]


def trace_on(diagram) -> list[dict]:
    return full_steps(json.loads(diagram.locator('script[type="application/json"]').text_content()))


def type_program(page, lines: list[str]) -> None:
    """Replace what the editor holds with `lines`, typed as a student would."""
    editor = page.locator(".cm-editor .cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    for line in lines:
        page.keyboard.type(line)
        page.keyboard.press("Enter")
        page.keyboard.press("Home")  # CodeMirror keeps the indentation; these lines have none


def run_to_line(diagram, line: int) -> dict:
    diagram.locator(".memdiagram-line-input").fill(str(line))
    diagram.locator(".memdiagram-line-input").press("Enter")
    return diagram.evaluate(DRAWN)


def test_edit_run_and_step_the_playground_diagram(
    live_server, page, client, student, save_screenshot
):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/playground/")
    type_program(page, ["print('first draft')"])
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".playground-output")).to_have_text("first draft\n", timeout=30_000)
    # Edit the program that ran, and run the edited one.
    type_program(page, TYPED)
    page.get_by_role("button", name="Run", exact=True).click()
    status = page.locator(".playground-status")
    expect(status).to_have_text("ok", timeout=30_000)
    printed_id, last_line = page.locator(".playground-output").text_content().splitlines()
    diagram = page.locator(".memdiagram")
    steps = trace_on(diagram)

    # Run to line 4: `b = a` has run, so a and b share one list of two items.
    drawn = run_to_line(diagram, 4)
    at_line_4 = next(i for i, s in enumerate(steps) if s["line"] == 4 and s["event"] == "line")
    assert drawn["step"] == at_line_4 and drawn["currentLines"] == [4]
    [shared] = arrows_from(drawn, "<module>:a")
    assert arrows_from(drawn, "<module>:b") == [shared]
    assert len([a for a in drawn["arrows"] if a["from"].startswith(f"{shared}[")]) == 2
    save_screenshot(page.locator("main"), "playground-run-diagram")

    # The slider to the step after `t = None`: the list [9] is freed and fades out.
    after_none = next(i for i, s in enumerate(steps) if s["line"] == 7 and s["event"] == "line")
    diagram.locator(".memdiagram-slider").fill(str(after_none))
    drawn = diagram.evaluate(DRAWN)
    assert drawn["step"] == after_none and drawn["currentLines"] == [7]
    freed = diagram.locator(".memdiagram-gone.is-freed")
    expect(freed).to_have_count(1)
    [freed_label] = steps[after_none]["freed"]
    assert freed.get_attribute("data-gone-label") == freed_label
    assert steps[after_none - 1]["heap"][freed_label]["repr"] == "[9]"
    assert freed_label not in drawn["objects"]
    expect(diagram.locator(".memdiagram-summary")).to_contain_text(f"Freed: {freed_label}.")

    # The objects' table: the list's id() is the one the program printed.
    diagram.locator(".memdiagram-details > summary").click()
    row = diagram.locator(f'.memdiagram-table tr[data-label="{shared}"]')
    expect(row.locator("td").nth(1)).to_have_text(printed_id)
    expect(row.locator("td").nth(4)).to_have_text("tracked, generation 0")
    save_screenshot(diagram, "playground-object-panel")

    # gc.collect() is a step of its own, right after its line is reached.
    run_to_line(diagram, 8)
    diagram.locator(".memdiagram-next").click()
    note = diagram.locator(".memdiagram-collect")
    expect(note).to_be_visible()
    expect(note).to_contain_text("gc.collect() ran (generation 2)")
    expect(row.locator("td").nth(4)).to_have_text("tracked, generation 2")
    assert last_line.endswith(f" {steps[diagram.evaluate(DRAWN)['step']]['collect']['collected']}")

    # Run to a line that never runs again says so, and stays.
    before = diagram.evaluate(DRAWN)["step"]
    assert run_to_line(diagram, 1)["step"] == before
    expect(diagram.locator(".memdiagram-status")).to_have_text(
        f"Line 1 does not run again after step {before + 1}."
    )


def test_two_programs_side_by_side_step_together(
    live_server, page, client, student, save_screenshot
):
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/playground/?example=alias-or-copy")
    page.get_by_role("button", name="Run both side by side").click()
    diagrams = page.locator(".memdiagram-sync .memdiagram")
    expect(diagrams).to_have_count(2, timeout=30_000)
    alias, copy = diagrams.nth(0), diagrams.nth(1)
    # Step the first with the keyboard to where b.append(4) is about to run: the second follows.
    alias_steps = trace_on(alias)
    at_append = next(i for i, s in enumerate(alias_steps) if s["line"] == 3)
    alias.focus()
    for _ in range(at_append):
        page.keyboard.press("ArrowRight")
    shared, copied = alias.evaluate(DRAWN), copy.evaluate(DRAWN)
    assert shared["step"] == copied["step"] == at_append
    assert arrows_from(shared, "<module>:a") == arrows_from(shared, "<module>:b")
    assert arrows_from(copied, "<module>:a") != arrows_from(copied, "<module>:b")
    # And the other way round, with the second's slider.
    copy.locator(".memdiagram-slider").fill("1")
    assert alias.evaluate(DRAWN)["step"] == 1
    copy.locator(".memdiagram-slider").fill(str(at_append + 1))
    assert alias.evaluate(DRAWN)["step"] == at_append + 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(page.locator(".playground-side-by-side"), "playground-side-by-side")


def test_a_trace_stored_before_the_compact_form_still_draws(live_server, page, client, student):
    """A saved program (or a key) whose trace is version 1, whole steps without ids or
    generations, as stored before: drawn as it was, its table saying what it lacks."""
    import grader
    from playground.models import SavedProgram

    source = "a = [1, 2]\nb = a\nprint(a is b)\n"
    outcome = grader.run(source, trace=True).to_dict()
    steps = [
        {
            **{k: v for k, v in step.items() if k not in ("gone", "freed")},
            "heap": {
                label: {k: v for k, v in entry.items() if k not in ("id", "gc", "weakrefs")}
                for label, entry in step["heap"].items()
            },
        }
        for step in full_steps(outcome["trace"])
    ]
    old = {k: v for k, v in outcome["trace"].items() if k != "cut"}
    saved = SavedProgram.objects.create(
        owner=student,
        source=source,
        outcome={**outcome, "trace": {**old, "version": 1, "steps": steps}},
    )
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/playground/p/{saved.link}/")
    diagram = page.locator(".memdiagram")
    diagram.focus()
    page.keyboard.press("End")
    drawn = diagram.evaluate(DRAWN)
    assert drawn["step"] == len(steps) - 1
    [shared] = arrows_from(drawn, "<module>:a")
    assert arrows_from(drawn, "<module>:b") == [shared]
    assert drawn["stdout"] == "True\n"
    diagram.locator(".memdiagram-details > summary").click()
    row = diagram.locator(f'.memdiagram-table tr[data-label="{shared}"]')
    expect(row.locator("td").nth(1)).to_have_text("not recorded")
    expect(row.locator("td").nth(4)).to_have_text("not recorded (an older trace)")
