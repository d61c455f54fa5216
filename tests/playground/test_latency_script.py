"""scripts/playground_latency.py (issue 17 §4) against a live server: its students are logged
in by the sessions it makes, and their runs are real playground runs it times."""

import importlib.util
import threading

import pytest
from django.conf import settings

SCRIPT = settings.BASE_DIR / "scripts" / "playground_latency.py"


@pytest.fixture
def latency():
    spec = importlib.util.spec_from_file_location("playground_latency", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_latency_script_times_real_runs(live_server, transactional_db, latency, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)  # the script's own setting, kept
    monkeypatch.setattr(latency.random, "uniform", lambda low, high: 0.0)  # no think time
    cookie, keys = latency.logged_in_sessions(2, "latency-")
    assert cookie == settings.SESSION_COOKIE_NAME and len(keys) == 2
    results: list = []
    latency.student(live_server.url, cookie, keys[0], 2, threading.Barrier(1), results)
    assert [(code, status) for code, status, _ in results] == [(200, "ok"), (200, "ok")]
    assert all(seconds > 0 for _, _, seconds in results)
