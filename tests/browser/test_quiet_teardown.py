"""A live-server test's requests are all served before its database is flushed, and none reaches
the database afterwards (tests/live_server_gate.py, which tests/conftest.py closes after each test):
CI once flushed while an autosave was being served ("database table is locked: django_session"),
and the next test met the rows the flush could not delete."""

import threading
import time

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from tests.browser.conftest import watched_page

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

SERVED_SECONDS = 0.5
served: list[tuple[str, float]] = []  # (query string, time served) of each slow request
started = threading.Event()


def slow(request: HttpRequest) -> HttpResponse:
    started.set()
    time.sleep(SERVED_SECONDS)
    served.append((request.META.get("QUERY_STRING", ""), time.monotonic()))
    return HttpResponse(status=204)


def reading(request: HttpRequest) -> HttpResponse:
    """Served while a read of auth_user is under way, as a session's read was in CI (the live
    server shares the test's in-memory database connection)."""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    cursor.execute("SELECT * FROM auth_user")
    cursor.fetchone()
    started.set()
    time.sleep(SERVED_SECONDS)
    cursor.close()
    served.append(("reading", time.monotonic()))
    return HttpResponse(status=204)


def quiet(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><html lang='en'><title>Quiet</title><main>Quiet</main>")


urlpatterns = [
    path("slow/", slow),
    path("reading/", reading),
    path("quiet/", quiet),
    path("", include("config.urls")),
]


@pytest.fixture(autouse=True)
def fresh_record():
    served.clear()
    started.clear()


def test_a_test_may_end_while_the_server_reads_the_database(live_server, browser, make_user):
    # Without the gate, pytest-django's flush after this test fails ("database table is locked:
    # auth_user") and leaves these users to the next test.
    for name in ("ada", "grace", "barbara"):
        make_user(name)
    with watched_page(browser) as page:
        page.goto(f"{live_server.url}/quiet/")
        page.evaluate("() => { fetch('/reading/'); }")
        assert started.wait(10), "the request never reached the server"


def test_the_next_test_starts_on_a_flushed_database(live_server, django_user_model):
    assert not django_user_model.objects.exists()


def test_a_request_in_flight_when_the_test_ends_is_served_before_the_flush(
    live_server, browser, live_server_gate
):
    with watched_page(browser) as page:
        page.goto(f"{live_server.url}/quiet/")
        page.evaluate("() => { fetch('/slow/?in-flight'); }")
        assert started.wait(10), "the request never reached the server"
    live_server_gate.close()  # what the fixture does before pytest-django flushes
    assert [query for query, _ in served] == ["in-flight"]


def test_a_request_sent_as_the_page_goes_gets_no_database(live_server, browser, live_server_gate):
    with watched_page(browser) as page:
        page.goto(f"{live_server.url}/quiet/")
        page.evaluate(
            "() => addEventListener('pagehide', () => fetch('/slow/?leaving', {keepalive: true}))"
        )
    live_server_gate.close()
    closed = time.monotonic()
    time.sleep(1 + SERVED_SECONDS)  # ample time for a keepalive request to arrive and be served
    late = [query for query, when in served if when > closed]
    assert not late, f"requests were served after the test was over: {late}"


def test_the_gate_refuses_without_the_database_and_opens_for_the_next_test(
    live_server, client, live_server_gate
):
    import urllib.error
    import urllib.request

    live_server_gate.close()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{live_server.url}/slow/?closed", timeout=10)  # noqa: S310
    assert refused.value.code == 503
    assert served == [] and [p for p, _ in live_server_gate.refused] == ["/slow/"]
    live_server_gate.open()
    with urllib.request.urlopen(f"{live_server.url}/slow/?open", timeout=10) as answer:  # noqa: S310
        assert answer.status == 204
    assert [query for query, _ in served] == ["open"]
