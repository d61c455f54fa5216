"""`make run` serves through scripts/serve.sh: gunicorn with DEBUG off, static files collected and
served by WhiteNoise, on an SQLite file in WAL mode. Started here as make run starts it, on a
database of its own and a free port."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_LIMIT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str):
    try:
        return urllib.request.urlopen(url, timeout=10)  # noqa: S310 - the test's own server
    except urllib.error.HTTPError as error:
        return error


@pytest.fixture
def served(tmp_path):
    """The site as `make run` serves it (one worker), on a fresh migrated SQLite file."""
    database = tmp_path / "db.sqlite3"
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-serve-" + "x" * 40,
        "PORT": str(free_port()),
        "WEB_WORKERS": "1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**environ, "DEBUG": "0"},
        check=True,
        timeout=300,
        capture_output=True,
    )
    server = subprocess.Popen(
        ["scripts/serve.sh"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{environ['PORT']}"
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=2)  # noqa: S310
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    try:
        yield url, database, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_make_run_serves_pages_and_static_files_with_gunicorn_on_sqlite_in_wal_mode(served):
    url, database, server = served
    assert server.poll() is None, server.stdout.read()
    page = get(url + "/accounts/login/")
    assert page.status == 200
    assert "Content-Security-Policy" in page.headers
    # DEBUG is off: an unknown address gets the site's 404 page, not Django's technical one.
    missing = get(url + "/no-such-page/")
    assert missing.status == 404 and "URLconf" not in missing.read().decode()
    # A static file is served by WhiteNoise from the collected files, cacheable.
    script = get(url + "/static/quizzes/attempt.js")
    assert script.status == 200 and b"RETRIED_STATUSES" in script.read()
    assert "max-age" in script.headers.get("Cache-Control", "")
    # The worker keeps its connection between requests (CONN_MAX_AGE): were it closed after each
    # one, the last connection to close would checkpoint and delete the WAL every time.
    assert Path(f"{database}-wal").exists()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    server.terminate()
    log = server.communicate(timeout=30)[0]
    assert "gunicorn" in log.lower() and "GET /accounts/login/" in log
    # The master warmed the site up (config/warm.py) before it forked the worker.
    warmed = log.index("Warmed up before forking workers")
    assert warmed < log.index("Booting worker")
