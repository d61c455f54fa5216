"""Functions in the memory diagram (issue 9, section 4): a default value hangs off its function
for as long as the function lives, and late-binding closures share one cell while early-binding
ones hold their own defaults.

The traces come from the real grader; expectations are read from them or from what CPython's
semantics imply, never typed in by hand.
"""

import pytest

from content import services as content_services
from grader.trace import full_steps
from tests.browser import urls
from tests.browser.test_diagram import DRAWN, MISPLACED_ARROWS, arrows_from

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.urls")]

# Which arrows start in a function's box, and where each ends.
FUNCTION_ARROWS = """root => [...root.querySelectorAll('g.memdiagram-arrow')]
  .filter(arrow => / (defaults|kwdefaults|cells) /.test(arrow.dataset.from))
  .map(arrow => ({from: arrow.dataset.from, to: arrow.dataset.to,
                  dashed: arrow.classList.contains('is-via-cell')}))"""


@pytest.fixture
def diagrams(live_server, page):
    page.goto(f"{live_server.url}/diagrams/functions/")
    found = page.locator(".memdiagram[data-memdiagram-ready]")
    assert found.count() == 2
    return found.nth(0), found.nth(1)


def show_step(diagram, index: int) -> dict:
    diagram.locator(".memdiagram-slider").fill(str(index))
    return diagram.evaluate(DRAWN)


def function_label(step: dict, name: str) -> str:
    return next(local["ref"] for local in step["frames"][0]["locals"] if local["name"] == name)


@pytest.mark.parametrize("width", [1200, 390])
def test_default_list_is_drawn_with_an_arrow_from_its_function(
    diagrams, page, width, save_screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    defaults, _ = diagrams
    trace = urls.trace_of(urls.DEFAULTS)
    # Every step after the def: the list lives on the function, even between the calls.
    after_def = [
        i
        for i, step in enumerate(full_steps(trace))
        if step["frames"]
        and any(local["name"] == "remember" for local in step["frames"][0]["locals"])
    ]
    assert after_def
    for index in after_def:
        step = full_steps(trace)[index]
        function = function_label(step, "remember")
        [default] = [d["ref"] for d in step["heap"][function]["defaults"] if d["name"] == "seen"]
        drawn = show_step(defaults, index)
        assert drawn["objects"][default]["type"] == "list", f"step {index}"
        arrows = defaults.evaluate(FUNCTION_ARROWS)
        assert {"from": f"{function} defaults seen", "to": default, "dashed": False} in arrows
        assert not defaults.evaluate(MISPLACED_ARROWS)
    last = full_steps(trace)[-1]
    function = function_label(last, "remember")
    [default] = last["heap"][function]["defaults"]
    printed_defaults = last["stdout"].splitlines()[-1]
    assert printed_defaults == f"({last['heap'][default['ref']]['repr']},)"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(defaults, f"diagram-defaults-{width}")


@pytest.mark.parametrize("width", [1200, 390])
def test_late_lambdas_share_one_cell_and_early_ones_hold_defaults(
    diagrams, page, width, save_screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    _, closures = diagrams
    trace = urls.trace_of(urls.CLOSURES)
    end = len(full_steps(trace)) - 1
    show_step(closures, end)
    arrows = closures.evaluate(FUNCTION_ARROWS)
    late_cells = {a["to"] for a in arrows if a["from"].endswith(" cells i")}
    early_defaults = [a["to"] for a in arrows if a["from"].endswith(" defaults i")]
    assert len(late_cells) == 1, "three late lambdas, one shared cell"
    assert len([a for a in arrows if a["from"].endswith(" cells i")]) == 3
    assert len(set(early_defaults)) == 3, "each early lambda holds its own value"
    [cell] = late_cells
    drawn = closures.evaluate(DRAWN)
    assert drawn["objects"][cell]["type"] == "cell"
    assert drawn["objects"][cell]["refcount"] == "refs 3"
    assert not closures.evaluate(MISPLACED_ARROWS)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(closures, f"diagram-closures-{width}")

    inside = next(
        i
        for i, step in enumerate(full_steps(trace))
        if [frame["name"] for frame in step["frames"]][-1:] == ["<lambda>"]
        and step["frames"][-1]["locals"]
    )
    drawn = show_step(closures, inside)
    # The running lambda's frame holds the shared cell: one more reference, drawn as an arrow.
    assert arrows_from(drawn, "<lambda>:i") == [cell]
    assert (
        drawn["objects"][cell]["refcount"]
        == f"refs {full_steps(trace)[inside]['heap'][cell]['refcount']}"
    )
    assert (
        [a["to"] for a in drawn["arrows"]].count(cell)
        == 4
        == int(drawn["objects"][cell]["refcount"].removeprefix("refs "))
    )
    assert not closures.evaluate(MISPLACED_ARROWS)
    save_screenshot(closures, f"diagram-closures-call-{width}")


def fixture_page(slug: str) -> dict:
    """A concept page as fixtures/ has it (the content the issue was found on)."""
    import tomllib
    from pathlib import Path

    from django.conf import settings

    for path in sorted(Path(settings.BASE_DIR, "fixtures").rglob("*.toml")):
        for page in tomllib.loads(path.read_text()).get("pages", []):
            if page["slug"] == slug:
                return page
    raise AssertionError(f"no page {slug!r} in fixtures/")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_fixture_page_on_defaults_draws_the_default_list_from_the_function(
    live_server, page, topic, width, save_screenshot
):
    from content.models import ConceptPage

    content = fixture_page("call-by-sharing")
    concept = ConceptPage.objects.create(
        topic=topic, slug=content["slug"], title=content["title"], body=content["body"]
    )
    content_services.refresh_page_outputs(concept)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{concept.get_absolute_url()}")
    diagrams = page.locator(".memdiagram[data-memdiagram-ready]")
    assert diagrams.count() == concept.block_outputs.count()
    diagram = diagrams.filter(has_text="seen=[]").first
    diagram.focus()
    page.keyboard.press("End")
    drawn = diagram.evaluate(DRAWN)
    arrows = diagram.evaluate(FUNCTION_ARROWS)
    defaults = [a for a in arrows if a["from"].endswith(" defaults seen")]
    assert len(defaults) == 1, arrows
    assert drawn["objects"][defaults[0]["to"]]["type"] == "list"
    assert not diagram.evaluate(MISPLACED_ARROWS)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(diagram, f"fixture-defaults-{width}")
