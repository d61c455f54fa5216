"""Every student page at a phone's width (390 px) and at a desktop's (issue 9, section 4): the
page never scrolls sideways, the attempts table keeps its Result link in view, and a memory
diagram's wrapped code lines keep their numbers in a column of their own.

The content is real: keys, outputs and traces come from the grader through the services, and the
titles and snippets are as long as the fixtures' longest.
"""

import pytest
from django.urls import reverse

from content import services as content_services
from content.models import ConceptPage
from quizzes import grading, services
from quizzes.models import Question, Quiz
from tests.browser.test_feedback_diagram import log_in
from tests.browser.urls import DEFAULTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_TITLE = "Checkpoint: where the notes and CPython disagree about identity and copying"
# A line longer than a phone's width, so that it wraps inside the diagram's code box.
LONG_LINE = (
    'message = "a default value is evaluated once, when def runs, and shared by every call"\n'
)
BLOCK = DEFAULTS + LONG_LINE + "print(message)\n"

OVERFLOW = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll('body *')]
    .filter(node => node.getBoundingClientRect().right > window.innerWidth + 0.5
      && !node.closest('.memdiagram-canvas, .memdiagram-code, pre, .table-stack'))
    .filter(node => getComputedStyle(node).position !== 'fixed')
    .slice(0, 5).map(node => node.tagName + '.' + node.className),
})"""

# For each code line of each diagram: does its text stay right of its number, wrapped or not?
CODE_LINES = """() => [...document.querySelectorAll('.memdiagram-line')].map(line => {
  const number = line.querySelector('.memdiagram-lineno').getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(line.lastChild);
  const rows = [...range.getClientRects()].filter(rect => rect.width > 0);
  const tops = new Set(rows.map(rect => Math.round(rect.top)));
  return {
    line: Number(line.dataset.line),
    rows: tops.size,
    textLeft: Math.min(...rows.map(rect => rect.left)),
    numberRight: number.right,
  };
})"""


@pytest.fixture
def site(db, student, topic, make_question, make_quiz):
    """A topic with a concept page, practice questions (one answered), a quiz with a submitted
    attempt and another quiz with one in progress: every kind of student page has something."""
    concept = ConceptPage.objects.create(
        topic=topic,
        slug="default-values",
        title="Default values are evaluated once",
        body=f"Defaults live on the function.\n\n```python\n{BLOCK}```\n",
    )
    content_services.refresh_page_outputs(concept)
    typed = make_question(BLOCK)
    answered = make_question(DEFAULTS)
    # A choice question whose options are the real output and two long wrong ones.
    choice = make_question(
        BLOCK,
        mode=Question.AnswerMode.CHOICE,
        choices=lambda key: [
            grading.expected_text(key),
            grading.expected_text(key).replace("'b'", "'b', 'c'") + LONG_LINE,
            LONG_LINE * 2,
        ],
    )
    practice = services.answer_practice(user=student, question=answered, answer_text="wrong\n")
    submitted_quiz = make_quiz([typed, answered, choice], slug="checkpoint", title=LONG_TITLE)
    finished = services.start_attempt(user=student, quiz=submitted_quiz)
    services.submit_attempt(attempt=finished)
    open_quiz = make_quiz(
        [typed, choice],
        slug="open",
        title=LONG_TITLE + " (second part)",
        feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER,
    )
    in_progress = services.start_attempt(user=student, quiz=open_quiz)
    return {
        "home": reverse("home"),
        "concept list": reverse("concept_list"),
        "concept page": concept.get_absolute_url(),
        "practice topics": reverse("practice_topics"),
        "practice topic": reverse("practice_topic", args=[topic.slug]) + "?review",
        "practice question": reverse("practice_question", args=[typed.pk]),
        "practice choice question": reverse("practice_question", args=[choice.pk]),
        "practice feedback": reverse("practice_feedback", args=[practice.pk]),
        "quiz list": reverse("quiz_list"),
        "quiz detail": reverse("quiz_detail", args=[submitted_quiz.slug]),
        "attempt take": reverse("attempt_take", args=[in_progress.pk]),
        "attempt result": reverse("attempt_result", args=[finished.pk]),
        "attempt list": reverse("attempt_list"),
        "how answers are checked": reverse("how_answers_are_checked"),
    }


ANONYMOUS_PAGES = {"login": "login", "signup": "signup"}


def check_page(page, url: str, name: str, width: int, save_screenshot):
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], (name, width, measured)
    assert not measured["wide"], (name, width, measured)
    save_screenshot(page.locator("body"), f"page-{name.replace(' ', '-')}-{width}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "desktop"])
def test_no_student_page_scrolls_sideways(
    live_server, page, client, student, site, viewport, save_screenshot
):
    page.set_viewport_size(viewport)
    log_in(page, client, live_server, student)
    for name, path in site.items():
        check_page(page, live_server.url + path, name, viewport["width"], save_screenshot)
    page.context.clear_cookies()
    for name, url_name in ANONYMOUS_PAGES.items():
        url = live_server.url + reverse(url_name)
        check_page(page, url, name, viewport["width"], save_screenshot)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "desktop"])
def test_result_links_of_the_attempts_tables_are_in_view(
    live_server, page, client, student, site, viewport
):
    page.set_viewport_size(viewport)
    log_in(page, client, live_server, student)
    for name in ("attempt list", "quiz detail"):
        page.goto(live_server.url + site[name])
        link = page.get_by_role("link", name="Result")
        assert link.count() == 1, name
        assert link.is_visible(), name
        box = link.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], (name, box)
    page.goto(live_server.url + site["attempt list"])
    continuing = page.get_by_role("link", name="Continue")
    box = continuing.bounding_box()
    assert box["x"] + box["width"] <= viewport["width"]
    page.get_by_role("link", name="Result").click()
    assert page.url == live_server.url + site["attempt result"]


def test_wrapped_code_lines_keep_their_numbers_at_390px(live_server, page, client, student, site):
    page.set_viewport_size(PHONE)
    log_in(page, client, live_server, student)
    page.goto(live_server.url + site["concept page"])
    lines = page.evaluate(CODE_LINES)
    assert len(lines) == BLOCK.count("\n")
    wrapped = [line for line in lines if line["rows"] > 1]
    assert [line["line"] for line in wrapped] == [BLOCK.splitlines().index(LONG_LINE.strip()) + 1]
    for line in lines:
        if line["rows"]:
            assert line["textLeft"] >= line["numberRight"], line
