"""The diagram on the site's own pages: under a concept-page block, and in the feedback a quiz
sends back with each saved answer (added to the page by attempt.js after it loaded).

Traces come from the real grader (services store them); expectations are read from the stored
trace or follow from CPython's semantics (`b = a` binds a second name to the same list).
"""

import pytest

from content import services as content_services
from content.models import ConceptPage
from grader.trace import full_steps
from quizzes import grading, services
from quizzes.models import Quiz
from tests.browser.test_diagram import DRAWN, MISPLACED_ARROWS, arrows_from
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser

BLOCK = "a = [1, 2]\nb = a\nprint(a is b)\n"


def last_step(diagram) -> dict:
    """Move the diagram to its last step (End key) and return what it draws."""
    diagram.focus()
    diagram.page.keyboard.press("End")
    return diagram.evaluate(DRAWN)


def test_concept_page_block_has_its_diagram(live_server, page, topic, save_screenshot):
    concept = ConceptPage.objects.create(
        topic=topic, slug="aliasing", title="Aliasing", body=f"```python\n{BLOCK}```\n"
    )
    content_services.refresh_page_outputs(concept)
    trace = concept.block_outputs.get().trace
    page.goto(f"{live_server.url}{concept.get_absolute_url()}")

    diagram = page.locator(".concept-body .memdiagram")
    assert diagram.count() == 1
    drawn = last_step(diagram)
    assert drawn["step"] == len(full_steps(trace)) - 1
    [shared] = arrows_from(drawn, "<module>:a")
    assert arrows_from(drawn, "<module>:b") == [shared]
    assert drawn["stdout"] == concept.block_outputs.get().outcome["stdout"]
    assert not diagram.evaluate(MISPLACED_ARROWS)
    save_screenshot(page.locator(".concept-body"), "concept-block-diagram")


def test_feedback_after_each_answer_draws_its_diagram_when_it_arrives(
    live_server, page, client, student, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = services.start_attempt(user=student, quiz=quiz)
    log_in(page, client, live_server, student)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    assert page.locator(".memdiagram").count() == 0, "no diagram before the answer"

    page.get_by_label("What does it print?").fill(grading.expected_text(typed_question.answer_key))
    page.get_by_role("button", name="Save answer").click()
    diagram = page.locator(".feedback-slot .memdiagram[data-memdiagram-ready]")
    diagram.wait_for()
    drawn = last_step(diagram)
    assert drawn["step"] == len(full_steps(typed_question.key_trace)) - 1
    assert drawn["stdout"] == typed_question.answer_key["stdout"]
    [shared] = arrows_from(drawn, "<module>:a")
    assert arrows_from(drawn, "<module>:b") == [shared]
    assert not diagram.evaluate(MISPLACED_ARROWS)
