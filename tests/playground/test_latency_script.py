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


def test_the_page_without_javascript_is_timed_too(
    live_server, transactional_db, latency, monkeypatch
):
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)
    monkeypatch.setattr(latency.random, "uniform", lambda low, high: 0.0)
    cookie, keys = latency.logged_in_sessions(1, "latency-")
    results: list = []
    latency.student(live_server.url, cookie, keys[0], 1, threading.Barrier(1), results, mode="form")
    assert [(code, status) for code, status, _ in results] == [(200, "ok")]


def test_both_phases_are_reported_side_by_side(
    live_server, transactional_db, latency, monkeypatch, capsys
):
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)
    monkeypatch.setattr(latency.random, "uniform", lambda low, high: 0.0)
    arguments = ["--host", live_server.url, "--users", "2", "--runs", "2", "--pause", "0"]
    monkeypatch.setattr("sys.argv", ["playground_latency.py", *arguments])
    latency.main()
    printed = capsys.readouterr().out
    header, p50, p95 = printed.splitlines()[1:4]
    assert header.split() == ["barrier", "steady"]
    assert p50.startswith("p50") and p95.startswith("p95") and len(p95.split()) == 5
    # Both phases report their 2 users x 2 runs (on a loaded machine a run may be refused by a
    # limit or stopped, which the rows below "answered ok" then count: the report is checked).
    answered = next(line for line in printed.splitlines() if line.startswith("answered ok"))
    assert [column.split("/")[1] for column in answered.split()[2:]] == ["4", "4"], printed
    assert "load average" in printed
