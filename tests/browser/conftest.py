"""Real-browser tests: Debian's chromium, driven by Playwright (never a browser it downloads).

CI installs it with `apt-get install -y chromium` (.ci/run); without it these tests are skipped.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real browser (Debian's chromium)")


@pytest.fixture(scope="session")
def browser(instructors_group_permissions):
    # The Instructors group's permissions are read before a live-server test flushes the
    # database (and the group the migrations made): tests/conftest.py's instructors_group.
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the test's thread, which makes Django refuse the
    # test database's own set-up and flush there; nothing async touches the database in these tests.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def watched_page(browser, *, expected: frozenset[int] = frozenset()) -> Iterator:
    """A fresh page that fails the test on any script error, console error (a CSP refusal is one)
    or failed request, except the favicon the browser asks for by itself and responses with an
    `expected` status: the test's expected answers, listed in `page.refusals`."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.refusals = []

    def on_console(message):
        # A failed request is reported with its address by on_response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.status in expected:
            page.refusals.append(response.status)
        elif response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", on_console)
    page.on("response", on_response)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"the page reported errors: {errors}"


@pytest.fixture
def expected_statuses() -> frozenset[int]:
    """Statuses the page's requests may get as the test's expected answers (page.refusals);
    a test expecting some parametrizes this fixture."""
    return frozenset()


@pytest.fixture
def page(browser, expected_statuses):
    with watched_page(browser, expected=expected_statuses) as page:
        yield page


@pytest.fixture
def save_screenshot(capsys):
    """Save a screenshot under var/screenshots/ and print its path, so a person can look at it."""

    def save(locator, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        locator.screenshot(path=str(path))
        with capsys.disabled():
            print(f"\nscreenshot: {path}")
        return path

    return save
