"""With DEBUG off, a server error is logged to stderr with its traceback, and mailed to ADMINS
when they are set. Each case runs the production settings in a fresh interpreter, so the
LOGGING configuration under test is the one the server really starts with."""

import os
import subprocess
import sys
from pathlib import Path

from config.log import admins_from_environment

ROOT = Path(__file__).resolve().parents[2]
REQUEST_A_FAILING_VIEW = """
import logging
import django
django.setup()
from django.conf import settings
from django.core import mail
from django.test import Client
from django.test.utils import override_settings

with override_settings(
    ROOT_URLCONF="tests.config.raising_urls",
    MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
):
    status = Client(raise_request_exception=False).get("/fails/", secure=True).status_code
    logging.getLogger("quizzes.services").info("a project message")
print("status", status)
print("admins", settings.ADMINS)
print("mails", [(m.to, m.subject) for m in getattr(mail, "outbox", [])])
"""


def run_production(**environ: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "a-secret-for-this-test-only",
        "ALLOWED_HOSTS": "testserver",
        **environ,
    }
    return subprocess.run(
        [sys.executable, "-c", REQUEST_A_FAILING_VIEW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_server_error_is_logged_with_its_traceback_to_stderr():
    result = run_production()
    assert result.returncode == 0, result.stderr
    assert "status 500" in result.stdout
    assert "ERROR django.request: Internal Server Error: /fails/" in result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert "DeliberateFailure: the view failed on purpose" in result.stderr
    assert "INFO quizzes.services: a project message" in result.stderr
    assert "mails []" in result.stdout  # no ADMINS, no mail


def test_admins_from_the_environment_receive_the_error():
    result = run_production(ADMINS="Ada Lovelace <ada@example.org>, ops@example.org")
    assert result.returncode == 0, result.stderr
    assert "admins ['Ada Lovelace <ada@example.org>', 'ops@example.org']" in result.stdout
    assert "Internal Server Error: /fails/" in result.stdout.split("mails", 1)[1]
    assert "DeliberateFailure" in result.stderr


def test_admins_are_comma_separated_addresses():
    assert admins_from_environment("") == []
    assert admins_from_environment(" a@example.org ,, B <b@example.org>") == [
        "a@example.org",
        "B <b@example.org>",
    ]
