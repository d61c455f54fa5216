"""The misconception report in a real browser, under the site's CSP: an instructor goes from the
course's item analysis to the report of a scripted class (tests/analytics), reads its weekly
counts and charts, finds no serious accessibility violation (axe-core) and downloads the CSV.
A screenshot goes to a printed path."""

import pytest
from playwright.sync_api import expect

from courses.models import Course
from tests.analytics import conftest as simulation
from tests.analytics import test_misconception_report as report
from tests.browser.axe import axe_violations, blocking
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser
# The scripted class's fixtures, registered here (a conftest applies to its own folder only).
class_quiz, enrol, course = simulation.class_quiz, simulation.enrol, simulation.course
deletion_quiz, scripted_class = report.deletion_quiz, report.scripted_class


@pytest.mark.usefixtures("scripted_class")
def test_the_misconception_report_of_a_scripted_class(
    live_server, page, client, instructor, save_screenshot
):
    taught = Course.objects.get()
    log_in(page, client, live_server, instructor)
    page.goto(f"{live_server.url}/teach/{taught.slug}/misconceptions/")
    page.get_by_role("link", name="Every misconception matched").click()

    course_table = page.locator('section[data-view="course"] tr.matched-row')
    expect(course_table).to_have_count(len(report.COURSE_ROWS))
    copies = page.locator(f'section[data-view="course"] tr[data-misconception="{report.COPIES}"]')
    expect(copies.locator(".matched-week")).to_have_text(
        [str(n) for n in report.COURSE_ROWS[report.COPIES]]
    )
    chart = copies.locator("svg.week-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("rect.week-bar")).to_have_count(2)  # the empty week draws no bar
    ada_deletes = f'tr[data-group="ada"][data-misconception="{report.DELETES}"]'
    student_table = page.locator('section[data-view="student"]')
    expect(student_table.locator(f"{ada_deletes} .matched-total")).to_have_text("1")
    expect(copies.locator(".diagnosing-questions a")).to_have_count(2)
    assert blocking(axe_violations(page)) == []
    save_screenshot(page.locator("main"), "misconception-report")

    with page.expect_download() as download:
        page.locator("a.misconception-report-csv").click()
    assert download.value.path().read_text().startswith("view,group,misconception,belief,total,")
