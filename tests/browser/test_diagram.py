"""The memory diagram in a real browser: stepping, what is drawn, keyboard, phone width.

The page (tests/browser/urls.py) draws traces recorded by the real grader, so every expectation
below is read from that trace or from what CPython's semantics imply (a `del` drops one reference),
never typed in by hand.
"""

import json

import pytest
from playwright.sync_api import expect

from grader.trace import full_steps
from tests.browser import urls

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.urls")]

# What one diagram currently draws, read from the DOM the script built.
DRAWN = """root => ({
  step: Number(root.querySelector('.memdiagram-slider').value),
  status: root.querySelector('.memdiagram-status').textContent,
  currentLines: [...root.querySelectorAll('.memdiagram-line.is-current')]
    .map(line => Number(line.dataset.line)),
  frames: [...root.querySelectorAll('.memdiagram-frame')].map(frame => ({
    name: frame.dataset.frame,
    names: [...frame.querySelectorAll('.memdiagram-name')].map(row => row.dataset.name),
  })),
  objects: Object.fromEntries([...root.querySelectorAll('.memdiagram-object')].map(box => [
    box.dataset.label,
    {
      type: box.dataset.type,
      refcount: box.querySelector('.memdiagram-refcount')?.textContent ?? null,
      flags: [...box.querySelectorAll('.memdiagram-flag')].map(flag => flag.textContent),
    },
  ])),
  arrows: [...root.querySelectorAll('g.memdiagram-arrow')]
    .map(arrow => ({from: arrow.dataset.from, to: arrow.dataset.to})),
  stdout: root.querySelector('.memdiagram-stdout').textContent,
})"""

# Every arrow must start on its slot and end on the edge of its target box, in current layout.
MISPLACED_ARROWS = """root => {
  const origin = root.querySelector('.memdiagram-canvas').getBoundingClientRect();
  const near = (value, low, high) => value >= low - 1.5 && value <= high + 1.5;
  const bad = [];
  for (const arrow of root.querySelectorAll('g.memdiagram-arrow')) {
    const numbers = arrow.querySelector('.memdiagram-arrow-line').getAttribute('d')
      .match(/-?[0-9.]+/g).map(Number);
    const [startX, startY] = numbers;
    const [endX, endY] = numbers.slice(-2);
    const slot = [...root.querySelectorAll('.memdiagram-ref')]
      .find(ref => ref.dataset.source === arrow.dataset.from).getBoundingClientRect();
    const box = root.querySelector(`.memdiagram-object[data-label="${arrow.dataset.to}"]`)
      .getBoundingClientRect();
    const [left, right] = [box.left - origin.left, box.right - origin.left];
    const [top, bottom] = [box.top - origin.top, box.bottom - origin.top];
    const onEdge = near(endX, left, right) && near(endY, top, bottom) && (
      Math.abs(endX - left) < 1.5 || Math.abs(endX - right) < 1.5 ||
      Math.abs(endY - top) < 1.5 || Math.abs(endY - bottom) < 1.5);
    const fromSlot = near(startX, slot.left - origin.left, slot.right - origin.left) &&
      near(startY, slot.top - origin.top, slot.bottom - origin.top);
    if (!onEdge || !fromSlot) bad.push(arrow.dataset.from + ' -> ' + arrow.dataset.to);
  }
  return bad;
}"""


@pytest.fixture
def traces():
    return {"aliasing": urls.trace_of(urls.ALIASING), "call": urls.trace_of(urls.CALL)}


@pytest.fixture
def diagrams(live_server, page, traces):
    page.goto(f"{live_server.url}/diagrams/")
    found = page.locator(".memdiagram")
    assert found.count() == 2
    return found.nth(0), found.nth(1)


def step_index(trace: dict, line: int) -> int:
    """The first step about to run `line` (everything before it has run)."""
    return next(
        index
        for index, step in enumerate(full_steps(trace))
        if step["event"] == "line" and step["line"] == line
    )


def arrows_from(drawn: dict, source: str) -> list[str]:
    return [arrow["to"] for arrow in drawn["arrows"] if arrow["from"] == source]


def step_through_alias_and_append(page, diagram, *, aliased: int, appended: int) -> tuple:
    """Step the diagram of a program that aliases a list (`b = a`) and appends to it, as a reader
    does: by keyboard to the step before line `aliased` runs (the alias made), where `a` and `b`
    point at one list, then with the Next button to the step before line `appended` (the append
    done), where that list has one more item. Returns both drawings and the list's label."""
    trace = json.loads(diagram.locator('script[type="application/json"]').text_content())
    steps = full_steps(trace)
    after_alias = next(i for i, step in enumerate(steps) if step["line"] == aliased)
    after_append = next(i for i, step in enumerate(steps) if step["line"] == appended)
    diagram.focus()
    for _ in range(after_alias):
        page.keyboard.press("ArrowRight")
    before = diagram.evaluate(DRAWN)
    assert before["step"] == after_alias
    [shared] = arrows_from(before, "<module>:a")
    assert arrows_from(before, "<module>:b") == [shared]
    for _ in range(after_append - after_alias):
        diagram.locator(".memdiagram-next").click()
    after = diagram.evaluate(DRAWN)
    assert after["step"] == after_append
    assert arrows_from(after, "<module>:a") == arrows_from(after, "<module>:b") == [shared]
    items = [
        [arrow for arrow in drawn["arrows"] if arrow["from"].startswith(f"{shared}[")]
        for drawn in (before, after)
    ]
    assert len(items[1]) == len(items[0]) + 1, "append adds one element to the one list"
    return before, after, shared


def refcount(drawn: dict, label: str) -> int:
    text = drawn["objects"][label]["refcount"]
    return int(text.removeprefix("refs "))


def test_aliasing_then_del_as_drawn(diagrams, traces, save_screenshot):
    aliasing, call = diagrams
    trace = traces["aliasing"]
    after_alias = step_index(trace, line=3)  # `b = a` has run, `del a` has not
    after_del = step_index(trace, line=4)

    for expected in range(1, after_alias + 1):
        aliasing.locator(".memdiagram-next").click()
        assert aliasing.evaluate(DRAWN)["step"] == expected
    drawn = aliasing.evaluate(DRAWN)
    assert drawn["currentLines"] == [3]
    assert drawn["frames"] == [{"name": "<module>", "names": ["a", "b"]}]
    [shared] = arrows_from(drawn, "<module>:a")
    assert arrows_from(drawn, "<module>:b") == [shared]
    lists = [label for label, box in drawn["objects"].items() if box["type"] == "list"]
    assert lists == [shared], "one list object, with the arrows of both names"
    assert [arrow["to"] for arrow in drawn["arrows"]].count(shared) == 2
    shown_count = refcount(drawn, shared)
    assert shown_count == full_steps(trace)[after_alias]["heap"][shared]["refcount"]
    save_screenshot(aliasing, "diagram-aliasing-desktop")

    aliasing.focus()
    for expected in range(after_alias + 1, after_del + 1):
        aliasing.press("ArrowRight")
        assert aliasing.evaluate(DRAWN)["step"] == expected
    drawn = aliasing.evaluate(DRAWN)
    assert drawn["currentLines"] == [4]
    assert drawn["frames"] == [{"name": "<module>", "names": ["b"]}]
    [still_shared] = arrows_from(drawn, "<module>:b")
    assert drawn["objects"][still_shared]["type"] == "list"
    assert refcount(drawn, still_shared) == shown_count - 1, "del a drops one reference"
    assert not aliasing.evaluate(MISPLACED_ARROWS)

    aliasing.press("End")
    assert aliasing.evaluate(DRAWN)["stdout"] == full_steps(trace)[-1]["stdout"]
    aliasing.press("ArrowLeft")
    assert aliasing.evaluate(DRAWN)["step"] == len(full_steps(trace)) - 2
    assert call.evaluate(DRAWN)["step"] == 0, "the other diagram on the page did not move"


def test_controls_are_labelled_and_reached_with_tab(diagrams, page):
    aliasing, _ = diagrams
    aliasing.focus()
    # The code box first: it scrolls, so the keyboard must reach it too.
    for name in ("Code", "Previous step", "Step", "Next step"):
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_accessible_name(name)
    # The focused slider steps with its own arrow keys, one step per press.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowRight")
    assert aliasing.evaluate(DRAWN)["step"] == 1


def test_call_frame_comes_and_goes_at_phone_width(diagrams, traces, page, save_screenshot):
    _, call = diagrams
    trace = traces["call"]
    inside = next(i for i, step in enumerate(full_steps(trace)) if len(step["frames"]) == 2)
    back = next(
        i for i, step in enumerate(full_steps(trace)) if i > inside and len(step["frames"]) == 1
    )

    page.set_viewport_size({"width": 375, "height": 800})
    call.locator(".memdiagram-slider").fill(str(inside))
    # Frames above the heap once the narrow layout has settled (a loaded machine lays out late;
    # wait_for_function fails the test if it never happens).
    page.wait_for_function(
        "root => root.querySelector('.memdiagram-frames').getBoundingClientRect().bottom"
        " <= root.querySelector('.memdiagram-heap').getBoundingClientRect().top",
        arg=call.element_handle(),
    )
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    drawn = call.evaluate(DRAWN)
    assert [frame["name"] for frame in drawn["frames"]] == ["<module>", "f"]
    assert "f:x" in {arrow["from"] for arrow in drawn["arrows"]}
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways page scroll"
    assert not call.evaluate(MISPLACED_ARROWS)
    save_screenshot(call, "diagram-call-phone")

    call.locator(".memdiagram-slider").fill(str(back))
    assert [frame["name"] for frame in call.evaluate(DRAWN)["frames"]] == ["<module>"]

    page.set_viewport_size({"width": 1200, "height": 900})
    page.wait_for_function(
        "root => root.querySelector('.memdiagram-frames').getBoundingClientRect().right"
        " < root.querySelector('.memdiagram-heap').getBoundingClientRect().left",
        arg=call.element_handle(),
    )
    # Redrawn once the resize is observed (a frame or two later): waited for, not assumed.
    page.wait_for_function(
        f"root => ({MISPLACED_ARROWS})(root).length === 0", arg=call.element_handle()
    )
