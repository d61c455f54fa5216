"""A gate in front of pytest-django's live server, closed between tests.

pytest-django flushes the test database after each live-server test, on the connection the server
thread shares (an in-memory SQLite database is shared with it). A request the browser still has in
flight when the test ends (an autosave it did not wait for, the keepalive save attempt.js sends as
its page is closed) is then being served while the flush runs: "database table is locked:
django_session" in CI, and the next test met the rows the flush could not delete. So the gate is
closed before the flush: it waits for the requests being served and answers any later one with a
503 that touches no database, until the next test opens it.
"""

import threading
import time
from collections.abc import Callable, Iterable

DRAIN_SECONDS = 30  # the longest a request still being served may take once its test is over


class LiveServerGate:
    def __init__(self, app: Callable) -> None:
        self.app = app
        self.lock = threading.Condition()
        self.closed = False
        self.serving = 0
        self.refused: list[tuple[str, float]] = []  # (path, time) of each request the gate refused

    @classmethod
    def around(cls, live_server) -> "LiveServerGate":
        """The gate in front of `live_server`'s application, put there on first use."""
        httpd = live_server.thread.httpd
        app = httpd.get_app()
        if not isinstance(app, cls):
            app = cls(app)
            httpd.set_app(app)
        return app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        with self.lock:
            if self.closed:
                self.refused.append((environ.get("PATH_INFO", ""), time.monotonic()))
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"the test is over"]
            self.serving += 1
        try:
            # The whole body is produced here, so the request is over when the count drops.
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self.lock:
                self.serving -= 1
                self.lock.notify_all()

    def open(self) -> None:
        with self.lock:
            self.closed = False
            self.refused.clear()

    def close(self) -> None:
        """Refuse every later request, and wait for the ones being served."""
        with self.lock:
            self.closed = True
            if not self.lock.wait_for(lambda: self.serving == 0, timeout=DRAIN_SECONDS):
                raise AssertionError(
                    f"{self.serving} request(s) still served {DRAIN_SECONDS} s after the test"
                )
