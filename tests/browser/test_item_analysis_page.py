"""Item analysis in a real browser, under the site's CSP: an instructor goes from the gradebook
to a quiz's item analysis, reads the figures of a simulated class (the pure functions' on the
matrix its plan implies), switches to all attempts and downloads the CSV. The bars are SVG drawn
by the server; the `page` fixture fails on any CSP refusal. A screenshot goes to a printed path."""

import pytest
from playwright.sync_api import expect

from analytics.statistics import analyse
from courses.models import Course
from tests.analytics import conftest as simulation
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser
PLAN, POINTS, SECOND_ATTEMPT = simulation.PLAN, simulation.POINTS, simulation.SECOND_ATTEMPT
expected_row = simulation.expected_row
# The simulated class's fixtures, registered here (a conftest applies to its own folder only).
class_quiz, enrol, simulated_class = (
    simulation.class_quiz,
    simulation.enrol,
    simulation.simulated_class,
)
course = simulation.course


@pytest.mark.usefixtures("simulated_class")
def test_item_analysis_of_a_simulated_class(live_server, page, client, instructor, save_screenshot):
    taught = Course.objects.get()  # the `course` fixture's
    items, test = analyse([expected_row(plan) for plan in PLAN], [POINTS] * 3)
    log_in(page, client, live_server, instructor)
    page.goto(f"{live_server.url}/teach/{taught.slug}/gradebook/")
    page.get_by_role("link", name="Item analysis").click()
    expect(page.locator("section.topic-misconceptions .misconception-label").first).to_have_text(
        "assignment copies"
    )
    expect(page.locator("a.concept-link")).to_have_text(["Names and objects"])
    page.get_by_role("link", name="Memory quiz").click()

    rows = page.locator("tr.item-row")
    expect(rows).to_have_count(3)
    expect(page.locator(".item-facility")).to_have_text([f"{i.facility:.3f}" for i in items])
    expect(page.locator(".item-discrimination")).to_have_text(
        [f"{i.discrimination:.3f}" for i in items]
    )
    expect(page.locator(".stat-alpha")).to_have_text(f"{test.alpha:.3f}")
    expect(page.locator(".stat-n")).to_have_text(str(len(PLAN)))
    bar = rows.first.locator("svg.analysis-bar").first
    expect(bar).to_be_visible()
    assert bar.bounding_box()["width"] == 100
    expect(page.locator("table.choice-shares .group-label")).to_have_text(
        ["(right answer)", "assignment copies", "is compares values"]
    )
    save_screenshot(page.locator("main"), "item-analysis")

    page.get_by_role("link", name="Include all attempts").click()
    expect(page.locator(".stat-n")).to_have_text(str(len(PLAN) + 1))
    all_items, _ = analyse([expected_row(plan) for plan in [*PLAN, SECOND_ATTEMPT]], [POINTS] * 3)
    expect(page.locator(".item-facility")).to_have_text([f"{i.facility:.3f}" for i in all_items])
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    path = download.value.path()
    assert path.read_text().startswith("question_slug,n,facility,discrimination")
