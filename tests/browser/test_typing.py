"""Nothing a student types is lost: typed answers are saved while typing, flushed when the page is
hidden or left, kept in the browser across a reload, and leaving with unsaved text warns. Also
the "prints nothing" box and the countdown that stays in view.

Pages are served under a strict Content-Security-Policy here (no inline scripts or handlers), so
any inline code would fail the test as a console error.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.html import escape
from playwright.sync_api import expect

from quizzes import grading, services
from quizzes.models import Quiz, Response
from tests.browser.test_feedback_diagram import log_in

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; img-src 'self' data:"
SILENT = "x = [1]\ny = x\n"


def under_csp(page, path_glob: str):
    """Serve the pages matching `path_glob` with a strict Content-Security-Policy."""

    def add_policy(route):
        if route.request.method != "GET":  # a form post goes on as is, redirects and all
            route.continue_()
            return
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": CSP}
        route.fulfill(response=response, headers=headers)

    page.route(path_glob, add_policy)


def wait_for_saved(page, attempt, text: str, timeout: float = 10.0):
    """Wait until the server holds `text` as the attempt's answer, asking it over HTTP (the test
    thread shares the live server's in-memory database connection, so it must not query it while
    the server may be writing)."""
    url = f"{page.server_url}/attempts/{attempt.pk}/"
    wanted = escape(text)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # A form post sends a text box's line breaks as \r\n (HTML's rule); grading ignores it.
        html = page.context.request.get(url).text().replace("\r\n", "\n")
        if wanted in html.split("<textarea", 1)[-1].split("</textarea>", 1)[0]:
            return
        time.sleep(0.2)
    raise AssertionError(f"the server never stored {text!r}")


def wait_for_held(page, held: list, count: int, what: str, timeout: float = 10.0) -> None:
    """Wait until `count` requests are held by a route (their handler appends them to `held`)."""
    deadline = time.monotonic() + timeout
    while len(held) < count and time.monotonic() < deadline:
        page.wait_for_timeout(20)  # Playwright delivers the page's routed requests while it waits
    assert len(held) == count, f"{what}: {len(held)} held, not {count}"


@pytest.fixture
def serial_live_server(live_server):
    """The live server, handling one request at a time.

    Its threads share the test's in-memory SQLite connection, so two requests at once (a
    keep-alive save racing the reload it was sent before) fail with "database table is locked";
    with a server of its own per thread, as in production, they simply queue."""
    server = live_server.thread.httpd
    app = server.get_app()
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    server.set_app(one_at_a_time)
    yield live_server
    server.set_app(app)


@pytest.fixture
def open_attempt(serial_live_server, page, client, student, make_quiz):
    """open_attempt(questions, **quiz_fields): log in, start an attempt, open its page; the
    attempt. Dialogs (the leave-page warning) are recorded in page.dialogs and accepted."""

    def open_(questions, *, pause_timers: bool = False, **fields):
        """pause_timers: the page's timers (the pause before a save while typing) wait for
        page.clock.run_for(), so a test can act "at once" after typing however slow the machine."""
        quiz = make_quiz(questions, **fields)
        attempt = services.start_attempt(user=student, quiz=quiz)
        live_server = serial_live_server
        log_in(page, client, live_server, student)
        page.dialogs = []
        page.server_url = live_server.url

        def on_dialog(dialog):
            page.dialogs.append(dialog.type)
            dialog.accept()

        page.on("dialog", on_dialog)
        under_csp(page, f"**/attempts/{attempt.pk}/")
        if pause_timers:
            page.clock.install()
        page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
        if pause_timers:
            page.clock.pause_at(datetime.now(UTC) + timedelta(minutes=1))
        return attempt

    return open_


def test_text_typed_then_reloaded_at_once_is_there_and_on_the_server(
    page, open_attempt, typed_question
):
    attempt = open_attempt([typed_question], pause_timers=True)
    answer = page.get_by_label("What does it print?")
    typed = "[1, 2, 3]\n  True"
    answer.press_sequentially(typed)
    assert page.locator(".save-status").get_attribute("data-state") == "unsaved"
    page.reload()

    assert page.dialogs == ["beforeunload"], "leaving with unsaved text warns"
    assert page.get_by_label("What does it print?").input_value() == typed
    page.locator('.save-status[data-state="saved"]').wait_for()
    wait_for_saved(page, attempt, typed)
    assert Response.objects.get().answer_text.replace("\r\n", "\n") == typed


def kept_copy(watcher) -> dict | None:
    """The copy of a typed answer kept in this browser, read by another page of the site's (the
    page that kept it may be leaving, and Playwright's calls to it wait for the navigation)."""
    return watcher.evaluate(
        """() => {
          const name = Object.keys(localStorage).find(n => n.startsWith("memory-model:unsaved:"));
          return name ? JSON.parse(localStorage.getItem(name)) : null;
        }"""
    )


def test_a_reload_served_before_the_flush_it_followed_keeps_the_text(
    page, open_attempt, typed_question
):
    """The reload is served before the keep-alive flush sent on leaving, so the reloaded page is
    served no answer; the flush then lands, and its reply reaches the leaving page before the
    reloaded one replaces it (a production server serves both at once). The text was kept in
    the browser only until the leaving page heard it saved: the reloaded page showed an empty
    box, while the server held the text. Routes hold the requests to force that order."""
    attempt = open_attempt([typed_question], pause_timers=True)
    flushes, held = [], []  # held until the reload is served, then let through

    def hold(route):
        flushes.append(route)
        held.append(route.request.method)

    page.route(f"**/attempts/{attempt.pk}/answers/**", hold)

    def serve_before_the_flush(route):
        if route.request.method != "GET" or not flushes:
            route.fallback()
            return
        served = route.fetch()  # the server has no answer yet
        flush = flushes.pop()
        flush.continue_()
        # The leaving page hears its save went through (and updates or drops the kept copy)
        # before the reloaded one replaces it: Chromium runs its script until the reload commits.
        deadline = time.monotonic() + 10
        while (kept := kept_copy(watcher)) and not kept.get("confirmed"):
            assert time.monotonic() < deadline, "the leaving page never heard of its save"
            time.sleep(0.05)
        headers = {**served.headers, "content-security-policy": CSP}
        route.fulfill(response=served, headers=headers)

    watcher = page.context.new_page()
    watcher.goto(f"{page.server_url}/static/quizzes/site.css")
    page.route(f"**/attempts/{attempt.pk}/", serve_before_the_flush)
    typed = "[1, 2, 3]\n  True"
    page.get_by_label("What does it print?").press_sequentially(typed)
    page.reload()

    assert page.dialogs == ["beforeunload"]
    assert held == ["POST"], "one keep-alive flush, held, then let through"
    expect(page.get_by_label("What does it print?")).to_have_value(typed)
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saved")
    wait_for_saved(page, attempt, typed)
    page.reload()  # served after the save now: the server's copy, nothing kept is needed
    expect(page.get_by_label("What does it print?")).to_have_value(typed)
    assert page.evaluate("Object.keys(localStorage)") == []


def test_a_reload_served_after_an_earlier_save_landed_keeps_the_text_typed_since(
    page, open_attempt, typed_question
):
    """A save made while typing is still under way when the page is reloaded, after more typing:
    the reloaded page is served that earlier save (a version the leaving page never heard of),
    then the flush of the rest lands. The kept copy was taken for one made stale by another tab
    or device, and the box showed the earlier text."""
    attempt = open_attempt([typed_question], pause_timers=True)
    saves = []  # held until the reload is served

    def hold(route):
        saves.append(route)

    page.route(f"**/attempts/{attempt.pk}/answers/**", hold)

    reload_while_an_earlier_save_is_held(page, attempt, saves, land_it_first=True)
    earlier, flush, restored = saves
    restored.continue_()  # the reloaded page saves the text it restored
    flush.continue_()  # and the leaving page's flush lands late (the same text)
    earlier.abort()
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saved")
    wait_for_saved(page, attempt, "[1, 2, 3]")


REFUSED_AS_STALE = pytest.mark.parametrize("expected_statuses", [frozenset({409})], ids=["409"])


@REFUSED_AS_STALE
def test_a_leaving_pages_late_flush_never_replaces_what_the_reloaded_page_saved_since(
    page, open_attempt, typed_question
):
    """The flush sent by a page being left reaches the server only after the reloaded page has
    saved newer text (a slow connection, a proxy's queue): it replaced the newer answer, and the
    next reload showed the older text. Its base (the version it was typed over) is older than the
    stored answer's now, so the server refuses it. A route holds the flush back until then."""
    attempt = open_attempt([typed_question], pause_timers=True)
    held = []

    def hold_the_flush(route):
        if held:  # the reloaded page's saves go through
            route.fallback()
        else:
            held.append(route)

    page.route(f"**/attempts/{attempt.pk}/answers/**", hold_the_flush)
    answer = page.get_by_label("What does it print?")
    answer.press_sequentially("old text")
    page.reload()

    assert page.dialogs == ["beforeunload"]
    wait_for_held(page, held, 1, "one flush, held")
    answer = page.get_by_label("What does it print?")
    expect(answer).to_have_value("old text")  # restored from the copy kept in this browser
    status = page.locator(".save-status")
    expect(status).to_have_attribute("data-state", "saved")
    answer.fill("newer text")
    answer.blur()  # leaving the box saves at once
    expect(status).to_have_attribute("data-state", "saved")
    wait_for_saved(page, attempt, "newer text")

    [flush] = held
    late = flush.fetch()  # the old page is gone: its reply reaches no one
    flush.fulfill(response=late)
    wait_for_saved(page, attempt, "newer text")
    expect(answer).to_have_value("newer text")
    expect(status).to_have_attribute("data-state", "saved")
    page.reload()
    assert page.dialogs == ["beforeunload"], "nothing unsaved: no second warning"
    expect(page.get_by_label("What does it print?")).to_have_value("newer text")
    assert late.status == 409 and late.json()["changed"] is True, "refused, not ignored"


@REFUSED_AS_STALE
def test_a_save_refused_as_changed_elsewhere_keeps_the_text_and_says_so(
    page, open_attempt, typed_question
):
    """Another tab saved after this page was served: this page's draft is refused, its text
    stays in the box with a message, no more drafts go (no loop), and Save answer replaces the
    other tab's answer, as the message offers."""
    attempt = open_attempt([typed_question], pause_timers=True)
    services.save_answer(  # the other tab (the live server is idle: the test thread may write)
        attempt=attempt,
        quiz_question=attempt.quiz.quiz_questions.get(),
        answer_text="other tab",
        draft=True,
    )
    answer = page.get_by_label("What does it print?")
    answer.press_sequentially("this tab")
    page.clock.run_for(900)
    status = page.locator(".save-status")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_contain_text("changed in another tab or window")
    expect(answer).to_have_value("this tab")
    assert Response.objects.get().answer_text == "other tab"
    answer.press_sequentially(" still")
    page.clock.run_for(900)
    expect(status).to_contain_text("changed in another tab or window")
    assert page.refusals == [409], "refused once; typing on sends nothing more"

    page.get_by_role("button", name="Save answer").click()
    expect(status).to_have_attribute("data-state", "saved")
    assert Response.objects.get().answer_text == "this tab still"
    assert page.refusals == [409]


@REFUSED_AS_STALE
def test_a_flush_crossing_this_pages_own_save_is_sent_again_over_it(
    page, open_attempt, typed_question
):
    """Hiding the page flushes the text while a save of its start is under way (both typed over
    no answer); the earlier save lands first, so the flush is refused as typed over an older
    version. That newer version is this page's own: the flush is sent again over it, once,
    instead of telling the student another tab changed the answer."""
    attempt = open_attempt([typed_question], pause_timers=True)
    held = []
    page.route(f"**/attempts/{attempt.pk}/answers/**", lambda route: held.append(route))
    answer = page.get_by_label("What does it print?")
    answer.press_sequentially("[1, 2")
    page.clock.run_for(900)  # the pause after typing: the first save goes, and is held
    answer.press_sequentially(", 3]")
    page.evaluate(
        """() => {
          const hidden = { value: "hidden", configurable: true };
          Object.defineProperty(document, "visibilityState", hidden);
          document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saving")
    # The status says "saving" from the first save on: the flush's request reaches the route
    # when Playwright next hears from the page (CI once checked before it had).
    wait_for_held(page, held, 2, "the save under way and the flush")
    page.unroute(f"**/attempts/{attempt.pk}/answers/**")
    earlier, flush = held
    earlier.fulfill(response=earlier.fetch())  # lands first
    flush.continue_()
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saved")
    wait_for_saved(page, attempt, "[1, 2, 3]")
    assert page.refusals == [409], "the flush, refused once, then taken"


@REFUSED_AS_STALE
def test_a_save_left_under_way_landing_after_the_reload_was_served_is_replaced(
    page, open_attempt, typed_question
):
    """A save made while typing is under way when the page is reloaded after more typing; the
    reload is served first (no answer), then that earlier save lands. The reloaded page saves
    the text it restored, typed over no answer, and is refused: the stored answer is newer. But
    it is this browser's own save, one it sent and never heard of: the restored text is sent
    again over it, once, instead of telling the student another tab changed the answer."""
    attempt = open_attempt([typed_question], pause_timers=True)
    saves = []  # held: the earlier save, the flush, the reloaded page's save

    page.route(f"**/attempts/{attempt.pk}/answers/**", lambda route: saves.append(route))

    reload_while_an_earlier_save_is_held(page, attempt, saves, land_it_first=False)
    earlier, flush, restored = saves
    restored.continue_()  # refused, then sent again over the earlier save
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saved")
    wait_for_saved(page, attempt, "[1, 2, 3]")
    flush.fulfill(response=flush.fetch())  # the leaving page's flush lands late: the same text
    earlier.abort()
    answer = page.get_by_label("What does it print?")
    answer.fill("[1, 2, 3, 4]")  # typed on: the flush changed nothing, this page is current
    answer.blur()
    expect(page.locator(".save-status")).to_contain_text("Saved")
    wait_for_saved(page, attempt, "[1, 2, 3, 4]")
    assert page.refusals == [409]


def test_a_save_made_elsewhere_after_this_browsers_wins_over_its_kept_copy(
    page, open_attempt, typed_question
):
    """The kept copy of a saved answer outlives the save (a reload may be served before it);
    a later save from another tab or device is newer, and is what a reload shows."""
    attempt = open_attempt([typed_question], pause_timers=True)
    page.get_by_label("What does it print?").press_sequentially("mine")
    page.clock.run_for(900)
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saved")
    assert kept_copy(page)["confirmed"], "kept, with the version the server saved it as"
    # Another device saves (the live server is idle: the test thread may write meanwhile).
    services.save_answer(
        attempt=attempt,
        quiz_question=attempt.quiz.quiz_questions.get(),
        answer_text="theirs",
        draft=True,
    )
    page.reload()
    assert page.dialogs == [], "nothing unsaved"
    expect(page.get_by_label("What does it print?")).to_have_value("theirs")
    assert kept_copy(page) is None


def test_text_typed_then_left_at_once_reaches_the_server(
    live_server, page, open_attempt, typed_question
):
    attempt = open_attempt([typed_question], pause_timers=True)
    typed = "left in a hurry"
    page.get_by_label("What does it print?").press_sequentially(typed)
    # The page goes before the pause that saves while typing is over: only the flush on leaving
    # (a keep-alive request) can carry the text.
    page.goto(f"{live_server.url}/quizzes/")
    assert page.dialogs == ["beforeunload"]
    wait_for_saved(page, attempt, typed)


def test_hiding_the_page_flushes_the_text_with_a_keepalive_request(
    page, open_attempt, typed_question
):
    open_attempt([typed_question], pause_timers=True)
    page.evaluate(
        """() => {
          window.keepaliveBodies = [];
          const realFetch = window.fetch;
          window.fetch = (url, options) => {
            if (options && options.keepalive) {
              window.keepaliveBodies.push(options.body.get("draft"));
            }
            return realFetch(url, options);
          };
        }"""
    )
    page.get_by_label("What does it print?").fill("hidden tab")
    sent = page.evaluate(
        """() => {
          const hidden = { value: "hidden", configurable: true };
          Object.defineProperty(document, "visibilityState", hidden);
          document.dispatchEvent(new Event("visibilitychange"));
          return window.keepaliveBodies;
        }"""
    )
    assert sent == ["1"], "one keep-alive draft save, sent at once"
    page.locator('.save-status[data-state="saved"]').wait_for()
    assert Response.objects.get().answer_text == "hidden tab"


def test_typing_saves_after_a_pause_and_the_status_says_so(page, open_attempt, typed_question):
    open_attempt([typed_question], pause_timers=True)
    status = page.locator(".save-status")
    assert status.text_content() == "Not answered yet"
    page.get_by_label("What does it print?").press_sequentially("[1, 2")
    page.clock.run_for(700)
    assert status.get_attribute("data-state") == "unsaved"
    assert status.text_content() == "Unsaved changes"
    page.clock.run_for(200)  # 800 ms after the last keystroke: saved without blur or button
    page.locator('.save-status[data-state="saved"]').wait_for()
    assert status.text_content().startswith("Saved ")
    saved = Response.objects.get()
    assert saved.answer_text == "[1, 2" and saved.graded_key is None

    page.reload()
    assert page.dialogs == [], "nothing unsaved, no warning"
    assert page.get_by_label("What does it print?").input_value() == "[1, 2"


def test_with_feedback_after_each_answer_typing_saves_a_draft_never_checked(
    page, open_attempt, typed_question
):
    open_attempt([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    text = page.get_by_label("What does it print?")
    text.press_sequentially("[1, 2")
    status = page.locator('.save-status[data-state="saved"]')
    status.wait_for()
    assert status.text_content().startswith("Draft saved")
    text.blur()  # leaving the box saves (the same draft), it does not check
    page.wait_for_timeout(300)
    assert page.locator(".feedback").count() == 0
    assert Response.objects.get().graded_key is None

    text.fill(grading.expected_text(typed_question.answer_key))
    page.get_by_role("button", name="Save answer").click()
    page.locator(".feedback-slot .feedback-verdict").wait_for()
    assert page.locator(".feedback-verdict").text_content() == "Right"
    assert text.is_disabled()


def test_prints_nothing_box_saves_and_comes_back_ticked(
    page, open_attempt, make_question, save_screenshot
):
    question = make_question(SILENT)
    open_attempt([question])
    text = page.get_by_label("What does it print?")
    text.fill("draft text")
    page.get_by_label("The program prints nothing").check()
    assert text.is_disabled()
    page.locator('.save-status[data-state="saved"]').wait_for()
    stored = Response.objects.get()
    assert stored.says_prints_nothing and stored.answer_text == ""
    save_screenshot(page.locator(".attempt-question"), "prints-nothing-attempt")

    page.reload()
    assert page.get_by_label("The program prints nothing").is_checked()
    assert page.get_by_label("What does it print?").is_disabled()
    page.get_by_label("The program prints nothing").uncheck()
    assert page.get_by_label("What does it print?").is_enabled()


def test_practice_prints_nothing_with_javascript(live_server, page, client, student, make_question):
    question = make_question(SILENT)
    log_in(page, client, live_server, student)
    under_csp(page, f"**/practice/question/{question.pk}/")
    page.goto(f"{live_server.url}/practice/question/{question.pk}/")
    page.get_by_label("The program prints nothing").check()
    assert page.get_by_label("What does it print?").is_disabled()
    page.get_by_role("button", name="Check my answer").click()
    page.wait_for_url("**/practice/answers/*/")
    assert "You said: prints nothing" in page.locator(".your-answer").text_content()
    assert page.locator(".feedback-verdict").text_content() == "Right"


def test_practice_text_survives_a_reload_until_it_is_checked(
    live_server, page, client, student, typed_question
):
    log_in(page, client, live_server, student)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    url = f"{live_server.url}/practice/question/{typed_question.pk}/"
    under_csp(page, url)
    page.goto(url)
    page.get_by_label("What does it print?").press_sequentially("[1, 2]\nTrue")
    page.reload()
    assert dialogs == ["beforeunload"], "leaving with unchecked text warns"
    assert page.get_by_label("What does it print?").input_value() == "[1, 2]\nTrue"

    page.get_by_role("button", name="Check my answer").click()
    page.wait_for_url("**/practice/answers/*/")
    assert dialogs == ["beforeunload"], "checking the answer leaves without a warning"
    page.goto(url)
    assert page.get_by_label("What does it print?").input_value() == "", "checked: not kept"


IN_VIEW = """(element) => {
  const box = element.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, height: innerHeight, scrolled: scrollY};
}"""


@pytest.mark.parametrize("width", [1200, 390])
def test_countdown_stays_in_view_at_the_bottom_of_the_page(
    page, open_attempt, make_question, width, save_screenshot
):
    questions = [make_question(f"x = {n}\nprint(x * 2)\n") for n in range(5)]
    page.set_viewport_size({"width": width, "height": 800})
    open_attempt(questions, time_limit_minutes=30)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    box = page.locator("#countdown").evaluate(IN_VIEW)
    assert box["scrolled"] > 1000, "the page is long enough to scroll the header away"
    assert 0 <= box["top"] and box["bottom"] <= box["height"], box
    save_screenshot(page, f"countdown-scrolled-{width}")  # the viewport, as the student sees it


def reload_while_an_earlier_save_is_held(page, attempt, saves: list, *, land_it_first: bool):
    """Type, let the first save go (held in `saves`), type more and reload. The earlier save lands
    as the reload is served, before it (`land_it_first`) or after; its reply never reaches the
    leaving page. The reloaded page shows all the text typed, saving it; the saves stay held."""

    def serve(route):
        if route.request.method != "GET" or len(saves) != 2:
            route.fallback()
            return
        if land_it_first:
            saves[0].fetch()
        served = route.fetch()
        if not land_it_first:
            saves[0].fetch()
        headers = {**served.headers, "content-security-policy": CSP}
        route.fulfill(response=served, headers=headers)

    page.route(f"**/attempts/{attempt.pk}/", serve)
    answer = page.get_by_label("What does it print?")
    answer.press_sequentially("[1, 2")
    page.clock.run_for(900)  # the pause after typing: the first save goes, and is held
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saving")
    answer.press_sequentially(", 3]")
    page.reload()

    assert page.dialogs == ["beforeunload"]
    expect(page.get_by_label("What does it print?")).to_have_value("[1, 2, 3]")
    expect(page.locator(".save-status")).to_have_attribute("data-state", "saving")
    page.unroute(f"**/attempts/{attempt.pk}/answers/**")
