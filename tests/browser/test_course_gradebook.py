"""The gradebook in a real browser: an instructor sorts it by total, filters a section, follows a
student's row to their attempts and an attempt to its answers as the student saw them. Students'
attempts are taken through the services against keys the grader computed. A screenshot of the
gradebook is saved to a printed path."""

import pytest
from playwright.sync_api import expect

from courses import services
from courses.models import Enrolment
from tests.browser.test_feedback_diagram import log_in
from tests.courses.test_gradebook import take

pytestmark = pytest.mark.browser


@pytest.fixture
def teacher(make_user, instructors_group):
    """An instructor (tests/conftest.py's instructors_group makes the group again, with its
    permissions, when a live-server test before this one flushed it)."""
    user = make_user("teacher", is_staff=True)
    user.groups.add(instructors_group)
    return user


@pytest.fixture
def taught(db, teacher, quiz, make_user):
    """Six students in two sections; even ones answer right, odd ones wrong; one has time ×1.5."""
    course = services.course_create(
        title="Python memory", slug="pymem", instructors=[teacher], sections=["A", "B"]
    )
    services.course_quiz_assign(course=course, quiz=quiz)
    sections = list(course.sections.order_by("name"))
    for number in range(6):
        student = make_user(f"learner{number}")
        Enrolment.objects.create(course=course, section=sections[number % 2], student=student)
        take(student, quiz, right=number % 2 == 0)
    services.accommodation_set(course=course, student=student, quiz=quiz, time_multiplier=1.5)
    return course


def test_the_gradebook_sorts_filters_and_leads_to_an_attempt(
    live_server, page, client, teacher, taught, quiz, save_screenshot
):
    log_in(page, client, live_server, teacher)
    page.goto(f"{live_server.url}/teach/{taught.slug}/gradebook/")
    rows = page.locator("tr.gradebook-row")
    expect(rows).to_have_count(6)
    page.get_by_role("link", name="Total").click()  # ascending: the zeros first
    expect(rows.first.locator(".gradebook-total")).to_have_text("0")
    page.get_by_role("link", name="Total ▲").click()  # again: descending
    expect(rows.first.locator(".gradebook-total")).to_have_text("4")
    save_screenshot(page.locator("main"), "gradebook")

    page.get_by_label("Section").select_option(label="B")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(3)
    expect(page.locator(".gradebook-total")).to_have_text(["0", "0", "0"])

    rows.first.get_by_role("link", name="learner").click()
    expect(page.locator("table.student-attempts tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Answers", exact=True).click()
    expect(page.locator("section.review-item")).to_have_count(quiz.quiz_questions.count())
    expect(page.locator(".choices-seen").first).to_be_visible()
    expect(page.locator(".real-output").first).to_be_visible()
    save_screenshot(page.locator("main"), "gradebook-attempt")
